"""Vietnamese first, English on request, through Babel message catalogues.

Message ids are English; ``locale/vi/LC_MESSAGES/messages.po`` translates them. The compiled ``.mo``
is committed beside it (and shipped as package data); ``python -m planflow.web.i18n`` recompiles
it after editing the ``.po``. A test checks the two agree and that every message has a translation.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "messages"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES or lang == "en":
        return gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], DOMAIN)


def pick(lang: str, vi: str, en: str) -> str:
    """A message that exists in both languages already (the domain's errors)."""
    return en if lang == "en" else vi


def compile_catalogue(lang: str) -> bytes:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    out = BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main() -> None:
    for lang in LANGUAGES:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            po.with_suffix(".mo").write_bytes(compile_catalogue(lang))
            print(f"compiled {po.with_suffix('.mo')}")


if __name__ == "__main__":
    main()
