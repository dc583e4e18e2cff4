"""Fold Vietnamese text, clean or OCR'd without diacritics, to bare ASCII words that can be matched.

Folding drops the marks (đ → d), lower-cases, repairs what an English OCR model does to Vietnamese
(``&`` for e, ``¢`` for c, ``Đ`` read as ``P`` before a vowel, digits inside words) and expands the
usual abbreviations (UBND, VP, PTTH). ``loose`` builds regexes that fix a phrase's consonants and let
its vowels vary, which is what survives an English OCR model best.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CHAR_FIXES = str.maketrans(
    {"&": "e", "¢": "c", "§": "o", "€": "e", "£": "e", "©": "c", "®": "r", "ﬁ": "fi", "ﬂ": "fl"}
)
_DIGIT_IN_WORD = str.maketrans({"0": "o", "1": "l", "4": "a", "5": "s", "6": "o", "8": "o"})
_WORD = re.compile(r"[A-Za-z0-9&¢§€£©®ﬁﬂÀ-ɏḀ-ỿ]+(?:['’][A-Za-zÀ-ɏḀ-ỿ]+)*")
_P_VOWEL = re.compile(r"^[Pp](?=[aeiouy])")
_CAPITAL_I = re.compile(r"^I(?=[a-z]{2})")
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "vp": ("van", "phong"),
    "ptth": ("phat", "thanh", "truyen", "hinh"),
    "pt": ("phat", "thanh"),
    "th": ("truyen", "hinh"),
    "kg": ("kien", "giang"),
    "ag": ("an", "giang"),
    "tthc": ("thu", "tuc", "hanh", "chinh"),
    "cchc": ("cai", "cach", "hanh", "chinh"),
}
STOPWORDS = frozenset({"va"})


def strip_marks(text: str) -> str:
    """Vietnamese without diacritics: 'Đài Phát thanh' → 'Dai Phat thanh'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_word(word: str) -> str:
    """One word to bare lower-case ASCII with the OCR confusions repaired."""
    plain = strip_marks(word.translate(_CHAR_FIXES)).replace("'", "").replace("’", "")
    if any(c.isalpha() for c in plain) and any(c.isdigit() for c in plain):
        plain = plain.translate(_DIGIT_IN_WORD)
    plain = _CAPITAL_I.sub("l", plain)
    plain = _P_VOWEL.sub("d", plain)
    plain = plain.lower()
    return "".join(c for c in plain if c.isascii() and c.isalnum())


@dataclass(frozen=True)
class Token:
    word: str  # folded
    start: int  # offset in the original text
    end: int


def tokens(text: str, *, expand: bool = True) -> list[Token]:
    """The folded words of ``text`` with their offsets; abbreviations expand in place."""
    out: list[Token] = []
    for match in _WORD.finditer(text):
        word = fold_word(match.group())
        if not word:
            continue
        parts = ABBREVIATIONS.get(word) if expand and match.group().isupper() else None
        if parts is None and expand and word in ("ubnd", "ptth", "tthc", "hdnd", "cchc"):
            parts = ABBREVIATIONS[word]
        for part in parts or (word,):
            out.append(Token(part, match.start(), match.end()))
    return out


def fold(text: str) -> str:
    """The folded words of ``text`` joined by single spaces."""
    return " ".join(t.word for t in tokens(text))


def name_words(name: str) -> tuple[str, ...]:
    """A name's folded words without stop words, as the matcher compares them."""
    return tuple(t.word for t in tokens(name) if t.word not in STOPWORDS)


_VOWELS = re.compile(r"[aeiouy]+")


def loose(phrase: str) -> str:
    """A regex source for a folded phrase whose consonants are fixed and whose vowels may vary.

    'bao cao' → r'\\bb\\w{1,3}\\s+c\\w{1,3}\\b'. Words are separated by one space in folded text.
    """
    words = []
    for word in phrase.split():
        if word.isdigit():
            words.append(word)
            continue
        head, rest = (word[0], word[1:]) if word[0] in "aeiouy" else ("", word)
        words.append(head + _VOWELS.sub(r"\\w{0,3}", rest))
    return r"\b" + r"\s+".join(words) + r"\b"


def loose_re(*phrases: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{loose(p)})" for p in phrases))
