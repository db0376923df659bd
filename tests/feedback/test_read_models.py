"""Read models: each person's lists, and rebuilding them from the store."""

from __future__ import annotations

from datetime import date

from kisalli_feedback.adapters.projections import PROJECTED_TABLES
from kisalli_shared.readmodels import snapshot
from tests.feedback import documents
from tests.feedback.conftest import Kisalli
from tests.replay.running import rebuild_as_analyst


async def start(kisalli: Kisalli, contract_id: str, tutor, period: int) -> str:
    response = await kisalli.client.post(
        f"/contracts/{contract_id}/feedback",
        json={"period_index": period, "content": documents.interim()},
        headers=tutor.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["feedback_id"])


async def post(kisalli: Kisalli, path: str, who, body=None) -> None:
    response = await kisalli.client.post(path, json=body, headers=who.headers)
    assert response.status_code == 200, response.text


async def test_each_person_sees_what_waits_for_them(kisalli: Kisalli):
    kisalli.clock.today = date(2025, 5, 10)
    office, tutor, student = kisalli.office(), kisalli.tutor(), kisalli.student()
    first = await kisalli.sign_with_members(office, tutor, student)
    second = await kisalli.sign_with_members(
        office, tutor, kisalli.student("second"), start=date(2025, 2, 1)
    )
    feedback_id = await start(kisalli, first, tutor, 0)
    await post(kisalli, f"/feedback/{feedback_id}/submit", tutor)

    apprentices = await kisalli.client.get(
        "/tutors/me/apprentices", headers=tutor.headers
    )
    page = await kisalli.client.get(
        "/tutors/me/apprentices?limit=1&offset=1", headers=tutor.headers
    )
    waiting = await kisalli.client.get(
        "/students/me/feedback?state=submitted", headers=student.headers
    )
    hash_ = waiting.json()["items"][0]["content_hash"]
    await post(
        kisalli,
        f"/feedback/{feedback_id}/acknowledge",
        student,
        {"content_hash": hash_},
    )
    queue = await kisalli.client.get("/offices/me/queue", headers=office.headers)
    waiting_after = await kisalli.client.get(
        "/students/me/feedback?state=submitted", headers=student.headers
    )

    by_contract = {a["contract_id"]: a for a in apprentices.json()["items"]}
    # The first contract's first period ended 30 April: its feedback is in.
    assert by_contract[first]["late"] == []
    # The second's first period ends 31 May, three weeks away: not yet due.
    assert by_contract[second]["due"] == by_contract[second]["late"] == []
    assert page.json()["items"][0]["contract_id"] == second
    assert page.json()["next_offset"] == 2
    assert [f["feedback_id"] for f in waiting.json()["items"]] == [feedback_id]
    assert waiting_after.json()["items"] == []
    assert [f["feedback_id"] for f in queue.json()["items"]] == [feedback_id]
    assert queue.json()["items"][0]["state"] == "acknowledged"


async def test_a_tutor_sees_what_is_due_and_what_is_late(kisalli: Kisalli):
    kisalli.clock.today = date(2025, 5, 2)
    office, tutor, student = kisalli.office(), kisalli.tutor(), kisalli.student()
    late = await kisalli.sign_with_members(office, tutor, student)
    due = await kisalli.sign_with_members(
        office, tutor, kisalli.student("s2"), start=date(2025, 1, 15)
    )

    response = await kisalli.client.get("/tutors/me/apprentices", headers=tutor.headers)

    by_contract = {a["contract_id"]: a for a in response.json()["items"]}
    assert [
        (i["kind"], i["period_index"], i["days_until_due"], i["status"])
        for i in by_contract[late]["late"]
    ] == [("interim", 0, -2, "late")]
    assert [
        (i["period_index"], i["due_date"], i["days_until_due"])
        for i in by_contract[due]["due"]
    ] == [(0, "2025-05-14", 12)]
    assert by_contract[late]["due"] == by_contract[due]["late"] == []


