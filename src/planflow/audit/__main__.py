"""``python -m planflow.audit BUNDLE PUBLIC_KEY``: verify an export without planflow or a database.

Standard library and ``cryptography`` only, like the modules it uses: copy this folder anywhere
and run ``python -m <folder> bundle.zip key.pub``. Exit 0 verified, 1 a problem found, 2 the
bundle or key cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .bundle import BundleError, read_bundle
from .note import NoteError, Verifier
from .planbundle import verify_any


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m planflow.audit BUNDLE PUBLIC_KEY", file=sys.stderr)
        return 2
    try:
        verifier = Verifier.parse(Path(argv[1]).read_text(encoding="utf-8"))
        check = verify_any(read_bundle(Path(argv[0])), [verifier])
    except (OSError, NoteError, BundleError) as exc:
        print(f"Lỗi / Error: {exc}", file=sys.stderr)
        return 2
    report = check.report
    if report.ok:
        print(f"Toàn vẹn / Verified: {report.count} events")
        print(f"chain head  {report.head}\nmerkle root {report.root}")
        print(f"checkpoint  {check.checkpoint.origin} {check.checkpoint.size}")
        return 0
    print(f"KHÔNG toàn vẹn / NOT verified: {report.first}", file=sys.stderr)
    for finding in report.findings[:20]:
        print(f"  {finding}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
