"""Reporting periods and their Decree 09/2019/NĐ-CP data cut-offs."""

from __future__ import annotations

from datetime import date

import pytest

from planflow.domain.periods import Period, PeriodKind, periods_for


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2022-Q1", date(2021, 12, 15), date(2022, 3, 14)),
        ("2022-Q2", date(2022, 3, 15), date(2022, 6, 14)),
        ("2022-Q3", date(2022, 6, 15), date(2022, 9, 14)),
        ("2022-Q4", date(2022, 9, 15), date(2022, 12, 14)),
        ("2022-H1", date(2021, 12, 15), date(2022, 6, 14)),
        ("2022-9M", date(2021, 12, 15), date(2022, 9, 14)),
        ("2022-Y", date(2021, 12, 15), date(2022, 12, 14)),
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_decree_09_cutoffs(code: str, start: date, end: date) -> None:
    assert Period.parse(code).cutoff() == (start, end)


@pytest.mark.parametrize(
    ("code", "period"),
    [
        ("2022-Q1", Period(2022, PeriodKind.QUARTER, 1)),
        ("2023-Q4", Period(2023, PeriodKind.QUARTER, 4)),
        ("2022-H1", Period(2022, PeriodKind.HALF_YEAR)),
        ("2022-9M", Period(2022, PeriodKind.NINE_MONTHS)),
        ("2022-Y", Period(2022, PeriodKind.YEAR)),
        ("2022", Period(2022, PeriodKind.ONCE)),
    ],
)
def test_a_code_parses_to_its_period_and_back(code: str, period: Period) -> None:
    assert Period.parse(code) == period
    assert period.code == code
    assert str(period) == code


@pytest.mark.parametrize(
    "code", ["2022-Q0", "2022-Q5", "2022-H2", "22-Q1", "2022-q1", "2022-", "Q1-2022", "", "2022-6M"]
)
def test_invalid_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValueError, match="invalid period"):
        Period.parse(code)


def test_periods_of_a_kind_in_a_year() -> None:
    assert [p.code for p in periods_for(PeriodKind.QUARTER, 2022)] == [
        "2022-Q1",
        "2022-Q2",
        "2022-Q3",
        "2022-Q4",
    ]
    assert [p.code for p in periods_for(PeriodKind.HALF_YEAR, 2022)] == ["2022-H1"]
    assert [p.code for p in periods_for(PeriodKind.YEAR, 2022)] == ["2022-Y"]


def test_periods_have_vietnamese_labels() -> None:
    assert Period.parse("2022-Q3").label_vi == "Quý 3 năm 2022"
    assert Period.parse("2022-H1").label_vi == "6 tháng đầu năm 2022"
    assert Period.parse("2022-9M").label_vi == "9 tháng năm 2022"
    assert Period.parse("2022-Y").label_vi == "Năm 2022"
