"""Write the hostile corpus: broken and hostile workflow files made by mutating
tests/fixtures/mini.yaml and workflows/kien-giang-2022.yaml.

    python tests/hostile/generate.py

The files are committed; this script says how each was made. What each must be refused with is
in the table of tests/test_hostile_workflows.py. Files too large to commit (over the 2 MiB limit)
are made by the tests themselves.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MINI = (ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
KG = (ROOT / "workflows" / "kien-giang-2022.yaml").read_text(encoding="utf-8")
KG_OVERRIDES = ROOT / "workflows" / "calendar-vn-overrides.yaml"


def edit(text: str, *edits: tuple[str, str]) -> str:
    """``text`` with each ``old`` (which must occur exactly once) replaced by ``new``."""
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def kg(*edits: tuple[str, str]) -> str:
    """The Kiên Giang plan, its overrides file taken from overrides/, with ``edits``."""
    return edit(
        KG,
        (
            "overrides: calendar-vn-overrides.yaml",
            "overrides: overrides/calendar-vn-overrides.yaml",
        ),
        *edits,
    )


def laughs(levels: int, key: str = "lol") -> str:
    """Nested aliases, each level nine times the one before ("billion laughs")."""
    out = f'{key}0: &{key}0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels):
        refs = ", ".join([f"*{key}{i - 1}"] * 9)
        out += f"{key}{i}: &{key}{i} [{refs}]\n"
    return out


def agencies(count: int, first: int = 0) -> str:
    return "".join(
        f"  - {{code: so-{i}, name_vi: Sở {i}, kind: department, head: {{title_vi: Giám đốc}}}}\n"
        for i in range(first, first + count)
    )


TITLE_1 = "    title_vi: Xây dựng kế hoạch\n"
D1_SCHEDULE = "schedule: {due: 2022-03-31}"

TEXT: dict[str, str] = {
    # --- YAML the composer refuses -----------------------------------------------------------
    "billion-laughs.yaml": MINI
    + "x-laughs:\n"
    + "".join("  " + line for line in laughs(9).splitlines(True)),
    "laughs-as-title.yaml": edit(
        MINI,
        ("  title_vi: Kế hoạch thử nghiệm năm 2022\n", "  title_vi: *l8\n"),
        (
            "format: planflow/v1\n",
            "format: planflow/v1\nx-anchors:\n"
            + "".join("  " + line for line in laughs(9, "l").splitlines(True)),
        ),
    ),
    "alias-fan-out.yaml": edit(
        MINI,
        (
            "format: planflow/v1\n",
            "format: planflow/v1\nx-big: &big [" + ", ".join(["so-a"] * 2000) + "]\n",
        ),
        (
            "    assignees: [cac-so]\n    done_when: report",
            "    assignees: [" + ", ".join(["*big"] * 60) + "]\n    done_when: report",
        ),
    ),
    "deep-flow.yaml": edit(
        MINI,
        ("  year: 2022\n", "  year: 2022\n  title_en: " + "[" * 5000 + "]" * 5000 + "\n"),
    ),
    "deep-flow-unclosed.yaml": edit(
        MINI, ("  year: 2022\n", "  year: 2022\n  title_en: " + "{a: " * 3000 + "\n")
    ),
    "deep-block.yaml": edit(
        MINI,
        (
            "  year: 2022\n",
            "  year: 2022\n  signer_x:\n"
            + "".join("  " * (i + 2) + f"k{i}:\n" for i in range(100))
            + "  " * 102
            + "v\n",
        ),
    ),
    "recursive-alias.yaml": edit(MINI, ("  signer:\n", "  legal_bases: &lb [*lb]\n  signer:\n")),
    "recursive-alias-map.yaml": edit(
        MINI,
        (
            "    head: {title_vi: Chánh Văn phòng}",
            "    head: &h {title_vi: Chánh Văn phòng, deputy: *h}",
        ),
    ),
    "undefined-alias.yaml": edit(
        MINI,
        (
            "    assignees: [cac-so]\n    done_when: activity",
            "    assignees: *nobody\n    done_when: activity",
        ),
    ),
    "duplicate-anchor.yaml": edit(
        MINI,
        ("    name_vi: Sở A\n", "    name_vi: &n Sở A\n"),
        ("    name_vi: Sở B\n", "    name_vi: &n Sở B\n"),
    ),
    "duplicate-top-key.yaml": MINI + "plan:\n  id: other-plan\n",
    "duplicate-nested-key.yaml": edit(MINI, ("  year: 2022\n", "  year: 2022\n  year: 2023\n")),
    "duplicate-flow-key.yaml": edit(
        MINI, (D1_SCHEDULE, "schedule: {due: 2022-03-31, due: 2022-06-30}")
    ),
    "duplicate-quoted-key.yaml": edit(
        MINI, ("    kind: office\n", '    kind: office\n    "kind": board\n')
    ),
    "python-object-tag.yaml": edit(
        MINI,
        ("  number: 1/KH-UBND\n", '  number: !!python/object/apply:os.system ["echo pwned"]\n'),
    ),
    "custom-tag.yaml": edit(MINI, ("  number: 1/KH-UBND\n", "  number: !include /etc/passwd\n")),
    "binary-tag.yaml": edit(MINI, ("  number: 1/KH-UBND\n", "  number: !!binary aGVsbG8=\n")),
    "multi-document.yaml": MINI + "---\n" + MINI,
    "scalar-document.yaml": "# A plan that is a sentence.\nKế hoạch thử nghiệm năm 2022\n",
    "list-document.yaml": "# The agencies alone.\n- code: vp\n- code: so-a\n",
    "empty.yaml": "# Only a comment.\n",
    "complex-key.yaml": edit(
        MINI, ("  year: 2022\n", "  year: 2022\n  ? [title, en]\n  : Kế hoạch\n")
    ),
    "unclosed-quote.yaml": edit(MINI, ("  number: 1/KH-UBND\n", '  number: "1/KH-UBND\n')),
    "tab-indent.yaml": edit(MINI, ("    kind: office\n", "\tkind: office\n")),
    "escaped-nul.yaml": edit(MINI, ("  number: 1/KH-UBND\n", '  number: "1\\0/KH-UBND"\n')),
    "escaped-bell.yaml": edit(MINI, ("    name_vi: Sở A\n", '    name_vi: "Sở A\\a"\n')),
    "huge-integer.yaml": edit(MINI, ("  year: 2022\n", "  year: " + "9" * 5000 + "\n")),
    "impossible-date.yaml": edit(MINI, (D1_SCHEDULE, "schedule: {due: 2022-02-30}")),
    # --- the models' limits ------------------------------------------------------------------
    "long-plan-number.yaml": edit(
        MINI, ("  number: 1/KH-UBND\n", "  number: " + "1" * 10_000 + "/KH-UBND\n")
    ),
    "long-duty-title.yaml": edit(
        MINI, (TITLE_1, "    title_vi: " + "Xây dựng kế hoạch " * 300 + "\n")
    ),
    "long-agency-name.yaml": edit(
        MINI, ("    name_vi: Sở A\n", "    name_vi: Sở " + "A" * 1001 + "\n")
    ),
    "long-code.yaml": edit(MINI, ("  id: mini-2022\n", "  id: mini-" + "x" * 60 + "\n")),
    "long-contact.yaml": edit(
        MINI,
        (
            "    name: Nguyễn Văn A\n",
            "    name: Nguyễn Văn A\n    contact: " + "a" * 300 + "@example.vn\n",
        ),
    ),
    "many-agencies.yaml": edit(
        MINI,
        (
            "agencies:\n",
            "agencies:\n  - &same {code: so-x, name_vi: Sở X, kind: department, head: {title_vi: G}}\n"
            + "  - *same\n" * 2000,
        ),
    ),
    "many-assignees.yaml": edit(
        MINI,
        (
            "    assignees: [cac-so]\n    done_when: activity",
            "    assignees: [" + ", ".join(["so-a"] * 2001) + "]\n    done_when: activity",
        ),
    ),
    "many-legal-bases.yaml": edit(
        MINI,
        ("  signer:\n", "  legal_bases:\n" + "    - {ref: 1/2020/NĐ-CP}\n" * 101 + "  signer:\n"),
    ),
    "too-many-tasks.yaml": edit(
        MINI,
        ("agencies:\n", "agencies:\n" + agencies(300)),
        (
            "  - id: D2\n",
            "".join(
                f"  - id: R{i}\n    section: IV.{i}\n    title_vi: Báo cáo {i}\n    assignees: [cac-so]\n"
                "    done_when: report\n    schedule: {every: [quarter, half_year, year], "
                "submit_working_days_after_cutoff: 2}\n"
                for i in range(56)
            )
            + "  - id: D2\n",
        ),
    ),
    "huge-ladder-days.yaml": edit(
        MINI, ("working_days_after_due: 7", "working_days_after_due: 99999999")
    ),
    "huge-reminder-days.yaml": edit(
        MINI,
        (
            "escalation:\n  ladder:",
            "escalation:\n  reminders_working_days_before: [100000, 1]\n  ladder:",
        ),
    ),
    "huge-level.yaml": edit(MINI, ("level: 3,", "level: 1000000,")),
    "repeated-recurrence.yaml": edit(MINI, ("every: [quarter]", "every: [quarter, year, quarter]")),
    "long-key.yaml": edit(
        MINI, ("  year: 2022\n", "  year: 2022\n  ? " + "k" * 20_000 + "\n  : 1\n")
    ),
    "number-as-list.yaml": edit(MINI, ("  number: 1/KH-UBND\n", "  number: [1, KH, UBND]\n")),
    # --- the calendar overrides path ---------------------------------------------------------
    "overrides-dotdot.yaml": edit(
        MINI, ("agencies:\n", "calendar:\n  overrides: ../../../etc/passwd\nagencies:\n")
    ),
    "overrides-sneaky-dotdot.yaml": edit(
        MINI,
        (
            "agencies:\n",
            "calendar:\n  overrides: overrides/../../hostile/../../../etc/shadow\nagencies:\n",
        ),
    ),
    "overrides-absolute.yaml": edit(
        MINI, ("agencies:\n", "calendar:\n  overrides: /etc/passwd\nagencies:\n")
    ),
    "overrides-directory.yaml": edit(
        MINI, ("agencies:\n", "calendar:\n  overrides: overrides\nagencies:\n")
    ),
    "overrides-bomb.yaml": edit(
        MINI, ("agencies:\n", "calendar:\n  overrides: overrides/bomb.yaml\nagencies:\n")
    ),
    "overrides-python-tag.yaml": edit(
        MINI, ("agencies:\n", "calendar:\n  overrides: overrides/python-tag.yaml\nagencies:\n")
    ),
    "overrides-long-reason.yaml": edit(
        MINI, ("agencies:\n", "calendar:\n  overrides: overrides/long-reason.yaml\nagencies:\n")
    ),
    # --- mutations of the Kiên Giang plan ----------------------------------------------------
    "kg-duplicate-issuer.yaml": kg(
        (
            "  issuer: Ủy ban nhân dân tỉnh Kiên Giang\n",
            "  issuer: Ủy ban nhân dân tỉnh Kiên Giang\n  issuer: UBND\n",
        )
    ),
    "kg-overrides-escape.yaml": kg(
        (
            "overrides: overrides/calendar-vn-overrides.yaml",
            "overrides: ../../workflows/calendar-vn-overrides.yaml",
        )
    ),
    "kg-long-issuer.yaml": kg(
        (
            "  issuer: Ủy ban nhân dân tỉnh Kiên Giang\n",
            "  issuer: Ủy ban nhân dân tỉnh " + "Kiên Giang " * 100 + "\n",
        )
    ),
    "kg-laughs-in-ladder.yaml": kg(("escalation:\n", laughs(8, "e") + "escalation:\n")),
}

BYTES: dict[str, bytes] = {
    "bom.yaml": codecs.BOM_UTF8 + MINI.encode("utf-8"),
    "utf16.yaml": MINI.encode("utf-16"),
    "not-utf8.yaml": edit(MINI, ("    name_vi: Sở B\n", "    name_vi: S@@ B\n"))
    .encode("utf-8")
    .replace(b"@@", b"\xf4\xa0"),
    "nul-byte.yaml": edit(MINI, ("  number: 1/KH-UBND\n", "  number: 1/KH-UBND@@\n"))
    .encode("utf-8")
    .replace(b"@@", b"\x00"),
    "control-char.yaml": edit(MINI, ("    name_vi: Sở A\n", "    name_vi: Sở A\x07\n")).encode(
        "utf-8"
    ),
    "kg-latin1.yaml": KG.encode("utf-8", errors="strict").replace(
        "Nguyễn Thanh Nhàn".encode(), "Nguyen Thanh Nh\xe0n".encode("latin-1")
    ),
}

OVERRIDES: dict[str, str] = {
    "bomb.yaml": laughs(9, "d"),
    "python-tag.yaml": "working_days: !!python/object/apply:os.system [echo pwned]\n",
    "long-reason.yaml": "days_off:\n  - {date: 2022-01-03, reason: " + "r" * 4001 + "}\n",
}


def main() -> None:
    for old in HERE.glob("*.yaml"):
        old.unlink()
    overrides = HERE / "overrides"
    shutil.rmtree(overrides, ignore_errors=True)
    overrides.mkdir()
    for name, text in TEXT.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, data in BYTES.items():
        (HERE / name).write_bytes(data)
    for name, text in OVERRIDES.items():
        (overrides / name).write_text(text, encoding="utf-8")
    shutil.copy(KG_OVERRIDES, overrides / KG_OVERRIDES.name)
    print(f"{len(TEXT) + len(BYTES)} hostile workflow files, {len(OVERRIDES) + 1} overrides files")


if __name__ == "__main__":
    main()
