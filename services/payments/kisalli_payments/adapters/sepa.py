"""Bank files: ISO 20022 pain.001.001.09 credit transfers, made with sepaxml.

sepaxml 2.7 ships the pain.001.001.03, .09, .10 and .11 schemas; we write
.09, the version the EPC's 2023 rulebook and Finnish banks ask for. sepaxml
gives each file a random message id, payment information id and the clock's
creation time; the file here is made from a recorded batch, so those three
are taken from the record instead, and the same batch always gives the same
bytes. Names are cleaned before (domain.bank_text), so sepaxml's own
cleaning, which would also strip å, ä and ö, is off. A payee without a BIC
gets no creditor agent (IBAN-only, as SEPA allows).
"""

from __future__ import annotations

import functools
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import sepaxml
import xmlschema
from sepaxml import SepaTransfer

from kisalli_shared.contracts.payments import PaymentBatchCreated

SCHEMA = "pain.001.001.09"
MEDIA_TYPE = "application/xml"


class InvalidBankFile(Exception):
    """The file does not pass the schema; it must never reach a bank."""


class _RecordedTransfer(SepaTransfer):  # type: ignore[misc]
    def __init__(self, config: dict[str, Any], message_id: str, created: str) -> None:
        self._message_id = message_id
        self._created = created
        super().__init__(config, schema=SCHEMA, clean=False)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()
        self._xml.find(self.root_el).find("GrpHdr").find("CreDtTm").text = self._created

    def _finalize_batch(self) -> None:
        super()._finalize_batch()
        for n, node in enumerate(self._xml.iter("PmtInfId"), start=1):
            node.text = f"{self._message_id[:30]}-{n}"


def bank_file(batch: PaymentBatchCreated) -> bytes:
    """The batch's bank file, checked against the pain.001.001.09 schema."""
    config: dict[str, Any] = {
        "name": batch.debtor_name,
        "IBAN": batch.debtor_iban,
        "batch": True,
        "currency": "EUR",
    }
    if batch.debtor_bic:
        config["BIC"] = batch.debtor_bic
    transfer = _RecordedTransfer(config, batch.message_id, batch.created_at)
    for line in batch.lines:
        payment: dict[str, Any] = {
            "name": line.payee_name,
            "IBAN": line.iban,
            "amount": cents(line.amount),
            "execution_date": batch.execution_date,
            "description": line.remittance,
            "endtoend_id": line.end_to_end_id,
        }
        if line.bic:
            payment["BIC"] = line.bic
        transfer.add_payment(payment)
    content: bytes = transfer.export(validate=False)
    validate(content)
    return content


def cents(amount: Decimal) -> int:
    """sepaxml takes integer cents."""
    value = amount * 100
    if value != value.to_integral_value() or value <= 0:
        raise ValueError("a payment is a positive whole number of cents")
    return int(value)


def validate(content: bytes) -> None:
    try:
        _schema().validate(content.decode())
    except xmlschema.XMLSchemaValidationError as exc:
        raise InvalidBankFile(str(exc.reason)) from exc


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    # Parsing the schema takes most of a second; once per process is enough.
    path = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
    return xmlschema.XMLSchema(str(path))
