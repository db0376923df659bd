"""The feedback schedule that follows from a contract's dates."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kisalli_feedback.domain.calendar import add_months, days_between, helsinki_date
from kisalli_feedback.domain.schedule import (
    ItemStatus,
    Period,
    due_items,
    item_status,
    periods,
)
from kisalli_shared.contracts.feedback import FeedbackKind

LONGEST_FOUR_MONTHS = 31 + 31 + 30 + 31


def test_a_year_long_contract_has_three_periods_of_four_months():
    found = periods(date(2025, 1, 1), date(2025, 12, 31))

    assert found == [
        Period(0, date(2025, 1, 1), date(2025, 4, 30)),
        Period(1, date(2025, 5, 1), date(2025, 8, 31)),
        Period(2, date(2025, 9, 1), date(2025, 12, 31)),
    ]


def test_a_contract_starting_on_the_31st_starts_periods_on_month_ends():
    found = periods(date(2025, 1, 31), date(2026, 1, 30))

    assert [p.start for p in found] == [
        date(2025, 1, 31),
        date(2025, 5, 31),
        date(2025, 9, 30),
    ]
    assert found[0].end == date(2025, 5, 30)
    assert found[1].end == date(2025, 9, 29)


def test_a_period_starting_on_29_february_does_not_shift_later_periods():
    # 31 October + 4 months is 29 February in a leap year; the next period
    # still starts on the 30th of June, counted from the contract's start.
    found = periods(date(2023, 10, 31), date(2024, 12, 31))

    assert [p.start for p in found] == [
        date(2023, 10, 31),
        date(2024, 2, 29),
        date(2024, 6, 30),
        date(2024, 10, 31),
    ]
    assert found[1].end == date(2024, 6, 29)


def test_a_contract_starting_on_29_february_continues_on_the_29th_or_the_last_day():
    found = periods(date(2024, 2, 29), date(2025, 6, 30))

    assert [p.start for p in found] == [
        date(2024, 2, 29),
        date(2024, 6, 29),
        date(2024, 10, 29),
        date(2025, 2, 28),
        date(2025, 6, 29),
    ]
    assert found[3].end == date(2025, 6, 28)
    assert found[-1] == Period(4, date(2025, 6, 29), date(2025, 6, 30))


def test_the_last_period_ends_with_the_contract_even_when_short():
    found = periods(date(2025, 3, 15), date(2025, 7, 20))

    assert found == [
        Period(0, date(2025, 3, 15), date(2025, 7, 14)),
        Period(1, date(2025, 7, 15), date(2025, 7, 20)),
    ]


def test_a_one_day_contract_has_one_period_of_one_day():
    assert periods(date(2025, 6, 1), date(2025, 6, 1)) == [
        Period(0, date(2025, 6, 1), date(2025, 6, 1))
    ]


def test_the_final_assessment_and_certificate_are_due_at_the_contracts_end():
    items = due_items(date(2025, 1, 1), date(2025, 12, 31))

    kinds = [(i.kind, i.period.index, i.due_date) for i in items]
    assert kinds[-2:] == [
        (FeedbackKind.FINAL_ASSESSMENT, 2, date(2025, 12, 31)),
        (FeedbackKind.EMPLOYER_CERTIFICATE, 2, date(2025, 12, 31)),
    ]
    assert [d for _, _, d in kinds[:3]] == [
        date(2025, 4, 30),
        date(2025, 8, 31),
        date(2025, 12, 31),
    ]


def test_a_period_crossing_summer_time_changes_counts_whole_days():
    # Summer time begins 30 March and ends 26 October 2025 in Finland.
    period = periods(date(2025, 3, 1), date(2025, 10, 31))[1]

    assert period == Period(1, date(2025, 7, 1), date(2025, 10, 31))
    assert period.days == 123
    assert days_between(date(2025, 3, 29), date(2025, 3, 31)) == 2


def test_today_is_the_date_in_helsinki_around_summer_time_changes():
    # 22:30 UTC is 00:30 next day in Helsinki both in winter (UTC+2) and in
    # summer (UTC+3); 21:30 UTC is the next day in summer only.
    assert helsinki_date(datetime(2025, 3, 29, 22, 30, tzinfo=UTC)) == date(2025, 3, 30)
    assert helsinki_date(datetime(2025, 3, 30, 21, 30, tzinfo=UTC)) == date(2025, 3, 31)
    assert helsinki_date(datetime(2025, 10, 25, 21, 30, tzinfo=UTC)) == date(
        2025, 10, 26
    )
    assert helsinki_date(datetime(2025, 10, 26, 21, 30, tzinfo=UTC)) == date(
        2025, 10, 26
    )


def test_a_feedback_is_due_two_weeks_before_and_late_the_day_after_its_due_date():
    due = date(2025, 4, 30)

    assert item_status(due, None, date(2025, 4, 15)) is ItemStatus.UPCOMING
    assert item_status(due, None, date(2025, 4, 16)) is ItemStatus.DUE
    assert item_status(due, "draft", date(2025, 4, 30)) is ItemStatus.DUE
    assert item_status(due, "draft", date(2025, 5, 1)) is ItemStatus.LATE
    assert item_status(due, "submitted", date(2025, 5, 1)) is ItemStatus.SUBMITTED
    assert item_status(due, "processed", date(2025, 5, 1)) is ItemStatus.PROCESSED


def test_adding_months_clamps_to_the_end_of_shorter_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


contract_dates = st.tuples(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=6 * 366),
)


@given(contract_dates)
def test_periods_are_contiguous_and_cover_the_contract_exactly(dates):
    start, length = dates
    end = start + timedelta(days=length)

    found = periods(start, end)

    assert found[0].start == start
    assert found[-1].end == end
    for before, after in itertools.pairwise(found):
        assert after.start == before.end + timedelta(days=1)
    assert [p.index for p in found] == list(range(len(found)))
    assert sum(p.days for p in found) == length + 1


@given(contract_dates)
def test_no_period_is_longer_than_four_months(dates):
    start, length = dates
    end = start + timedelta(days=length)

    for period in periods(start, end):
        assert 1 <= period.days <= LONGEST_FOUR_MONTHS
        assert period.end < add_months(start, 4 * (period.index + 1))
        assert period.start == add_months(start, 4 * period.index)