async def test_read_models_rebuilt_from_the_store_equal_the_live_ones(
    kisalli: Kisalli,
):
    kisalli.clock.today = date(2025, 12, 31)
    office, tutor, student = kisalli.office(), kisalli.tutor(), kisalli.student()
    contract_id = await kisalli.sign_with_members(office, tutor, student)
    processed = await start(kisalli, contract_id, tutor, 0)
    returned = await start(kisalli, contract_id, tutor, 1)
    await start(kisalli, contract_id, tutor, 2)
    for feedback_id in (processed, returned):
        await post(kisalli, f"/feedback/{feedback_id}/submit", tutor)
        shown = await kisalli.client.get(
            f"/feedback/{feedback_id}", headers=student.headers
        )
        await post(
            kisalli,
            f"/feedback/{feedback_id}/acknowledge",
            student,
            {"content_hash": shown.json()["content_hash"]},
        )
    await post(kisalli, f"/feedback/{processed}/process", office)
    await post(kisalli, f"/feedback/{returned}/return", office, {"reason": "Korjaa."})
    await post(
        kisalli,
        f"/contracts/{contract_id}/early-end",
        office,
        {"end_date": "2025-10-15"},
    )
    pool = kisalli.app.runtime.pool
    async with pool.acquire() as conn:
        live = await snapshot(conn, PROJECTED_TABLES)

    differences = await kisalli.app.read_model_differences()
    replayed = await kisalli.app.rebuild_read_models()
    async with pool.acquire() as conn:
        rebuilt = await snapshot(conn, PROJECTED_TABLES)

    assert differences == {}
    # Signed, three drafts, two went round, one early end.
    assert replayed == 1 + 3 + 3 + 3 + 1
    assert rebuilt == live
    assert sum(len(rows) for rows in live.values()) == 1 + 5 + 3


async def test_a_read_model_that_drifted_is_found_and_mended_by_a_rebuild(
    kisalli: Kisalli,
):
    office = kisalli.office()
    contract = await kisalli.sign(office)
    pool = kisalli.app.runtime.pool
    await pool.execute(
        "UPDATE contract_view SET tutor_name = 'Joku Muu' WHERE contract_id = $1",
        contract["contract_id"],
    )

    found = await kisalli.app.read_model_differences()
    await kisalli.app.rebuild_read_models()

    assert list(found) == ["contract_view"]
    assert "Joku Muu" in found["contract_view"]["only_live"][0]
    assert "Tuomas Ohjaaja" in found["contract_view"]["only_replayed"][0]
    assert await kisalli.app.read_model_differences() == {}


async def test_the_analysts_rebuild_shows_a_drift_then_mends_it(
    kisalli: Kisalli, database: str
):
    office = kisalli.office()
    contract = await kisalli.sign(office)
    pool = kisalli.app.runtime.pool
    tutor_name = "SELECT tutor_name FROM contract_view WHERE contract_id = $1"
    await pool.execute(
        "UPDATE contract_view SET tutor_name = 'Joku Muu' WHERE contract_id = $1",
        contract["contract_id"],
    )

    shown, told = await rebuild_as_analyst("feedback", database, "--dry-run")
    after_dry_run = await pool.fetchval(tutor_name, contract["contract_id"])
    _, mended = await rebuild_as_analyst("feedback", database)
    after_rebuild = await pool.fetchval(tutor_name, contract["contract_id"])
    again, told_again = await rebuild_as_analyst("feedback", database, "--dry-run")

    only_live, only_replayed = shown.splitlines()
    assert only_live.startswith("contract_view: only live: ")
    assert "Joku Muu" in only_live
    assert only_replayed.startswith("contract_view: only replayed: ")
    assert "Tuomas Ohjaaja" in only_replayed
    assert "feedback: 1 events replayed; 2 read-model rows would change" in told
    assert after_dry_run == "Joku Muu"
    assert "2 read-model rows changed" in mended
    assert after_rebuild == "Tuomas Ohjaaja"
    assert again == ""
    assert "0 read-model rows would change" in told_again
