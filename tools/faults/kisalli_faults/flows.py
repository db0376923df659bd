"""One contract's whole flow through the gateway, as the people would do it.

Office staff sign the contract; tutor and apprentice set their passwords
from their activation emails; the tutor submits an interim feedback, the
apprentice acknowledges it and the office processes it. Every write that
gets a success answer goes into the ledger with the event it must have
stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

from kisalli_demo import identifiers
from kisalli_demo.mail import MailCatcher
from kisalli_demo.waiting import wait_for
from kisalli_faults.calls import Answer, Calls, FlowError
from kisalli_faults.people import Person, activate, send_as

HELSINKI = ZoneInfo("Europe/Helsinki")
DOMAIN = "faults.kisalli.example"
PARTS = ("Asiakaspalvelu", "Myynti")
# How far along a document is; a conflict on a retried move is fine when
# the document got at least this far.
RANK = {"draft": 0, "submitted": 1, "acknowledged": 2, "processed": 3}


@dataclass(frozen=True)
class Office:
    run: str
    office_id: str
    staff: Person

    def key(self, item: str) -> str:
        return f"faults-{self.run}-{item}"

    def address(self, who: str) -> str:
        return f"{who}-{self.run}@{DOMAIN}"


@dataclass
class ContractFlow:
    office: Office
    number: int
    calls: Calls
    mail: MailCatcher
    fake: Faker
    timeout: float
    stopping: Callable[[], bool]

    def run(self) -> None:
        tutor = Person(self.fake.name(), self.office.address(f"tutor{self.number}"))
        student = Person(self.fake.name(), self.office.address(f"student{self.number}"))
        contract_id = self.sign(tutor, student)
        activate(self.calls, self.mail, tutor, self.timeout)
        activate(self.calls, self.mail, student, self.timeout)
        feedback_id = self.start_feedback(tutor, contract_id)
        self.move(tutor, feedback_id, "submit", "FeedbackSubmitted")
        self.acknowledge(student, feedback_id)
        self.move(self.office.staff, feedback_id, "process", "FeedbackProcessed")

    def sign(self, tutor: Person, student: Person) -> str:
        answer = send_as(
            self.calls,
            self.office.staff,
            "POST",
            "feedback",
            "/contracts",
            body=self._contract(tutor, student),
            key=self.office.key(f"sign-{self.number}"),
        )
        if answer.status not in (200, 201):
            raise FlowError(f"signing a contract answered {answer.said()}")
        contract_id: str = answer.json()["contract_id"]
        self.calls.ledger.record(
            "sign contract", "feedback", f"contract-{contract_id}", "ContractSigned"
        )
        return contract_id

    def _contract(self, tutor: Person, student: Person) -> dict[str, Any]:
        today = datetime.now(HELSINKI).date()
        # Period 0 has begun, so its interim feedback can be submitted.
        start = today - timedelta(days=40)
        iban, bic = identifiers.bank_account(self.fake)
        born = (date(1980, 1, 1), date(2005, 12, 31))
        return {
            "student": {
                **student.request_body(),
                "personal_id": identifiers.personal_id(self.fake, born),
            },
            "tutor": tutor.request_body(),
            "employer": {
                "name": self.fake.company(),
                "business_id": identifiers.business_id(self.fake),
                "iban": iban,
                "bic": bic,
                "contact_email": self.office.address(f"employer{self.number}"),
            },
            "qualification": {
                "code": "331101",
                "name": "Liiketoiminnan perustutkinto",
                "kind": "vocational_upper_secondary",
                "parts": [{"name": name} for name in PARTS],
            },
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=730)).isoformat(),
        }

    def start_feedback(self, tutor: Person, contract_id: str) -> str:
        self._wait_until_seen(tutor, f"/contracts/{contract_id}")
        content = {
            "kind": "interim",
            "ratings": [{"part": PARTS[0], "rating": 2}],
            "training_follows_plan": "yes",
            "masters": "Kassan ja asiakaspalvelun perusteet.",
            "practise_next": "Tilausten käsittely.",
            "student_self_assessment": "Opin nopeasti.",
        }
        answer = send_as(
            self.calls,
            tutor,
            "POST",
            "feedback",
            f"/contracts/{contract_id}/feedback",
            body={"period_index": 0, "content": content},
            key=self.office.key(f"feedback-{self.number}"),
        )
        if answer.status not in (200, 201):
            raise FlowError(f"starting a feedback answered {answer.said()}")
        feedback_id: str = answer.json()["feedback_id"]
        self.calls.ledger.record(
            "start feedback",
            "feedback",
            f"feedback-{feedback_id}",
            "FeedbackDraftSaved",
        )
        return feedback_id

    def acknowledge(self, student: Person, feedback_id: str) -> None:
        shown = self._wait_until_seen(student, f"/feedback/{feedback_id}")
        self.move(
            student,
            feedback_id,
            "acknowledge",
            "FeedbackAcknowledged",
            {"content_hash": shown["content_hash"]},
        )

    def move(
        self,
        who: Person,
        feedback_id: str,
        move: str,
        event_type: str,
        body: dict[str, Any] | None = None,
    ) -> None:
        path = f"/feedback/{feedback_id}"
        answer = send_as(
            self.calls, who, "POST", "feedback", f"{path}/{move}", body=body
        )
        if answer.status == 200:
            self.calls.ledger.record(
                f"{move} feedback", "feedback", f"feedback-{feedback_id}", event_type
            )
            return
        if not (answer.retried and answer.status in (409, 412)):
            raise FlowError(f"{move} answered {answer.said()}")
        # The first attempt may have done it before its answer was lost.
        state = self._document(who, path)["state"]
        reached = {"submit": 1, "acknowledge": 2, "process": 3}[move]
        if RANK.get(state, -1) < reached:
            raise FlowError(f"{move} answered {answer.said()} and did not happen")

    def _document(self, who: Person, path: str) -> dict[str, Any]:
        answer = self._get(who, path)
        if answer.status != 200:
            raise FlowError(f"reading a document answered {answer.said()}")
        document: dict[str, Any] = answer.json()
        return document

    def _get(self, who: Person, path: str) -> Answer:
        return send_as(self.calls, who, "GET", "feedback", path)

    def _wait_until_seen(self, who: Person, path: str) -> dict[str, Any]:
        """Wait until what another service learned reaches feedback."""

        def seen() -> dict[str, Any] | None:
            if self.stopping():
                raise FlowError("the run's deadline passed")
            answer = self._get(who, path)
            if answer.status in (403, 404):
                return None
            if answer.status != 200:
                raise FlowError(f"reading {path} answered {answer.said()}")
            shown: dict[str, Any] = answer.json()
            return shown

        return wait_for("a person's access", seen, self.timeout, interval=0.5)


def pay(office: Office, calls: Calls, number: int) -> str | None:
    """Ask for a payment batch; the batch id, or None when nothing was payable."""
    answer = send_as(
        calls,
        office.staff,
        "POST",
        "payments",
        "/batches",
        key=office.key(f"batch-{number}"),
    )
    if answer.status == 409:
        return None
    if answer.status not in (200, 201):
        raise FlowError(f"making a payment batch answered {answer.said()}")
    batch_id: str = answer.json()["batch_id"]
    calls.ledger.record(
        "make batch", "payments", f"batch-{batch_id}", "PaymentBatchCreated"
    )
    return batch_id
