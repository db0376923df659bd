"""Taking each contract to where its story has got to.

Every step looks first at what exists, so a second run finds each contract
and document where the first one left it and does nothing more. Creating
requests carry Idempotency-Keys derived from the seed and the item; moves of
a document are made only when its state is short of the plan's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kisalli_demo.accounts import Sessions
from kisalli_demo.client import Api, DemoError
from kisalli_demo.office import ContractPlan, DemoOffice, FeedbackPlan, Target
from kisalli_demo.people import Person
from kisalli_demo.waiting import wait_for

_RANK = {"draft": 0, "submitted": 1, "acknowledged": 2, "processed": 3}
_NEXT = {"draft": "submit", "submitted": "acknowledge", "acknowledged": "process"}


def next_move(state: str, returned_by: str | None, target: Target) -> str | None:
    """The move that takes a document one step toward its target, if any."""
    if target is Target.RETURNED:
        if state == "draft" and returned_by is not None:
            return None
        return {"draft": "submit", "submitted": "return"}.get(state, "unreachable")
    if _RANK[state] >= _RANK[target.value]:
        return None
    return _NEXT[state]


@dataclass
class Storyteller:
    api: Api
    sessions: Sessions
    office: DemoOffice
    staff: Person
    timeout: float
    say: Callable[[str], None]

    def sign(self, plan: ContractPlan) -> str:
        """Sign the contract once: the same key gives back the same contract."""
        response = self.api.request(
            "POST",
            "feedback",
            "/contracts",
            token=self.sessions.token(self.staff),
            body=plan.sign_request(),
            key=self.office.key(plan.key),
        )
        if response.status_code == 422 and "personal_id" in response.text:
            raise DemoError(
                "the feedback service refuses the demo's temporary personal"
                " identity codes; start it with ALLOW_TEMPORARY_PERSONAL_IDS=true"
            )
        if response.status_code not in (200, 201):
            raise DemoError(
                f"signing {plan.key} answered {response.status_code}:"
                f" {response.text[:300]}"
            )
        contract_id: str = response.json()["contract_id"]
        return contract_id

    def tell(self, plan: ContractPlan, contract_id: str) -> None:
        for feedback in plan.feedback:
            if not feedback.by_new_tutor:
                self._take(plan, contract_id, feedback, plan.tutor)
        if plan.tutor_change is not None:
            self._change_tutor(plan, contract_id)
            for feedback in plan.feedback:
                if feedback.by_new_tutor:
                    self._take(plan, contract_id, feedback, plan.tutor_change.tutor)
        if plan.early_end is not None:
            self._end_early(plan, contract_id)

    # -- the contract --------------------------------------------------------

    def _contract(self, contract_id: str) -> dict[str, Any]:
        detail: dict[str, Any] = self.api.call(
            "GET",
            "feedback",
            f"/contracts/{contract_id}",
            token=self.sessions.token(self.staff),
        )
        return detail

    def _change_tutor(self, plan: ContractPlan, contract_id: str) -> None:
        change = plan.tutor_change
        assert change is not None
        tutors = self._contract(contract_id)["tutors"]
        if any(t["tutor"]["email"] == change.tutor.email for t in tutors):
            return
        self.api.call(
            "POST",
            "feedback",
            f"/contracts/{contract_id}/tutor-changes",
            token=self.sessions.token(self.staff),
            body={
                "tutor": {
                    "name": change.tutor.name,
                    "email": change.tutor.email,
                    "language": change.tutor.language,
                },
                "effective_from": change.effective_from.isoformat(),
            },
        )
        self.say(f"  {plan.key}: tutor changed to {change.tutor.name}")

    def _end_early(self, plan: ContractPlan, contract_id: str) -> None:
        assert plan.early_end is not None
        if self._contract(contract_id)["ended_early"]:
            return
        self.api.call(
            "POST",
            "feedback",
            f"/contracts/{contract_id}/early-end",
            token=self.sessions.token(self.staff),
            body={"end_date": plan.early_end.isoformat()},
        )
        self.say(f"  {plan.key}: ended early on {plan.early_end}")

    # -- feedback documents --------------------------------------------------

    def _take(
        self,
        plan: ContractPlan,
        contract_id: str,
        feedback: FeedbackPlan,
        tutor: Person,
    ) -> None:
        document = self._existing(contract_id, feedback) or self._start(
            plan, contract_id, feedback, tutor
        )
        while True:
            move = next_move(
                document["state"], document["returned_by"], feedback.target
            )
            if move is None:
                return
            document = self._move(plan, document, move, feedback, tutor)
            self.say(f"  {feedback.key}: {document['state']} ({move})")

    def _existing(
        self, contract_id: str, feedback: FeedbackPlan
    ) -> dict[str, Any] | None:
        # An earlier tutor no longer sees the contract, so office staff look.
        for document in self.api.pages(
            "feedback",
            f"/contracts/{contract_id}/feedback",
            self.sessions.token(self.staff),
        ):
            if (
                document["kind"] == "interim"
                and document["period_index"] == feedback.period_index
            ):
                return document
        return None

    def _start(
        self,
        plan: ContractPlan,
        contract_id: str,
        feedback: FeedbackPlan,
        tutor: Person,
    ) -> dict[str, Any]:
        token = self.sessions.token(tutor)
        self._wait_until_seen(
            f"{tutor.name} to see {plan.key} as its tutor"
            " (ContractMemberAssigned reaching feedback)",
            f"/contracts/{contract_id}",
            token,
        )
        document: dict[str, Any] = self.api.call(
            "POST",
            "feedback",
            f"/contracts/{contract_id}/feedback",
            token=token,
            body={"period_index": feedback.period_index, "content": feedback.content},
            key=self.office.key(feedback.key),
        )
        self.say(f"  {feedback.key}: draft")
        return document

    def _move(
        self,
        plan: ContractPlan,
        document: dict[str, Any],
        move: str,
        feedback: FeedbackPlan,
        tutor: Person,
    ) -> dict[str, Any]:
        path = f"/feedback/{document['feedback_id']}"
        student = plan.apprentice.person
        if move == "submit":
            return self._post(f"{path}/submit", self.sessions.token(tutor))
        if move == "process":
            return self._post(f"{path}/process", self.sessions.token(self.staff))
        if move in ("acknowledge", "return"):
            token = self.sessions.token(student)
            shown = self._wait_until_seen(
                f"{student.name} to see {feedback.key}", path, token
            )
            if move == "return":
                return self._post(
                    f"{path}/return", token, {"reason": feedback.return_reason}
                )
            return self._post(
                f"{path}/acknowledge", token, {"content_hash": shown["content_hash"]}
            )
        raise DemoError(
            f"{feedback.key} is {document['state']} and cannot become"
            f" {feedback.target.value}; load the demo into an empty system"
        )

    def _post(
        self, path: str, token: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        document: dict[str, Any] = self.api.call(
            "POST", "feedback", path, token=token, body=body
        )
        return document

    def _wait_until_seen(self, what: str, path: str, token: str) -> dict[str, Any]:
        def seen() -> dict[str, Any] | None:
            response = self.api.request("GET", "feedback", path, token=token)
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise DemoError(f"GET feedback{path} answered {response.status_code}")
            shown: dict[str, Any] = response.json()
            return shown

        return wait_for(what, seen, self.timeout)
