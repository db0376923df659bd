"""Held compensations: the reason shows, and payment follows once it is gone."""

from __future__ import annotations

from datetime import date
from typing import Any

from kisalli_shared.contracts.feedback import (
    ContractEndedEarly,
    FeedbackKind,
    QualificationKind,
)
from tests.payments.conftest import Payments, eventually
from tests.payments.contracts import processed, signed


async def holds(payments: Payments) -> list[dict[str, Any]]:
    response = await payments.client.get("/holds", headers=payments.staff())
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_period_without_an_iban_is_held_until_the_office_corrects_it(
    payments: Payments,
):
    contract = signed(iban=None, language="sv")
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    (held,) = await payments.until_compensations(1, status="held")
    nothing = await payments.pay()

    corrected = await payments.client.patch(
        f"/contracts/{contract.contract_id}/payee",
        json={"iban": "fi21 1234 5600 0007 85"},
        headers={**payments.staff(), "If-Match": '"0"'},
    )
    paid = await payments.pay()

    assert held["hold"]["reason_code"] == "iban-missing"
    assert "saknas" in held["hold"]["reason"]  # in the payee's language
    assert held["amount"] == "800.00"  # the working is there already
    assert nothing.status_code == 409
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["iban_masked"] == "FI21 **** **** 85"
    assert corrected.json()["released"] == 1
    assert paid.json()["lines"][0]["iban"] == "FI2112345600000785"
    assert await holds(payments) == []


async def test_a_bad_iban_correction_is_refused_and_a_stale_one_too(
    payments: Payments,
):
    contract = signed(iban="FI00 1234")
    await payments.publish(contract)
    path = f"/contracts/{contract.contract_id}/payee"
    await eventually(
        lambda: _seen(payments, path),
    )

    bad = await payments.client.patch(
        path, json={"iban": "FI22 1234 5600 0007 85"}, headers=payments.staff()
    )
    stale = await payments.client.patch(
        path,
        json={"iban": "FI2112345600000785"},
        headers={**payments.staff(), "If-Match": '"7"'},
    )

    assert bad.status_code == 422
    assert stale.status_code == 412


async def _seen(payments: Payments, path: str) -> bool:
    response = await payments.client.get(path, headers=payments.staff())
    return response.status_code == 200


async def test_a_rate_added_by_the_office_releases_periods_held_for_a_missing_rate(
    payments: Payments,
):
    headers = payments.staff()
    table = (await payments.client.get("/rates", headers=headers)).json()
    without_further = [
        r for r in table["rates"] if r["qualification_kind"] != "further_vocational"
    ]
    removed = await payments.client.put(
        "/rates",
        json={"rates": without_further},
        headers={**headers, "If-Match": '"1"'},
    )
    contract = signed(kind=QualificationKind.FURTHER_VOCATIONAL)
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    (held,) = await payments.until_compensations(1, status="held")

    rate = {
        "qualification_kind": "further_vocational",
        "from_month": 1,
        "monthly_amount": "120.00",
    }
    missing = await payments.client.put(
        "/rates", json={"rates": [*without_further, rate]}, headers=headers
    )
    stale = await payments.client.put(
        "/rates",
        json={"rates": [*without_further, rate]},
        headers={**headers, "If-Match": '"1"'},
    )
    added = await payments.client.put(
        "/rates",
        json={"rates": [*without_further, rate]},
        headers={**headers, "If-Match": '"2"'},
    )
    (released,) = await payments.compensations()

    assert removed.status_code == 200 and removed.headers["etag"] == '"2"'
    assert held["hold"]["reason_code"] == "rate-missing" and held["amount"] is None
    assert (missing.status_code, stale.status_code) == (428, 412)
    assert added.status_code == 200 and added.json()["version"] == 3
    assert released["status"] == "payable"
    assert released["amount"] == "480.00" and released["rate_table_version"] == 3


async def test_the_shipped_rates_apply_to_an_office_the_first_time_it_is_seen(
    payments: Payments,
):
    response = await payments.client.get("/rates", headers=payments.staff("new"))

    rates = {
        (r["qualification_kind"], r["from_month"]): r["monthly_amount"]
        for r in response.json()["rates"]
    }
    assert response.json()["version"] == 1
    assert rates[("vocational_upper_secondary", 1)] == "200.00"
    assert rates[("vocational_upper_secondary", 13)] == "150.00"
    assert rates[("vocational_upper_secondary", 25)] == "100.00"
    assert rates[("further_vocational", 1)] == "100.00"
    assert rates[("specialist_vocational", 1)] == "0.00"
    assert rates[("entrepreneur", 1)] == "50.00"


async def test_a_feedback_processed_before_its_contract_arrives_is_paid_when_it_does(
    payments: Payments,
):
    contract = signed(kind=QualificationKind.ENTREPRENEUR, payee_name="Mentori Oy")
    await payments.publish(processed(contract, 1))
    (waiting,) = await payments.until_compensations(1, status="held")

    await payments.publish(contract)
    (paid,) = await payments.until_compensations(1, status="payable")

    assert waiting["hold"]["reason_code"] == "contract-unknown"
    # May to August at the mentor's fee of 50 a month.
    assert paid["amount"] == "200.00" and paid["payee_name"] == "Mentori Oy"
    assert [m["month"] for m in paid["months"]] == [
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
    ]


async def test_only_interim_feedback_pays_and_a_period_after_an_early_end_never(
    payments: Payments,
):
    contract = signed()
    await payments.publish(contract)
    await payments.publish(
        ContractEndedEarly(
            contract_id=contract.contract_id,
            office_id=contract.office_id,
            end_date=date(2025, 6, 15),
        )
    )
    await payments.publish(processed(contract, 0, FeedbackKind.FINAL_ASSESSMENT))
    await payments.publish(processed(contract, 0, FeedbackKind.EMPLOYER_CERTIFICATE))
    await payments.publish(processed(contract, 1))
    last = await payments.publish(processed(contract, 2))
    await payments.until_handled(last)

    found = {c["period_index"]: c for c in await payments.compensations()}

    assert sorted(found) == [1, 2]
    assert found[1]["paid_to"] == "2025-06-15" and found[1]["status"] == "payable"
    assert found[2]["hold"]["reason_code"] == "contract-ended"
