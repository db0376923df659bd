"""Bank files: pain.001.001.09, valid against the schema, names as banks take them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sepaxml
import xmlschema

from kisalli_payments.domain.bank_text import bank_text
from tests.payments.bank_xml import NS, parse
from tests.payments.conftest import Payments
from tests.payments.contracts import processed, signed

SCHEMA = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"

LONG_NAME = (
    "Pähkinänsärkijä Åström & Söderholm Kone- ja Metallityö Osakeyhtiö"
    " Pohjois-Pohjanmaan toimipiste"
)


async def test_a_paid_period_reaches_a_bank_file_valid_against_pain_001_001_09(
    payments: Payments,
):
    contract = signed(payee_name=LONG_NAME, iban="fi21 1234 5600 0007 85", bic=None)
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    (compensation,) = await payments.until_compensations(1, status="payable")

    made = await payments.pay()
    file = await payments.client.get(
        f"/batches/{made.json()['batch_id']}/file", headers=payments.staff()
    )

    assert made.status_code == 201, made.text
    assert file.headers["content-type"].startswith("application/xml")
    xmlschema.XMLSchema(str(SCHEMA)).validate(file.text)
    document = parse(file.content)
    (payment,) = document.iterfind(".//p:CdtTrfTxInf", NS)
    name = payment.findtext("p:Cdtr/p:Nm", namespaces=NS)
    assert name is not None and len(LONG_NAME) > 70 and len(name) == 70
    assert name.startswith("Pähkinänsärkijä Åström + Söderholm")
    assert payment.findtext(".//p:CdtrAcct//p:IBAN", namespaces=NS) == (
        "FI2112345600000785"
    )
    # No BIC given: no creditor agent at all, as SEPA allows.
    assert payment.find("p:CdtrAgt", NS) is None
    assert Decimal(payment.findtext(".//p:InstdAmt", namespaces=NS) or "") == (
        Decimal(compensation["amount"])
    )
    assert document.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == (
        "Oppisopimustoimisto Åbo Turku"
    )


async def test_the_same_batch_gives_the_same_file_with_the_same_message_id(
    payments: Payments,
):
    contract = signed()
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    await payments.until_compensations(1, status="payable")
    batch_id = (await payments.pay()).json()["batch_id"]

    first = await payments.client.get(
        f"/batches/{batch_id}/file", headers=payments.staff()
    )
    again = await payments.client.get(
        f"/batches/{batch_id}/file", headers=payments.staff()
    )
    (written,) = (payments.files / "office-a").iterdir()

    assert first.content == again.content == written.read_bytes()
    assert written.name == f"{batch_id.replace('-', '').upper()}.xml"


def test_letters_outside_the_sepa_set_are_written_plainly_and_finnish_ones_kept():
    assert bank_text("Café Ærø & Großhändler Öljy\u2013Åland", 70) == (
        "Cafe AEro + Grosshändler Öljy Åland"
    )
    assert bank_text("x" * 80, 70) == "x" * 70
