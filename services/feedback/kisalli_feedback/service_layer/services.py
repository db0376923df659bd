"""The service's use cases: load, check who asks, decide, record.

Commands sent without If-Match are retried against the newest version when
another write got in first, so a loser is decided again on what won (and is
refused if that no longer allows it); with If-Match a stale version is told
to the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

import asyncpg

from kisalli_feedback.adapters.idempotency import (
    PRIMARY_KEY,
    IdempotencyKeys,
    IdempotentRequest,
)
from kisalli_feedback.adapters.personal_ids import PersonalIds
from kisalli_feedback.adapters.read_models import ReadModels
from kisalli_feedback.adapters.reference import parts_of
from kisalli_feedback.adapters.repository import Repository
from kisalli_feedback.domain import contract as contracts
from kisalli_feedback.domain import feedback as documents
from kisalli_feedback.domain.contract import Contract, SignContract
from kisalli_feedback.domain.documents import Content
from kisalli_feedback.domain.errors import (
    FeedbackExists,
    InvalidCommand,
    InvalidContract,
)
from kisalli_feedback.domain.feedback import Feedback, FeedbackState, ReturnedBy
from kisalli_feedback.domain.identifiers import InvalidIdentifier, personal_id
from kisalli_feedback.service_layer.access import (
    NotVisible,
    require_role,
    student_of,
    visible_contract,
)
from kisalli_shared.auth import Principal, require_office_staff
from kisalli_shared.contracts.common import Person, Role
from kisalli_shared.contracts.feedback import FeedbackKind
from kisalli_shared.events import Event
from kisalli_shared.eventstore import Causation, ConcurrencyError

T = TypeVar("T")
_ATTEMPTS = 3


class VersionMismatch(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"now at version {current}")
        self.current = current


class IdempotencyKeyReused(InvalidCommand):
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"


@dataclass
class FeedbackService:
    repository: Repository
    reads: ReadModels
    personal_ids: PersonalIds
    idempotency: IdempotencyKeys
    allow_temporary_personal_ids: bool = False

    # -- contracts ---------------------------------------------------------

    async def sign_contract(
        self,
        caller: Principal,
        command: SignContract,
        student_personal_id: str,
        causation: Causation,
        idempotent: IdempotentRequest | None = None,
    ) -> str:
        office_id = require_office_staff(caller)
        kept = await self._kept(idempotent)
        if kept is not None:
            return kept

        try:
            code = personal_id(
                student_personal_id, allow_temporary=self.allow_temporary_personal_ids
            )
        except InvalidIdentifier as exc:
            raise InvalidContract(
                "The student's personal identity code is not valid.",
                errors=[{"loc": ["student", "personal_id"], "msg": str(exc)}],
            ) from None
        qualification = command.qualification
        if not qualification.parts:
            qualification = qualification.model_copy(
                update={"parts": parts_of(qualification.code)}
            )
        command = replace(command, office_id=office_id, qualification=qualification)
        signed = contracts.sign(command)

        async def keep(conn: asyncpg.Connection) -> None:
            await self.personal_ids.keep(conn, command.contract_id, code)
            if idempotent is not None:
                await self.idempotency.keep(conn, idempotent, command.contract_id)

        return await self._create(
            contracts.stream_of(command.contract_id),
            [signed],
            causation,
            keep,
            command.contract_id,
            idempotent,
        )

    async def change_tutor(
        self,
        caller: Principal,
        contract_id: str,
        tutor: Person,
        effective_from: date,
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        require_office_staff(caller)
        await visible_contract(self.reads, caller, contract_id, today)

        async def decide(contract: Contract) -> Event:
            return contract.change_tutor(tutor, effective_from)

        return await self._on_contract(contract_id, decide, causation, if_match)

    async def end_early(
        self,
        caller: Principal,
        contract_id: str,
        end_date: date,
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        require_office_staff(caller)
        await visible_contract(self.reads, caller, contract_id, today)

        async def decide(contract: Contract) -> Event:
            return contract.end_early(end_date)

        return await self._on_contract(contract_id, decide, causation, if_match)

    async def _on_contract(
        self,
        contract_id: str,
        decide: Callable[[Contract], Awaitable[Event]],
        causation: Causation,
        if_match: int | None,
    ) -> int:
        version = 0
        for _ in range(_ATTEMPTS):
            contract = await self.repository.contract(contract_id)
            if contract is None:
                raise NotVisible(contract_id)
            version = contract.version
            _check_version(version, if_match)
            event = await decide(contract)
            try:
                await self.repository.record(
                    contracts.stream_of(contract_id), version, [event], causation
                )
                return version + 1
            except ConcurrencyError:
                if if_match is not None:
                    raise VersionMismatch(version + 1) from None
        raise VersionMismatch(version)

    # -- feedback documents --------------------------------------------------

    async def start_feedback(
        self,
        caller: Principal,
        contract_id: str,
        period_index: int | None,
        content: Content,
        causation: Causation,
        today: date,
        idempotent: IdempotentRequest | None = None,
    ) -> str:
        await visible_contract(self.reads, caller, contract_id, today)
        require_role(caller, Role.TUTOR)
        kept = await self._kept(idempotent)
        if kept is not None:
            return kept

        contract = await self.repository.contract(contract_id)
        if contract is None:
            raise NotVisible(contract_id)
        kind = FeedbackKind(content.model_dump()["kind"])
        period = documents.period_for(contract, kind, period_index)
        feedback_id = str(uuid.uuid4())
        started = documents.start_draft(
            feedback_id, contract, period, content, caller.account_id
        )

        async def keep(conn: asyncpg.Connection) -> None:
            if idempotent is not None:
                await self.idempotency.keep(conn, idempotent, feedback_id)

        return await self._create(
            documents.stream_of(feedback_id),
            [started],
            causation,
            keep,
            feedback_id,
            idempotent,
        )

    async def save_draft(
        self,
        caller: Principal,
        feedback_id: str,
        content: Content,
        causation: Causation,
        if_match: int,
        today: date,
    ) -> int:
        feedback, contract = await self._as(caller, Role.TUTOR, feedback_id, today)

        # A save against an old version would silently undo someone's work.
        _check_version(feedback.version, if_match)
        event = feedback.save_draft(contract, content, caller.account_id)
        return await self._write(feedback, event, causation, if_match)

    async def submit(
        self,
        caller: Principal,
        feedback_id: str,
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        async def decide(feedback: Feedback, contract: Contract) -> Event:
            student = await student_of(self.reads, contract.contract_id, today)
            return feedback.submit(contract, caller.account_id, student, today)

        return await self._transition(
            caller, Role.TUTOR, feedback_id, decide, causation, if_match, today
        )

    async def acknowledge(
        self,
        caller: Principal,
        feedback_id: str,
        shown_hash: str,
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        async def decide(feedback: Feedback, _contract: Contract) -> Event:
            return feedback.acknowledge(caller.account_id, shown_hash)

        return await self._transition(
            caller, Role.STUDENT, feedback_id, decide, causation, if_match, today
        )

    async def return_feedback(
        self,
        caller: Principal,
        feedback_id: str,
        reason: str,
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        by = ReturnedBy.OFFICE if caller.is_office_staff else ReturnedBy.STUDENT

        async def decide(feedback: Feedback, _contract: Contract) -> Event:
            return feedback.return_(by, caller.account_id, reason)

        role = Role.OFFICE_STAFF if caller.is_office_staff else Role.STUDENT
        return await self._transition(
            caller, role, feedback_id, decide, causation, if_match, today
        )

    async def process(
        self,
        caller: Principal,
        feedback_id: str,
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        async def decide(feedback: Feedback, _contract: Contract) -> Event:
            return feedback.process(caller.account_id)

        return await self._transition(
            caller, Role.OFFICE_STAFF, feedback_id, decide, causation, if_match, today
        )

    async def _transition(
        self,
        caller: Principal,
        role: Role,
        feedback_id: str,
        decide: Callable[[Feedback, Contract], Awaitable[Event]],
        causation: Causation,
        if_match: int | None,
        today: date,
    ) -> int:
        for _ in range(_ATTEMPTS):
            feedback, contract = await self._as(caller, role, feedback_id, today)
            _check_version(feedback.version, if_match)
            event = await decide(feedback, contract)
            try:
                return await self._write(feedback, event, causation, if_match)
            except ConcurrencyError:
                # Someone else wrote first: decide again on what they wrote.
                continue
        raise VersionMismatch(feedback.version)

    async def _write(
        self,
        feedback: Feedback,
        event: Event,
        causation: Causation,
        if_match: int | None,
    ) -> int:
        try:
            await self.repository.record(
                documents.stream_of(feedback.feedback_id),
                feedback.version,
                [event],
                causation,
            )
        except ConcurrencyError:
            if if_match is not None:
                raise VersionMismatch(feedback.version + 1) from None
            raise
        return feedback.version + 1

    async def _as(
        self, caller: Principal, role: Role, feedback_id: str, today: date
    ) -> tuple[Feedback, Contract]:
        """The document and its contract, when the caller sees them."""
        feedback = await self.repository.feedback(feedback_id)
        if feedback is None:
            raise NotVisible(feedback_id)
        await visible_contract(self.reads, caller, feedback.contract_id, today)
        if caller.role is Role.STUDENT and not _shown_to_student(feedback):
            raise NotVisible(feedback_id)
        require_role(caller, role)
        contract = await self.repository.contract(feedback.contract_id)
        if contract is None:
            raise NotVisible(feedback_id)
        return feedback, contract

    # -- creating once -------------------------------------------------------

    async def _kept(self, idempotent: IdempotentRequest | None) -> str | None:
        if idempotent is None:
            return None
        kept = await self.idempotency.find(self.repository.pool, idempotent)
        if kept is None:
            return None
        if kept.fingerprint != idempotent.fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for another request."
            )
        return kept.resource_id

    async def _create(
        self,
        stream_id: str,
        events: list[Event],
        causation: Causation,
        keep: Callable[[asyncpg.Connection], Awaitable[None]],
        resource_id: str,
        idempotent: IdempotentRequest | None,
    ) -> str:
        try:
            await self.repository.record(stream_id, 0, events, causation, keep)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == PRIMARY_KEY:
                # The same key raced us and won: answer with what it made.
                kept = await self._kept(idempotent)
                if kept is not None:
                    return kept
            if (exc.constraint_name or "").startswith("feedback_view_one"):
                raise FeedbackExists(
                    "This feedback exists already; edit the existing one."
                ) from None
            raise
        return resource_id


def _shown_to_student(feedback: Feedback) -> bool:
    # A tutor's first draft is theirs alone until submitted.
    return feedback.state is not FeedbackState.DRAFT or feedback.returned is not None


def _check_version(current: int, if_match: int | None) -> None:
    if if_match is not None and if_match != current:
        raise VersionMismatch(current)
