"""Filters and references typed on the command line, checked against what exists: an unknown plan,
agency, period, duty or task reference is an error that names the valid choices (exit 2), never an
empty table that looks like an answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from planflow.domain.errors import InvalidArgument

if TYPE_CHECKING:  # the queries (SQLAlchemy) are imported when a check runs
    from sqlalchemy import Engine

PREFIX_MIN = 6
_HEX = set("0123456789abcdef-")


def _refuse(what_vi: str, what_en: str, value: str, choices: list[str]) -> InvalidArgument:
    listed = ", ".join(choices) if choices else "(không có / none)"
    return InvalidArgument(
        f"{what_vi} không hợp lệ {value!r}; chọn một trong: {listed}",
        f"unknown {what_en} {value!r}; choose one of: {listed}",
    )


def check_plan(engine: Engine, plan: str | None) -> None:
    if plan is None:
        return
    from planflow.application.queries import plan_codes

    check_plan_in(plan_codes(engine), plan)


def check_plan_in(codes: list[str], plan: str | None) -> None:
    """``plan`` (if given) is one of ``codes``."""
    if plan is not None and plan not in codes:
        raise _refuse("Kế hoạch", "plan", plan, codes)


def check_agency(engine: Engine, agency: str | None, plan: str | None = None) -> None:
    if agency is None:
        return
    from planflow.application.queries import agencies

    codes = [a.code for a in agencies(engine, plan)]
    if agency not in codes:
        raise _refuse("Mã cơ quan", "agency", agency, codes)


def check_duty(engine: Engine, duty: str | None, plan: str | None = None) -> None:
    if duty is None:
        return
    from planflow.application.queries import duty_titles

    ids: list[str] = []
    for code, titles in duty_titles(engine).items():
        if plan is None or code == plan:
            ids += [d for d in titles if d not in ids]
    if duty not in ids:
        raise _refuse("Nhiệm vụ (mục)", "duty", duty, ids)


def check_period(engine: Engine, now: datetime, period: str | None, plan: str | None) -> None:
    """The periods that tasks of the plan (or of every plan) carry."""
    if period is None:
        return
    from planflow.application.queries.status_table import board_periods

    periods = board_periods(engine, plan)
    if period not in periods:
        raise _refuse("Kỳ", "period", period, periods)


def task_ref(engine: Engine, ref: str) -> UUID:
    """A full task id or a prefix of at least six characters of one; a shorter or malformed one
    is bad input that says what is expected."""
    text = ref.strip().lower()
    try:
        return UUID(text)
    except ValueError:
        pass
    if len(text) < PREFIX_MIN or not set(text) <= _HEX:
        raise InvalidArgument(
            f"Mã nhiệm vụ {ref!r} không hợp lệ: gõ mã đầy đủ hoặc ít nhất {PREFIX_MIN} ký tự "
            "đầu của mã (0-9, a-f), như cột Mã của planflow status",
            f"task id {ref!r} is not valid: type the full id or at least its first "
            f"{PREFIX_MIN} characters (0-9, a-f), as in planflow status's Id column",
        )
    from planflow.application.queries import resolve_task

    return resolve_task(engine, text)
