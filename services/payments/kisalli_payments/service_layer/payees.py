"""Office staff correct where a contract's compensation is paid."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from kisalli_payments.domain.payees import normalise_bic, normalise_iban
from kisalli_payments.service_layer.compensating import reconsider_held
from kisalli_payments.service_layer.recording import Recorder
from kisalli_shared.contracts.payments import PayeeAccountChanged
from kisalli_shared.eventstore import Causation, ConcurrencyError


class UnknownContract(Exception):
    pass


class StalePayee(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"the payee is at version {current}")
        self.current = current


@dataclass(frozen=True)
class PayeeCorrection:
    contract_id: str
    office_id: str
    iban: str
    bic: str | None
    name: str | None
    changed_by: str


async def correct_payee(
    conn: asyncpg.Connection,
    recorder: Recorder,
    correction: PayeeCorrection,
    expected_version: int | None,
    causation: Causation,
) -> int:
    """Record the corrected account and release what it held; return releases.

    Raises InvalidAccount for a bad IBAN or BIC before anything is written.
    """
    iban = normalise_iban(correction.iban)
    bic = normalise_bic(correction.bic) if correction.bic else None
    row = await conn.fetchrow(
        "SELECT * FROM payment_contracts WHERE contract_id = $1 FOR UPDATE",
        correction.contract_id,
    )
    # Another office's contract answers as if there were none.
    if row is None or row["office_id"] != correction.office_id:
        raise UnknownContract(correction.contract_id)
    version = row["payee_version"]
    if expected_version is not None and expected_version != version:
        raise StalePayee(version)

    event = PayeeAccountChanged(
        contract_id=correction.contract_id,
        office_id=correction.office_id,
        payee_name=correction.name or row["payee_name"],
        iban=iban,
        bic=bic,
        changed_by=correction.changed_by,
    )
    try:
        await recorder.record(
            conn, f"payee-{correction.contract_id}", version, [event], causation
        )
    except ConcurrencyError:
        raise StalePayee(version + 1) from None
    return await reconsider_held(
        conn, recorder, causation, contract_id=correction.contract_id
    )


async def payee_row(
    conn: asyncpg.Connection | asyncpg.Pool, office_id: str, contract_id: str
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM payment_contracts WHERE contract_id = $1 AND office_id = $2",
        contract_id,
        office_id,
    )
    return row
