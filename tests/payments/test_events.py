"""What payments tells others: the working, the batch, the payment."""

from __future__ import annotations

from tests.kafka_reading import envelopes, read_topic
from tests.payments.conftest import Payments
from tests.payments.contracts import processed, signed


async def test_the_payee_is_told_the_amount_with_its_working_and_its_payment(
    payments: Payments, kafka: str
):
    contract = signed(start=signed().start_date.replace(day=15))
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    await payments.until_compensations(1, status="payable")
    await payments.pay()

    published = envelopes(
        await read_topic(kafka, payments.app.runtime.topic, at_least=5)
    )

    by_type = {e.type: e.data for e in published}
    assert list(by_type) == [
        "RateTableChanged",
        "CompensationCalculated",
        "PaymentBatchCreated",
        "CompensationPaid",
        "BankFileWritten",
    ]
    calculated = by_type["CompensationCalculated"]
    assert [m["days_in_period"] for m in calculated["months"]] == [17, 28, 31, 30, 14]
    assert calculated["rate_table_version"] == 1
    assert by_type["CompensationPaid"]["amount"] == calculated["amount"]


async def test_the_read_models_are_rebuilt_the_same_from_the_store(
    payments: Payments,
):
    contract, held = signed(), signed(iban=None)
    for c in (contract, held):
        await payments.publish(c)
        await payments.publish(processed(c, 0))
    await payments.until_compensations(2)
    await payments.pay()
    pool = payments.app.runtime.pool
    query = (
        "SELECT c.*, b.batch_id AS b, b.file_sha256 FROM compensations c"
        " LEFT JOIN batch_lines l USING (compensation_id)"
        " LEFT JOIN batches b ON b.batch_id = l.batch_id ORDER BY 1"
    )
    live = [dict(r) for r in await pool.fetch(query)]

    replayed = await payments.app.services.rebuild_read_models()

    assert replayed > 0
    assert [dict(r) for r in await pool.fetch(query)] == live
