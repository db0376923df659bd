"""A payment batch: the lines of one bank file, decided before it is written.

The batch records everything the file needs (names as written, normalised
IBANs, amounts, ids, the creation time), so producing the file again from
the record gives the same bytes: the same message id, never a second file
with the same lines.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kisalli_payments.domain.bank_text import REMITTANCE_LIMIT, bank_name, bank_text
from kisalli_shared.contracts.payments import PaymentBatchCreated, PaymentLine

# End-to-end ids are derived from the compensation id, so a line keeps its id
# whatever batch it is in (and a bank's duplicate check sees the same id).
_END_TO_END = uuid.UUID("5b0c9e0e-3d1c-4c55-9f53-6b6973616c6c")


@dataclass(frozen=True)
class Debtor:
    """The office's own account, that payments are made from."""

    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True)
class Payable:
    compensation_id: str
    contract_id: str
    amount: Decimal
    payee_name: str
    iban: str
    bic: str | None
    period_start: date
    period_end: date


def end_to_end_id(compensation_id: str) -> str:
    return uuid.uuid5(_END_TO_END, compensation_id).hex


def message_id(batch_id: str) -> str:
    # Max35Text, and only letters and digits: some banks refuse others in ids.
    return uuid.UUID(batch_id).hex.upper()


def remittance(payable: Payable) -> str:
    text = (
        "Koulutuskorvaus - utbildningsersättning"
        f" {payable.period_start:%d.%m.%Y}-{payable.period_end:%d.%m.%Y}"
    )
    return bank_text(text, REMITTANCE_LIMIT)


def new_batch(
    *,
    batch_id: str,
    office_id: str,
    debtor: Debtor,
    payables: list[Payable],
    execution_date: date,
    created_at: str,
    created_by: str,
) -> PaymentBatchCreated:
    if not payables:
        raise ValueError("a batch needs at least one payment")
    lines = [
        PaymentLine(
            compensation_id=p.compensation_id,
            contract_id=p.contract_id,
            end_to_end_id=end_to_end_id(p.compensation_id),
            payee_name=bank_name(p.payee_name),
            iban=p.iban,
            bic=p.bic,
            amount=p.amount,
            remittance=remittance(p),
        )
        for p in sorted(payables, key=lambda p: p.compensation_id)
    ]
    return PaymentBatchCreated(
        batch_id=batch_id,
        office_id=office_id,
        message_id=message_id(batch_id),
        created_at=created_at,
        execution_date=execution_date,
        debtor_name=bank_name(debtor.name),
        debtor_iban=debtor.iban,
        debtor_bic=debtor.bic,
        lines=lines,
        total=sum((line.amount for line in lines), Decimal("0.00")),
        created_by=created_by,
    )
