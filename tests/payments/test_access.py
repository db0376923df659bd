"""Office staff see their own office's money only; nobody else sees any."""

from __future__ import annotations

from tests.payments.conftest import Payments
from tests.payments.contracts import processed, signed


async def test_office_staff_of_another_office_see_nothing_of_it(payments: Payments):
    contract = signed(iban=None)
    paid = signed()
    for c in (contract, paid):
        await payments.publish(c)
        await payments.publish(processed(c, 0))
    await payments.until_compensations(2)
    batch = (await payments.pay()).json()
    (held,) = await payments.compensations(status="held")
    other = payments.staff("office-b")

    lists = [
        (await payments.client.get(path, headers=other)).json()["items"]
        for path in ("/compensations", "/holds", "/batches")
    ]
    singles = [
        (await payments.client.get(path, headers=other)).status_code
        for path in (
            f"/compensations/{held['compensation_id']}",
            f"/batches/{batch['batch_id']}",
            f"/batches/{batch['batch_id']}/file",
            f"/contracts/{contract.contract_id}/payee",
        )
    ]
    patch = await payments.client.patch(
        f"/contracts/{contract.contract_id}/payee",
        json={"iban": "FI2112345600000785"},
        headers=other,
    )
    their_batch = await payments.pay("office-b")

    assert lists == [[], [], []]
    assert singles == [404, 404, 404, 404]
    assert patch.status_code == 404
    assert their_batch.status_code == 409
    assert len(await payments.compensations()) == 2


async def test_tutors_and_callers_without_a_token_are_turned_away(payments: Payments):
    tutor = {"Authorization": f"Bearer {payments.keys.token(role='tutor')}"}

    as_tutor = await payments.client.get("/compensations", headers=tutor)
    anonymous = await payments.client.get("/batches")

    assert as_tutor.status_code == 403
    assert anonymous.status_code == 401


async def test_lists_come_in_pages(payments: Payments):
    contract = signed(end=signed().end_date.replace(year=2027))
    await payments.publish(contract)
    for index in range(5):
        await payments.publish(processed(contract, index))
    await payments.until_compensations(5)

    first = await payments.client.get(
        "/compensations", params={"limit": 3}, headers=payments.staff()
    )
    rest = await payments.client.get(
        "/compensations",
        params={"limit": 3, "offset": first.json()["next_offset"]},
        headers=payments.staff(),
    )
    too_many = await payments.client.get(
        "/compensations", params={"limit": 1000}, headers=payments.staff()
    )

    assert len(first.json()["items"]) == 3 and len(rest.json()["items"]) == 2
    assert rest.json()["next_offset"] is None
    assert too_many.status_code == 422
