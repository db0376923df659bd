"""How much a period earns: month shares, rates by contract month, rounding."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kisalli_payments.domain.compensation import (
    ContractTerms,
    Period,
    assess,
    working,
)
from kisalli_payments.domain.holds import HoldReason
from kisalli_payments.domain.rates import RateTable, default_rates
from kisalli_shared.contracts.feedback import AgreedAmount
from kisalli_shared.contracts.payments import Rate
from tests.payments.contracts import add_months, periods
from tests.payments.direct_amounts import whole_contract

KIND = "vocational_upper_secondary"
DEFAULTS = RateTable("office-a", 1, default_rates())


def terms(
    start: date,
    end: date,
    *,
    kind: str = KIND,
    agreed: tuple[AgreedAmount, ...] = (),
    iban: str | None = "FI2112345600000785",
) -> ContractTerms:
    return ContractTerms(
        contract_id="c",
        office_id="office-a",
        qualification_kind=kind,
        start=start,
        end=end,
        agreed_amounts=agreed,
        payee_name="Kahvila Oy",
        iban=iban,
    )


def amount(
    contract: ContractTerms, first: date, last: date, table: RateTable
) -> Decimal:
    return working(contract, table, first, last).amount


def test_a_first_period_ending_on_month_ends_after_31_january_pays_four_months():
    contract = terms(date(2025, 1, 31), date(2026, 1, 30))
    first, last = periods(contract.start, contract.end)[0]

    found = working(contract, DEFAULTS, first, last)

    # 31 Jan, all of February to April, and 1-30 May: 1/31 + 3 + 30/31 months.
    assert (first, last) == (date(2025, 1, 31), date(2025, 5, 30))
    assert found.amount == Decimal("800.00")
    assert [m.days_in_period for m in found.months] == [1, 28, 31, 30, 30]


def test_29_february_counts_as_one_day_of_a_29_day_month():
    contract = terms(date(2024, 2, 29), date(2025, 2, 27))

    found = working(contract, DEFAULTS, date(2024, 2, 29), date(2024, 2, 29))

    assert found.months[0].days_in_month == 29
    assert found.amount == Decimal("6.90")  # 200 / 29 = 6.896...


def test_a_contract_starting_on_29_february_steps_down_on_28_february_next_year():
    contract = terms(date(2024, 2, 29), date(2026, 2, 27))
    year_two = periods(contract.start, contract.end)[3]

    found = working(contract, DEFAULTS, *year_two)

    assert year_two[0] == date(2025, 2, 28)
    # February 2025 began in month 12 (200), March in month 13 (150).
    assert [m.contract_month for m in found.months][:2] == [12, 13]
    assert [m.monthly_rate for m in found.months][:2] == [Decimal(200), Decimal(150)]


def test_a_period_of_one_day_pays_that_days_share_of_the_month():
    contract = terms(date(2025, 3, 1), date(2025, 12, 31))

    assert amount(contract, date(2025, 3, 15), date(2025, 3, 15), DEFAULTS) == (
        Decimal("6.45")
    )


def test_a_contract_shorter_than_one_period_is_paid_for_its_own_days():
    contract = terms(date(2025, 1, 10), date(2025, 2, 20))
    (only,) = periods(contract.start, contract.end)

    # 22/31 of January and 20/28 of February at 200 a month: 284.7926...
    assert only == (date(2025, 1, 10), date(2025, 2, 20))
    assert amount(contract, *only, DEFAULTS) == Decimal("284.79")


def test_half_a_cent_rounds_up_once_per_period():
    contract = terms(
        date(2025, 4, 1),
        date(2025, 12, 31),
        agreed=(AgreedAmount(from_month=1, monthly_amount=Decimal("10.01")),),
    )

    # 15/30 of 10.01 is 5.005 exactly.
    assert amount(contract, date(2025, 4, 1), date(2025, 4, 15), DEFAULTS) == (
        Decimal("5.01")
    )


def test_a_contracts_agreed_amounts_win_over_the_office_table_from_their_month():
    contract = terms(
        date(2025, 1, 1),
        date(2026, 12, 31),
        agreed=(AgreedAmount(from_month=5, monthly_amount=Decimal("300")),),
    )

    found = working(contract, DEFAULTS, date(2025, 1, 1), date(2025, 8, 31))

    assert [m.monthly_rate for m in found.months] == [Decimal(200)] * 4 + [
        Decimal(300)
    ] * 4


def test_rates_step_down_in_the_second_and_third_year():
    contract = terms(date(2025, 1, 1), date(2027, 12, 31))

    rates = [
        working(contract, DEFAULTS, first, last).months[0].monthly_rate
        for first, last in periods(contract.start, contract.end)
    ]

    assert rates == [Decimal(200)] * 3 + [Decimal(150)] * 3 + [Decimal(100)] * 3


def test_a_dated_rate_replaces_the_old_one_from_its_first_day():
    newer = Rate(
        qualification_kind=KIND,
        from_month=1,
        monthly_amount=Decimal("250"),
        valid_from=date(2025, 3, 1),
    )
    table = RateTable("office-a", 2, (*default_rates(), newer))
    contract = terms(date(2025, 1, 1), date(2025, 12, 31))

    found = working(contract, table, date(2025, 1, 1), date(2025, 4, 30))

    assert [m.monthly_rate for m in found.months] == [200, 200, 250, 250]


def test_a_period_without_a_rate_is_held_for_the_missing_rate():
    empty = RateTable("office-a", 1, ())
    contract = terms(date(2025, 1, 1), date(2025, 12, 31))

    found = assess(contract, Period(0, date(2025, 1, 1), date(2025, 4, 30)), empty)

    assert (found.working, found.hold) == (None, HoldReason.RATE_MISSING)


def test_a_period_starting_after_an_early_end_is_held_and_one_it_shortens_is_cut():
    contract = terms(date(2025, 1, 1), date(2025, 5, 15))

    after = assess(contract, Period(2, date(2025, 9, 1), date(2025, 12, 31)), DEFAULTS)
    cut = assess(contract, Period(1, date(2025, 5, 1), date(2025, 8, 31)), DEFAULTS)

    assert after.hold is HoldReason.CONTRACT_ENDED
    assert cut.paid_days == (date(2025, 5, 1), date(2025, 5, 15))


def test_nothing_to_pay_needs_no_bank_account():
    contract = terms(
        date(2025, 1, 1), date(2025, 12, 31), kind="specialist_vocational", iban=None
    )

    found = assess(contract, Period(0, date(2025, 1, 1), date(2025, 4, 30)), DEFAULTS)

    assert found.working is not None and found.working.amount == 0
    assert found.hold is None


KINDS = ["vocational_upper_secondary", "further_vocational", "entrepreneur"]
amounts = st.decimals(min_value=0, max_value=400, places=2)
days = st.dates(date(2020, 1, 1), date(2030, 12, 31))


@st.composite
def steps_down(
    draw: st.DrawFn,
    kind: str,
    first: int = 1,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> list[Rate]:
    """Rates from contract month `first` on, lower at every step."""
    bounds = [first, *sorted(draw(st.sets(st.integers(first + 1, 60), max_size=4)))]
    monthly = sorted(draw(st.lists(amounts, min_size=len(bounds))), reverse=True)
    return [
        Rate(
            qualification_kind=kind,
            from_month=month,
            to_month=bounds[n + 1] - 1 if n + 1 < len(bounds) else None,
            monthly_amount=monthly[n],
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for n, month in enumerate(bounds)
    ]


@st.composite
def rate_tables(draw: st.DrawFn) -> RateTable:
    """An undated table covering every month, and dated ones valid for a while.

    A dated table may start at a later contract month (earlier months keep
    the undated rates) and may end (the undated rates come back). Dated
    tables of one kind start on different days, so one always wins.
    """
    rates = []
    for kind in KINDS:
        rates += draw(steps_down(kind))
        for valid_from in draw(st.sets(days, max_size=2)):
            lasts = draw(st.none() | st.integers(0, 1000))
            rates += draw(
                steps_down(
                    kind,
                    first=draw(st.integers(1, 30)),
                    valid_from=valid_from,
                    valid_to=None if lasts is None else valid_from + timedelta(lasts),
                )
            )
    return RateTable("office-a", 1, tuple(rates))


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


leap_days = st.sampled_from([date(y, 2, 29) for y in (2020, 2024, 2028)])
starts = days | days.map(month_end) | leap_days


@st.composite
def contracts(draw: st.DrawFn) -> ContractTerms:
    """Contracts of any length, some ending on a period's first day."""
    start = draw(starts)
    # Shorter than one period, any length, or a last period of one day
    # (or two, or a period ending on the contract's last day).
    end = draw(
        st.integers(0, 120).map(lambda n: start + timedelta(n))
        | st.integers(0, 1500).map(lambda n: start + timedelta(n))
        | st.builds(
            lambda k, n: add_months(start, 4 * k) + timedelta(n),
            st.integers(1, 12),
            st.integers(-1, 1),
        )
    )
    agreed = tuple(
        AgreedAmount(from_month=m, monthly_amount=draw(amounts))
        for m in draw(st.sets(st.integers(1, 40), max_size=3))
    )
    return terms(start, end, kind=draw(st.sampled_from(KINDS)), agreed=agreed)


@settings(max_examples=300, deadline=None)
@given(contract=contracts(), table=rate_tables())
def test_periods_add_up_to_the_whole_contract_within_a_cent_per_period(
    contract: ContractTerms, table: RateTable
):
    schedule = periods(contract.start, contract.end)

    found = [
        assess(contract, Period(k, first, last), table)
        for k, (first, last) in enumerate(schedule)
    ]
    whole = whole_contract(
        start=contract.start,
        end=contract.end,
        kind=contract.qualification_kind,
        agreed=contract.agreed_amounts,
        rates=table.rates,
    )

    paid = [f.working.amount for f in found if f.working is not None]
    assert len(paid) == len(schedule)
    assert all(a >= 0 for a in paid)
    assert abs(Fraction(sum(paid)) - whole) <= Fraction(1, 100) * len(schedule)


def test_a_negative_agreed_amount_holds_the_period_instead_of_taking_money_back():
    contract = terms(
        date(2025, 1, 1),
        date(2025, 12, 31),
        agreed=(AgreedAmount(from_month=1, monthly_amount=Decimal("-5")),),
    )

    found = assess(contract, Period(0, date(2025, 1, 1), date(2025, 4, 30)), DEFAULTS)

    assert found.hold is HoldReason.RATE_MISSING
