"""The Jinja2 environment for mails and letters (templates under planflow/templates/)."""

from __future__ import annotations

from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def vndate(day: date) -> str:
    """16/03/2022: the date as Vietnamese documents write it."""
    return day.strftime("%d/%m/%Y")


def lower_first(text: str) -> str:
    """ "Kế hoạch thông tin …" → "kế hoạch thông tin …", for use inside a sentence."""
    return text[:1].lower() + text[1:]


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("planflow", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["vndate"] = vndate
    env.filters["lower_first"] = lower_first
    env.globals["national_title"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    env.globals["motto"] = "Độc lập - Tự do - Hạnh phúc"
    return env
