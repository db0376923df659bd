"""Creating requests with an Idempotency-Key make one thing, however often sent."""

from __future__ import annotations

import asyncio
from datetime import date

from tests.feedback.conftest import Kisalli, contract_body


async def test_a_contract_sent_twice_with_one_key_is_signed_once(kisalli: Kisalli):
    office = kisalli.office()
    body = contract_body(date(2025, 1, 1), date(2025, 12, 31))
    headers = {**office.headers, "Idempotency-Key": "sign-aino-1"}

    first, second = await asyncio.gather(
        kisalli.client.post("/contracts", json=body, headers=headers),
        kisalli.client.post("/contracts", json=body, headers=headers),
    )
    again = await kisalli.client.post("/contracts", json=body, headers=headers)
    other = await kisalli.client.post(
        "/contracts", json={**body, "end_date": "2025-11-30"}, headers=headers
    )

    ids = {r.json()["contract_id"] for r in (first, second, again)}
    assert [r.status_code for r in (first, second, again)] == [201, 201, 201]
    assert len(ids) == 1
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    signed = await kisalli.app.runtime.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'ContractSigned'"
    )
    assert signed == 1
