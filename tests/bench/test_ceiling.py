"""The load benchmark's ceiling and its contracts, at a tiny size."""

from __future__ import annotations

from datetime import date, timedelta

from bench.ceiling import measure_ceiling, running_ceiling
from bench.load import FEEDBACKS_PER_CONTRACT
from bench.load_office import long_contract, started_periods
from kisalli_feedback.domain.calendar import add_months
from kisalli_feedback.domain.contract import LONGEST_CONTRACT_YEARS


async def test_the_ceiling_stores_a_row_for_every_request_it_answers(
    database: str,
) -> None:
    async with running_ceiling(database, pool_size=2) as ceiling:
        direct = await measure_ceiling(ceiling.direct, 2, 20, 30)
        through_nginx = await measure_ceiling(ceiling.through_nginx, 2, 20, 30)
        stored = await ceiling.stored_rows()

    assert (direct.done, direct.errors) == (20, {})
    assert (through_nginx.done, through_nginx.errors) == (20, {})
    assert stored == 40


def test_a_benchmark_contract_takes_every_feedback_on_any_day() -> None:
    day = date(2027, 1, 1)
    while day < date(2031, 1, 1):
        start, end = long_contract(day)

        assert end < add_months(start, 12 * LONGEST_CONTRACT_YEARS)
        assert end >= day
        assert len(started_periods(start, end, day)) == FEEDBACKS_PER_CONTRACT
        day += timedelta(days=1)
