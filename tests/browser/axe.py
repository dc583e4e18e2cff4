"""axe-core (vendored from npm, tests/browser/vendor/axe-core/) run inside a Playwright page."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    data = AXE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == AXE_SHA256, f"{AXE} is not the vendored axe-core {AXE_VERSION}: {digest}"
    return data.decode("utf-8")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Every violation axe-core finds on the page as it is now (WCAG 2.x A/AA and best practice).

    The page's context must be opened with ``bypass_csp=True``: planflow's CSP forbids inline
    scripts, and axe is injected as one.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    version = page.evaluate("() => window.axe.version")
    assert version == AXE_VERSION, version
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical ones, one readable line per rule with the first elements."""
    lines = []
    for v in violations:
        if v.get("impact") not in BLOCKING:
            continue
        targets = [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:3]]
        summary = v["nodes"][0].get("failureSummary", "").replace("\n", " ") if v["nodes"] else ""
        lines.append(
            f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']} — "
            f"{'; '.join(targets)} — {summary[:300]}"
        )
    return lines
