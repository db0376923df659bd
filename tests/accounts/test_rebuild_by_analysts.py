"""The analysts' rebuild of accounts' read models, beside the live service."""

from __future__ import annotations

from tests.accounts.people import GOOD_PASSWORD, People
from tests.replay.running import rebuild_as_analyst


async def test_a_lost_claim_on_a_name_is_shown_by_a_dry_run_and_restored(
    people: People,
):
    await people.register("aino.virtanen", "aino.virtanen@example.fi")
    dsn = people.service.settings.dsn
    pool = people.service.runtime.pool
    claims = "SELECT count(*) FROM claimed_names"
    # The read model that keeps a second person from taking the name.
    await pool.execute("DELETE FROM claimed_names WHERE kind = 'username'")

    shown, told = await rebuild_as_analyst("accounts", dsn, "--dry-run")
    after_dry_run = await pool.fetchval(claims)
    _, mended = await rebuild_as_analyst("accounts", dsn)
    again, _ = await rebuild_as_analyst("accounts", dsn, "--dry-run")

    assert shown.startswith("claimed_names: only replayed: ")
    assert "aino.virtanen" in shown
    assert "1 read-model rows would change" in told
    assert after_dry_run == 1
    assert "1 read-model rows changed" in mended
    assert await pool.fetchval(claims) == 2
    assert again == ""


async def test_failed_and_locked_logins_are_no_drift_and_a_mistyped_name_is_not_kept(
    people: People,
):
    aino = await people.activated()
    typed_password = "name:salainen-sana-vahingossa"
    for _ in range(5):
        await people.log_in(aino.username, "väärä salasana aivan varmasti")
        await people.log_in(typed_password, "jotain")
    dsn = people.service.settings.dsn
    pool = people.service.runtime.pool

    shown, told = await rebuild_as_analyst("accounts", dsn, "--dry-run")
    await rebuild_as_analyst("accounts", dsn)
    still_locked = await people.log_in(aino.username, GOOD_PASSWORD)
    keys = [r["key"] for r in await pool.fetch("SELECT key FROM login_failures")]

    assert shown == ""
    assert "0 read-model rows would change" in told
    assert still_locked.status_code == 429
    assert len(keys) == 2
    assert not any("salainen" in key for key in keys)
