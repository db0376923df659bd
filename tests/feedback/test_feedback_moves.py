"""The life of a feedback: every move the state does not allow is refused."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest

from kisalli_feedback.domain.feedback import ReturnedBy, stream_of
from kisalli_shared.eventstore import Causation, ConcurrencyError
from tests.feedback import documents
from tests.feedback.conftest import Kisalli, Person

FEEDBACK_STATE = "https://kisalli.fi/problems/feedback-state"


class Scene:
    """One contract with its office, tutor and apprentice."""

    def __init__(self, kisalli: Kisalli, contract_id: str) -> None:
        self.kisalli = kisalli
        self.client = kisalli.client
        self.contract_id = contract_id
        self.office = kisalli.office()
        self.tutor = kisalli.tutor()
        self.student = kisalli.student()

    async def start(self, period_index: int = 0) -> str:
        response = await self.client.post(
            f"/contracts/{self.contract_id}/feedback",
            json={"period_index": period_index, "content": documents.interim()},
            headers=self.tutor.headers,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["feedback_id"])

    async def show(self, feedback_id: str, who: Person | None = None) -> Any:
        response = await self.client.get(
            f"/feedback/{feedback_id}", headers=(who or self.tutor).headers
        )
        return response.json()

    async def move(
        self, feedback_id: str, move: str, who: Person, **body: Any
    ) -> httpx.Response:
        if move == "draft":
            version = (await self.show(feedback_id))["version"]
            return await self.client.put(
                f"/feedback/{feedback_id}/draft",
                json={"content": documents.interim(3)},
                headers={**who.headers, "If-Match": f'"{version}"'},
            )
        if move == "acknowledge" and "content_hash" not in body:
            body["content_hash"] = (await self.show(feedback_id))["content_hash"]
        if move == "return" and "reason" not in body:
            body["reason"] = "Korjattavaa."
        return await self.client.post(
            f"/feedback/{feedback_id}/{move}", json=body or None, headers=who.headers
        )

    async def to(self, feedback_id: str, *moves: tuple[str, Person]) -> None:
        for move, who in moves:
            response = await self.move(feedback_id, move, who)
            assert response.status_code == 200, response.text


async def scene(kisalli: Kisalli) -> Scene:
    # Every period of the contract has started by then.
    kisalli.clock.today = date(2025, 12, 31)
    contract_id = await kisalli.sign_with_members(
        kisalli.office(), kisalli.tutor(), kisalli.student()
    )
    return Scene(kisalli, contract_id)


def assert_state_refused(response: httpx.Response, move: str, state: str) -> None:
    assert response.status_code == 409, (move, state, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == FEEDBACK_STATE, (move, state)
    assert response.json()["state"] == state


async def test_every_move_the_state_does_not_allow_is_refused(kisalli: Kisalli):
    s = await scene(kisalli)
    tutor, student, office = s.tutor, s.student, s.office

    draft = await s.start(0)
    for move, who in [("process", office), ("return", office)]:
        assert_state_refused(await s.move(draft, move, who), move, "draft")

    submitted = await s.start(1)
    await s.to(submitted, ("submit", tutor))
    for move, who in [("draft", tutor), ("submit", tutor), ("process", office)]:
        assert_state_refused(await s.move(submitted, move, who), move, "submitted")

    acknowledged = await s.start(2)
    await s.to(acknowledged, ("submit", tutor), ("acknowledge", student))
    for move, who in [
        ("draft", tutor),
        ("submit", tutor),
        ("acknowledge", student),
        ("return", student),
    ]:
        assert_state_refused(
            await s.move(acknowledged, move, who), move, "acknowledged"
        )

    await s.to(acknowledged, ("process", office))
    for move, who in [
        ("draft", tutor),
        ("submit", tutor),
        ("acknowledge", student),
        ("return", student),
        ("return", office),
        ("process", office),
    ]:
        assert_state_refused(await s.move(acknowledged, move, who), move, "processed")

    # A returned draft is the apprentice's to see, but not to acknowledge.
    await s.to(submitted, ("return", student))
    assert_state_refused(
        await s.move(submitted, "acknowledge", student), "ack", "draft"
    )


async def test_feedback_returned_for_correction_goes_round_again(kisalli: Kisalli):
    s = await scene(kisalli)
    feedback_id = await s.start()
    await s.to(feedback_id, ("submit", s.tutor), ("acknowledge", s.student))

    await s.to(feedback_id, ("return", s.office))
    returned = await s.show(feedback_id)
    await s.to(feedback_id, ("draft", s.tutor), ("submit", s.tutor))
    resubmitted = await s.show(feedback_id, s.student)
    queue_before = await s.client.get("/offices/me/queue", headers=s.office.headers)
    await s.to(feedback_id, ("acknowledge", s.student), ("process", s.office))

    assert (returned["state"], returned["returned_by"]) == ("draft", "office")
    assert returned["returned_reason"] == "Korjattavaa."
    # The changed content has another hash, so it needed a new acknowledgement.
    assert resubmitted["content_hash"] != returned["content_hash"]
    assert resubmitted["content"]["ratings"][0]["rating"] == 3
    assert queue_before.json()["items"] == []
    assert (await s.show(feedback_id))["state"] == "processed"


async def test_people_may_only_make_their_own_moves(kisalli: Kisalli):
    s = await scene(kisalli)
    feedback_id = await s.start()

    by_student = await s.move(feedback_id, "submit", s.student)
    await s.to(feedback_id, ("submit", s.tutor))
    by_tutor = await s.move(feedback_id, "acknowledge", s.tutor)
    processed_by_student = await s.move(feedback_id, "process", s.student)
    started_by_office = await s.client.post(
        f"/contracts/{s.contract_id}/feedback",
        json={"period_index": 1, "content": documents.interim()},
        headers=s.office.headers,
    )

    # The first draft is the tutor's alone: the apprentice does not see it.
    assert by_student.status_code == 404
    assert by_tutor.status_code == 403
    assert processed_by_student.status_code == 403
    assert started_by_office.status_code == 403


async def test_an_apprentice_acknowledges_only_what_they_were_shown(kisalli: Kisalli):
    s = await scene(kisalli)
    feedback_id = await s.start()
    await s.to(feedback_id, ("submit", s.tutor))
    shown = (await s.show(feedback_id, s.student))["content_hash"]

    stale = await s.move(feedback_id, "acknowledge", s.student, content_hash="0" * 64)
    right = await s.move(feedback_id, "acknowledge", s.student, content_hash=shown)

    assert stale.status_code == 409
    assert stale.json()["type"].endswith("/feedback-content-changed")
    assert right.status_code == 200
    events = await kisalli.app.runtime.store.read_stream(stream_of(feedback_id))
    assert events[-1].data["content_hash"] == shown


async def test_a_draft_saved_against_an_old_version_is_refused_not_lost(
    kisalli: Kisalli,
):
    s = await scene(kisalli)
    feedback_id = await s.start()
    url = f"/feedback/{feedback_id}/draft"
    headers = s.tutor.headers

    first = await s.client.put(
        url,
        json={"content": documents.interim(3)},
        headers={**headers, "If-Match": '"1"'},
    )
    second = await s.client.put(
        url,
        json={"content": documents.interim(1)},
        headers={**headers, "If-Match": '"1"'},
    )
    unconditional = await s.client.put(
        url, json={"content": documents.interim(1)}, headers=headers
    )

    assert first.status_code == 200
    assert first.headers["etag"] == '"2"'
    assert second.status_code == 412
    assert second.json()["current_version"] == 2
    assert unconditional.status_code == 428
    kept = await s.show(feedback_id)
    assert kept["content"]["ratings"][0]["rating"] == 3


async def test_an_incomplete_feedback_cannot_be_submitted(kisalli: Kisalli):
    s = await scene(kisalli)
    response = await s.client.post(
        f"/contracts/{s.contract_id}/feedback",
        json={"period_index": 0, "content": {"kind": "interim", "masters": "Kassa"}},
        headers=s.tutor.headers,
    )
    feedback_id = response.json()["feedback_id"]

    submitted = await s.move(feedback_id, "submit", s.tutor)

    assert response.status_code == 201
    assert submitted.status_code == 422
    assert submitted.json()["type"].endswith("/feedback-incomplete")
    assert "training_follows_plan" in submitted.json()["missing"]


async def test_a_period_has_one_interim_feedback(kisalli: Kisalli):
    s = await scene(kisalli)
    await s.start(0)

    again = await s.client.post(
        f"/contracts/{s.contract_id}/feedback",
        json={"period_index": 0, "content": documents.interim()},
        headers=s.tutor.headers,
    )

    assert again.status_code == 409
    assert again.json()["type"].endswith("/feedback-exists")


async def test_an_acknowledgement_and_a_return_racing_have_one_winner(
    kisalli: Kisalli,
):
    s = await scene(kisalli)
    outcomes = []
    for period in range(3):
        feedback_id = await s.start(period)
        await s.to(feedback_id, ("submit", s.tutor))
        shown = (await s.show(feedback_id, s.student))["content_hash"]

        acknowledged, returned = await asyncio.gather(
            s.move(feedback_id, "acknowledge", s.student, content_hash=shown),
            s.move(feedback_id, "return", s.student),
        )

        codes = sorted([acknowledged.status_code, returned.status_code])
        assert codes == [200, 409], (acknowledged.text, returned.text)
        loser = returned if returned.status_code == 409 else acknowledged
        assert loser.json()["type"] == FEEDBACK_STATE
        events = await kisalli.app.runtime.store.read_stream(stream_of(feedback_id))
        last = [e.type for e in events][2:]
        assert last in (["FeedbackAcknowledged"], ["FeedbackReturned"])
        outcomes.append(last[0])
    assert len(outcomes) == 3


async def test_two_writes_against_the_same_version_of_a_feedback_cannot_both_land(
    kisalli: Kisalli,
):
    s = await scene(kisalli)
    feedback_id = await s.start()
    await s.to(feedback_id, ("submit", s.tutor))
    repository = kisalli.app.service.repository
    feedback = await repository.feedback(feedback_id)
    assert feedback is not None
    acknowledged = feedback.acknowledge(s.student.account_id, feedback.content_hash())
    returned = feedback.return_(ReturnedBy.STUDENT, s.student.account_id, "Ei.")

    await repository.record(
        stream_of(feedback_id), feedback.version, [acknowledged], Causation.new()
    )
    with pytest.raises(ConcurrencyError):
        await repository.record(
            stream_of(feedback_id), feedback.version, [returned], Causation.new()
        )

    shown = await s.show(feedback_id)
    assert (shown["state"], shown["version"]) == ("acknowledged", 3)
