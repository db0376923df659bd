"""What office staff, tutors and apprentices do, as HTTP through the gateway.

Every name and address is new for each journey, so journeys can run again
and again against a system that keeps its data.
"""

from __future__ import annotations

import copy
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.e2e.clients import Mailbox, bearer, eventually, secret_token
from tests.e2e.system import System

HELSINKI = ZoneInfo("Europe/Helsinki")
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
PARTS = ["Liiketoimintaympäristössä toimiminen", "Asiakaspalvelu"]
DOMAIN = "e2e.kisalli.example"


def temporary_personal_id(birth: date) -> str:
    """A valid code that is no real person's (individual number 900-999)."""
    digits = f"{birth:%d%m%y}{secrets.randbelow(100) + 900:03d}"
    century = "-" if birth.year < 2000 else "A"
    return f"{digits[:6]}{century}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def new_password() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class Person:
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


@dataclass
class Contract:
    contract_id: str
    tutor_email: str
    student_email: str
    employer_email: str
    employer_iban: str


class Journey:
    def __init__(self, gateway: httpx.AsyncClient, mailbox: Mailbox) -> None:
        self.gateway = gateway
        self.mailbox = mailbox
        self.run = uuid.uuid4().hex[:10]
        self.office_id = f"toimisto-e2e-{self.run}"

    def address(self, who: str) -> str:
        return f"{who}-{self.run}@{DOMAIN}"

    def through(self, gateway: httpx.AsyncClient) -> Journey:
        """The same journey (names, office) through another client, such as
        one with a source address of its own."""
        other = copy.copy(self)
        other.gateway = gateway
        return other

    def create_first_office_staff(self, system: System) -> str:
        """The command an operator runs once per office; returns the address."""
        email = self.address("staff")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kisalli_accounts",
                "create-office-staff",
                f"--office-id={self.office_id}",
                f"--username=staff-{self.run}",
                f"--email={email}",
                "--name=Outi Toimisto",
            ],
            check=True,
            env=system.command_environment("accounts"),
            capture_output=True,
        )
        return email

    async def log_in(self, login: str, password: str) -> str:
        answer = await self.gateway.post(
            "/api/accounts/sessions", json={"login": login, "password": password}
        )
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["access_token"]
        return token

    async def activate(self, email: str) -> Person:
        """Set a first password from the activation email, then log in."""
        message = await self.mailbox.message_to(email, "/activate#token=")
        password = new_password()
        answer = await self.gateway.post(
            "/api/accounts/accounts/activate",
            json={"token": secret_token(message), "password": password},
        )
        assert answer.status_code == 200, answer.text
        return Person(email, password, await self.log_in(email, password))

    async def sign_contract(
        self,
        staff: Person,
        number: int = 0,
        start: date | None = None,
        end: date | None = None,
    ) -> Contract:
        """A contract of a new apprentice; the journey's tutor and employer
        are the same in each. By default it began 40 days ago and lasts two
        years."""
        today = datetime.now(HELSINKI).date()
        # Period 0 has begun, so its interim feedback can be submitted.
        start = start or today - timedelta(days=40)
        contract = Contract(
            contract_id="",
            tutor_email=self.address("tutor"),
            student_email=self.address(f"student{number}"),
            employer_email=self.address("employer"),
            employer_iban="FI2112345600000785",
        )
        body = {
            "student": {
                "name": "Aino Oppilas",
                "email": contract.student_email,
                "personal_id": temporary_personal_id(date(2001, 5, 17)),
            },
            "tutor": {"name": "Tuomas Ohjaaja", "email": contract.tutor_email},
            "employer": {
                "name": "Kahvila Kisälli Oy",
                "business_id": "0112038-9",
                "iban": contract.employer_iban,
                "bic": "NDEAFIHH",
                "contact_email": contract.employer_email,
            },
            "qualification": {
                "code": "331101",
                "name": "Liiketoiminnan perustutkinto",
                "kind": "vocational_upper_secondary",
                "parts": [{"name": name} for name in PARTS],
            },
            "start_date": start.isoformat(),
            "end_date": (end or start + timedelta(days=730)).isoformat(),
        }
        answer = await self.gateway.post(
            "/api/feedback/contracts",
            json=body,
            headers={**staff.headers, "Idempotency-Key": f"sign-{self.run}-{number}"},
        )
        assert answer.status_code == 201, answer.text
        contract.contract_id = answer.json()["contract_id"]
        return contract

    async def sees_contract(self, person: Person, contract_id: str) -> None:
        """Wait until the person's membership reached the feedback service."""

        async def seen() -> bool:
            answer = await self.gateway.get(
                f"/api/feedback/contracts/{contract_id}", headers=person.headers
            )
            return answer.status_code == 200

        await eventually(seen)

    async def submit_interim_feedback(self, tutor: Person, contract_id: str) -> str:
        content = {
            "kind": "interim",
            "ratings": [{"part": PARTS[0], "rating": 2}],
            "training_follows_plan": "yes",
            "masters": "Kassan ja asiakaspalvelun perusteet.",
            "practise_next": "Tilausten käsittely.",
            "student_self_assessment": "Opin nopeasti, tilaukset jännittävät.",
        }
        started = await self.gateway.post(
            f"/api/feedback/contracts/{contract_id}/feedback",
            json={"period_index": 0, "content": content},
            headers={**tutor.headers, "Idempotency-Key": f"feedback-{contract_id}"},
        )
        assert started.status_code == 201, started.text
        feedback_id: str = started.json()["feedback_id"]
        submitted = await self.gateway.post(
            f"/api/feedback/feedback/{feedback_id}/submit", headers=tutor.headers
        )
        assert submitted.status_code == 200, submitted.text
        return feedback_id

    async def acknowledge(self, student: Person, feedback_id: str) -> None:
        shown = await self.gateway.get(
            f"/api/feedback/feedback/{feedback_id}", headers=student.headers
        )
        assert shown.status_code == 200, shown.text
        answer = await self.gateway.post(
            f"/api/feedback/feedback/{feedback_id}/acknowledge",
            json={"content_hash": shown.json()["content_hash"]},
            headers=student.headers,
        )
        assert answer.status_code == 200, answer.text

    async def process(self, staff: Person, feedback_id: str) -> None:
        answer = await self.gateway.post(
            f"/api/feedback/feedback/{feedback_id}/process", headers=staff.headers
        )
        assert answer.status_code == 200, answer.text

    async def compensation(
        self,
        staff: Person,
        contract_id: str,
        timeout: float = 60.0,
        interval: float = 0.1,
    ) -> dict[str, Any]:
        """Poll payments until the period's compensation is calculated."""

        async def calculated() -> dict[str, Any] | None:
            answer = await self.gateway.get(
                "/api/payments/compensations",
                params={"contract_id": contract_id},
                headers=staff.headers,
            )
            assert answer.status_code == 200, answer.text
            items: list[dict[str, Any]] = answer.json()["items"]
            return items[0] if items else None

        return await eventually(calculated, timeout, interval)
