"""Payment batches: claim what is payable, record it, then write the file.

1. One transaction claims the office's payable compensations that are in no
   batch (the unique constraint on batch_lines.compensation_id backs this),
   records the batch with every line the file needs (PaymentBatchCreated),
   marks each compensation paid (CompensationPaid) and keeps the request's
   Idempotency-Key. Batches of one office are made one at a time.
2. Only then is the file produced, from the record alone: a crash before or
   after it was written, and any rerun, gives the same bytes under the same
   name and message id, never a second batch with the same lines.
3. Once the file is written where the bank fetches it, BankFileWritten.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import asyncpg
import structlog

from kisalli_payments.adapters import batches, compensations, sepa
from kisalli_payments.adapters.debtors import DebtorAccounts
from kisalli_payments.adapters.idempotency import IdempotentRequest, keep, lock_and_find
from kisalli_payments.domain.batch import Payable, new_batch
from kisalli_payments.domain.calendar import HELSINKI
from kisalli_payments.domain.lifecycle import paid
from kisalli_payments.domain.payees import InvalidAccount, normalise_iban
from kisalli_payments.service_layer.recording import Recorder
from kisalli_shared.contracts.payments import BankFileWritten, PaymentBatchCreated
from kisalli_shared.eventstore import Causation, ConcurrencyError

log = structlog.get_logger(__name__)

# A named point where tests stop the process to see what a crash leaves.
Checkpoint = Callable[[str], Awaitable[None]]


async def _no_checkpoint(_name: str) -> None:
    return None


class NothingToPay(Exception):
    pass


class NoDebtorAccount(Exception):
    pass


class KeyReused(Exception):
    """An Idempotency-Key sent again with a different request."""


@dataclass(frozen=True)
class BatchOrder:
    office_id: str
    created_by: str
    execution_date: date
    request: IdempotentRequest | None = None


@dataclass
class Paying:
    pool: asyncpg.Pool
    recorder: Recorder
    debtors: DebtorAccounts
    bank_file_dir: Path | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(HELSINKI))
    checkpoint: Checkpoint = _no_checkpoint

    async def create_batch(
        self, order: BatchOrder, causation: Causation
    ) -> tuple[str, bool]:
        """Record a batch of what the office can pay; (batch id, made now)."""
        debtor = self.debtors.of(order.office_id)
        if debtor is None:
            raise NoDebtorAccount(order.office_id)
        async with self.pool.acquire() as conn, conn.transaction():
            if order.request is not None:
                kept = await lock_and_find(conn, order.request)
                if kept is not None:
                    if kept.fingerprint != order.request.fingerprint:
                        raise KeyReused(order.request.key)
                    return kept.resource_id, False

            # One batch of an office at a time: a second click waits for the
            # first, then finds its lines taken.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                f"batches:{order.office_id}",
            )
            payables = await self._claim(conn, order.office_id)
            if not payables:
                raise NothingToPay(order.office_id)

            batch_id = str(uuid.uuid4())
            event = new_batch(
                batch_id=batch_id,
                office_id=order.office_id,
                debtor=debtor,
                payables=payables,
                execution_date=order.execution_date,
                created_at=self.now().strftime("%Y-%m-%dT%H:%M:%S"),
                created_by=order.created_by,
            )
            await self.recorder.record(conn, f"batch-{batch_id}", 0, [event], causation)
            await self._mark_paid(conn, event, causation)
            if order.request is not None:
                await keep(conn, order.request, batch_id)
            await self.checkpoint("batch-recorded")
        log.info("batch_created", batch_id=batch_id, lines=len(event.lines))
        return batch_id, True

    async def _claim(self, conn: asyncpg.Connection, office_id: str) -> list[Payable]:
        good = []
        for payable in await batches.claim_payables(conn, office_id):
            try:
                iban = normalise_iban(payable.iban)
            except InvalidAccount:
                # Released compensations had a valid account and corrections
                # are checked, so this is a bug upstream: never pay it.
                log.error("payee_account_invalid", contract_id=payable.contract_id)
                continue
            good.append(replace(payable, iban=iban))
        return good

    async def _mark_paid(
        self, conn: asyncpg.Connection, batch: PaymentBatchCreated, causation: Causation
    ) -> None:
        for line in batch.lines:
            state = await compensations.state(conn, line.compensation_id)
            assert state is not None, "a claimed compensation exists"
            event = paid(state, batch.batch_id, line.payee_name, batch.execution_date)
            await self.recorder.record(
                conn, line.compensation_id, state.version, [event], causation
            )

    async def bank_file(self, batch_id: str) -> bytes | None:
        """The batch's file, produced again from its record."""
        record = await batches.record(self.pool, batch_id)
        return None if record is None else sepa.bank_file(record)

    async def write_bank_files(self, office_id: str | None = None) -> list[Path]:
        """Write every batch's file not yet written; return the paths written."""
        if self.bank_file_dir is None:
            return []
        written = []
        for batch_id in await batches.unwritten(self.pool, office_id):
            written.append(await self._write(batch_id, self.bank_file_dir))
        return written

    async def _write(self, batch_id: str, directory: Path) -> Path:
        record = await batches.record(self.pool, batch_id)
        assert record is not None
        content = sepa.bank_file(record)
        folder = directory / record.office_id
        # Names and bank accounts: for the service's own user alone.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{record.message_id}.xml"
        # Written whole or not at all, under a name fixed by the batch: a
        # rerun after a crash replaces the file with the same bytes.
        partial = path.with_suffix(".xml.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(partial, path)
        await self.checkpoint("file-written")

        event = BankFileWritten(
            batch_id=batch_id,
            office_id=record.office_id,
            message_id=record.message_id,
            sha256=sepa.sha256(content),
        )
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                await self.recorder.record(
                    conn, f"batch-{batch_id}", 1, [event], Causation.new()
                )
            except ConcurrencyError:
                log.info("bank_file_recorded_already", batch_id=batch_id)
        log.info("bank_file_written", batch_id=batch_id, message_id=record.message_id)
        return path
