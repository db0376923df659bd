"""The analysts' rebuild of payments' read models, beside the live service."""

from __future__ import annotations

from tests.payments.conftest import Payments
from tests.payments.contracts import processed, signed
from tests.replay.running import rebuild_as_analyst


async def test_a_compensation_that_drifted_is_shown_by_a_dry_run_and_mended(
    payments: Payments, database: str
):
    contract = signed()
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    await payments.until_compensations(1)
    pool = payments.app.runtime.pool
    amount = "SELECT amount::text FROM compensations"
    right = await pool.fetchval(amount)
    await pool.execute("UPDATE compensations SET amount = amount + 1000")

    shown, told = await rebuild_as_analyst("payments", database, "--dry-run")
    after_dry_run = await pool.fetchval(amount)
    _, mended = await rebuild_as_analyst("payments", database)
    again, _ = await rebuild_as_analyst("payments", database, "--dry-run")

    only_live, only_replayed = shown.splitlines()
    assert only_live.startswith("compensations: only live: ")
    assert only_replayed.startswith("compensations: only replayed: ")
    assert "2 read-model rows would change" in told
    assert after_dry_run != right
    assert "2 read-model rows changed" in mended
    assert await pool.fetchval(amount) == right
    assert again == ""
