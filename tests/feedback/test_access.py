"""Who sees what: across offices, tutors and apprentices, and after a tutor change."""

from __future__ import annotations

from datetime import date

from kisalli_shared.contracts.common import Role
from tests.feedback import documents
from tests.feedback.conftest import Kisalli, eventually


async def submitted_feedback(kisalli: Kisalli, contract_id: str, tutor) -> str:
    response = await kisalli.client.post(
        f"/contracts/{contract_id}/feedback",
        json={"period_index": 0, "content": documents.interim()},
        headers=tutor.headers,
    )
    feedback_id = str(response.json()["feedback_id"])
    submitted = await kisalli.client.post(
        f"/feedback/{feedback_id}/submit", headers=tutor.headers
    )
    assert submitted.status_code == 200, submitted.text
    return feedback_id


async def test_nobody_sees_another_office_tutor_or_apprentice_s_things(
    kisalli: Kisalli,
):
    kisalli.clock.today = date(2025, 4, 30)
    office, tutor, student = kisalli.office(), kisalli.tutor(), kisalli.student()
    contract_id = await kisalli.sign_with_members(office, tutor, student)
    feedback_id = await submitted_feedback(kisalli, contract_id, tutor)
    other_office = kisalli.office("office-b")
    other_tutor, other_student = kisalli.tutor("tutor 2"), kisalli.student("student 2")
    await kisalli.sign_with_members(other_office, other_tutor, other_student)
    hash_ = (
        await kisalli.client.get(f"/feedback/{feedback_id}", headers=student.headers)
    ).json()["content_hash"]

    reads = [
        f"/contracts/{contract_id}",
        f"/contracts/{contract_id}/schedule",
        f"/contracts/{contract_id}/feedback",
        f"/feedback/{feedback_id}",
    ]
    for outsider in (other_office, other_tutor, other_student):
        for path in reads:
            response = await kisalli.client.get(path, headers=outsider.headers)
            assert response.status_code == 404, (path, response.text)
            assert response.json()["type"].endswith("/not-found")
    writes = [
        (other_student, "acknowledge", {"content_hash": hash_}),
        (other_student, "return", {"reason": "Ei minun."}),
        (other_office, "return", {"reason": "Ei meidän."}),
        (other_office, "process", None),
        (other_tutor, "submit", None),
    ]
    for outsider, move, body in writes:
        response = await kisalli.client.post(
            f"/feedback/{feedback_id}/{move}", json=body, headers=outsider.headers
        )
        assert response.status_code == 404, (move, response.text)
    changed = await kisalli.client.post(
        f"/contracts/{contract_id}/early-end",
        json={"end_date": "2025-06-30"},
        headers=other_office.headers,
    )
    assert changed.status_code == 404

    lists = [
        (other_office, "/contracts"),
        (other_tutor, "/tutors/me/apprentices"),
        (other_student, "/students/me/feedback"),
    ]
    for outsider, path in lists:
        items = (await kisalli.client.get(path, headers=outsider.headers)).json()
        assert contract_id not in str(items), path
    queue = await kisalli.client.get("/offices/me/queue", headers=other_office.headers)
    assert queue.json()["items"] == []


async def test_after_a_tutor_change_the_new_tutor_sees_the_history_and_the_old_not(
    kisalli: Kisalli,
):
    kisalli.clock.today = date(2025, 4, 30)
    office, old, student = kisalli.office(), kisalli.tutor("old"), kisalli.student()
    new = kisalli.tutor("new")
    contract_id = await kisalli.sign_with_members(office, old, student)
    earlier = await submitted_feedback(kisalli, contract_id, old)

    kisalli.clock.today = date(2025, 5, 15)
    changed = await kisalli.client.post(
        f"/contracts/{contract_id}/tutor-changes",
        json={
            "tutor": {"name": "Uusi Ohjaaja", "email": "uusi@example.fi"},
            "effective_from": "2025-05-15",
        },
        headers=office.headers,
    )
    await kisalli.assign(contract_id, Role.TUTOR, new, date(2025, 5, 15))
    await kisalli.until_seen(f"/contracts/{contract_id}", new)

    assert changed.status_code == 200
    assert changed.json()["tutor"]["name"] == "Uusi Ohjaaja"
    for path in (f"/contracts/{contract_id}", f"/feedback/{earlier}"):
        response = await kisalli.client.get(path, headers=old.headers)
        assert response.status_code == 404, path
    history = await kisalli.client.get(
        f"/contracts/{contract_id}/feedback", headers=new.headers
    )
    assert [f["feedback_id"] for f in history.json()["items"]] == [earlier]
    shown = await kisalli.client.get(f"/feedback/{earlier}", headers=new.headers)
    assert shown.status_code == 200
    apprentices = await kisalli.client.get(
        "/tutors/me/apprentices", headers=new.headers
    )
    assert [a["contract_id"] for a in apprentices.json()["items"]] == [contract_id]
    gone = await kisalli.client.get("/tutors/me/apprentices", headers=old.headers)
    assert gone.json()["items"] == []


async def test_a_tutor_change_from_a_later_date_keeps_the_old_tutor_until_then(
    kisalli: Kisalli,
):
    kisalli.clock.today = date(2025, 3, 1)
    office, old, student = kisalli.office(), kisalli.tutor("old"), kisalli.student()
    new = kisalli.tutor("new")
    contract_id = await kisalli.sign_with_members(office, old, student)
    await kisalli.assign(contract_id, Role.TUTOR, new, date(2025, 6, 1))

    async def new_tutor_known() -> bool:
        count = await kisalli.app.runtime.pool.fetchval(
            "SELECT count(*) FROM contract_members WHERE account_id = $1",
            new.account_id,
        )
        return bool(count)

    await eventually(new_tutor_known)
    path = f"/contracts/{contract_id}"
    before = [
        (await kisalli.client.get(path, headers=who.headers)).status_code
        for who in (old, new)
    ]
    kisalli.clock.today = date(2025, 6, 1)
    after = [
        (await kisalli.client.get(path, headers=who.headers)).status_code
        for who in (old, new)
    ]

    assert before == [200, 404]
    assert after == [404, 200]
