"""Find the agencies a passage names: named agencies from the register, and group phrases.

Both sides are folded to bare ASCII (fold.py). Group phrases ('các sở, ban, ngành', 'UBND các huyện,
thành phố') are found first with loose regexes; named agencies then by rapidfuzz on token windows,
longest name first, requiring the first and last words to match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from planflow.ingest.fold import STOPWORDS, Token, loose, name_words, strip_marks, tokens
from planflow.ingest.register import Register

DEPT = ("department", "board")
DISTRICT = ("district",)
COMMUNE = ("commune",)
PRESS = ("press",)

# (phrase, kinds, confidence): the longest phrases are tried first.
GROUP_PHRASES: list[tuple[str, tuple[str, ...], str]] = [
    ("cac so ban nganh dia phuong", DEPT + DISTRICT + COMMUNE, "high"),
    ("cac so nganh dia phuong", DEPT + DISTRICT + COMMUNE, "high"),
    ("so nganh dia phuong", DEPT + DISTRICT + COMMUNE, "high"),
    ("cac so ban nganh thuoc uy ban nhan dan tinh", DEPT, "high"),
    ("cac so ban nganh tinh", DEPT, "high"),
    ("cac so ban nganh", DEPT, "high"),
    ("so ban nganh", DEPT, "high"),
    ("cac so nganh", DEPT, "high"),
    ("thu truong cac ban nganh", DEPT, "high"),
    ("giam doc cac so", DEPT, "high"),
    ("uy ban nhan dan cac huyen thi xa thanh pho", DISTRICT, "high"),
    ("uy ban nhan dan cac huyen thanh pho", DISTRICT, "high"),
    ("uy ban nhan dan cap huyen", DISTRICT, "high"),
    ("uy ban nhan dan cac huyen", DISTRICT, "high"),
    ("uy ban nhan dan cac xa phuong dac khu", COMMUNE, "high"),
    ("uy ban nhan dan cac xa phuong", COMMUNE, "high"),
    ("uy ban nhan dan cap xa", COMMUNE, "high"),
    ("cac co quan bao chi", PRESS, "high"),
    ("co quan bao dai", PRESS, "medium"),
    ("cac co quan don vi", DEPT + DISTRICT + COMMUNE, "medium"),
]
_GROUP_RES = [(re.compile(loose(p)), p, kinds, conf) for p, kinds, conf in GROUP_PHRASES]


@dataclass(frozen=True)
class Mention:
    first: int  # token index
    last: int  # token index, inclusive
    start: int  # char offset in the passage
    end: int
    code: str | None  # a named agency
    kinds: tuple[str, ...]  # a group: every agency of these kinds
    phrase: str
    score: float
    text: str = ""  # the words as the plan wrote them

    @property
    def confidence(self) -> str:
        return "high" if self.score >= 93 else "medium" if self.score >= 86 else "low"


class Matcher:
    def __init__(self, register: Register) -> None:
        self.register = register
        province = strip_marks(register.province).lower()
        entries: list[tuple[tuple[str, ...], str]] = []
        for agency in register.agencies:
            names = [agency.name_vi, *agency.aliases]
            for name in list(names):
                if province and strip_marks(name).lower().endswith(" " + province):
                    names.append(name[: -len(province) - 1].strip())
            for name in names:
                words = name_words(name)
                if len(words) >= 2 and (words, agency.code) not in entries:
                    entries.append((words, agency.code))
        entries.sort(key=lambda e: -len(e[0]))
        self.entries = entries

    def mentions(self, passage: str) -> list[Mention]:
        toks = [t for t in tokens(passage) if t.word not in STOPWORDS]
        words = [t.word for t in toks]
        taken = [False] * len(toks)
        found: list[Mention] = []
        joined, starts = _joined(words)
        for pattern, phrase, kinds, conf in _GROUP_RES:
            for m in pattern.finditer(joined):
                first, last = _span(starts, m.start(), m.end())
                if any(taken[first : last + 1]):
                    continue
                score = 95.0 if conf == "high" else 88.0
                found.append(_mention(passage, toks, first, last, None, kinds, phrase, score))
                taken[first : last + 1] = [True] * (last - first + 1)
        candidates: list[tuple[int, float, int, int, str, str]] = []
        for name, code in self.entries:
            n = len(name)
            target = " ".join(name)
            for size in {max(1, n - 1), n, n + 1}:
                for i in range(0, len(words) - size + 1):
                    window = words[i : i + size]
                    if fuzz.ratio(window[0], name[0]) < 60 or fuzz.ratio(window[-1], name[-1]) < 60:
                        continue
                    score = fuzz.ratio(" ".join(window), target)
                    if score >= (85 if n >= 3 else 92):
                        candidates.append((n, score, i, i + size - 1, code, target))
        candidates.sort(key=lambda c: (-c[0], -c[1]))
        for _, score, first, last, code, target in candidates:
            if any(taken[first : last + 1]):
                continue
            taken[first : last + 1] = [True] * (last - first + 1)
            found.append(_mention(passage, toks, first, last, code, (), target, score))
        return sorted(found, key=lambda m: m.first)


def _joined(words: list[str]) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    return " ".join(words), starts


def _span(starts: list[int], start: int, end: int) -> tuple[int, int]:
    first = max(i for i, s in enumerate(starts) if s <= start)
    last = max(i for i, s in enumerate(starts) if s < end)
    return first, last


def _mention(
    passage: str,
    toks: list[Token],
    first: int,
    last: int,
    code: str | None,
    kinds: tuple[str, ...],
    phrase: str,
    score: float,
) -> Mention:
    start, end = toks[first].start, toks[last].end
    return Mention(first, last, start, end, code, kinds, phrase, score, passage[start:end])
