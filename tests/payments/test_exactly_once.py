"""Each period is paid at most once, whatever is delivered twice or crashes."""

from __future__ import annotations

import asyncio
import stat
from collections import Counter

import pytest

from kisalli_shared.consumer import EventConsumer
from kisalli_shared.kafka import event_topic
from tests.payments.bank_xml import end_to_end_ids
from tests.payments.conftest import Payments, eventually
from tests.payments.contracts import processed, signed


async def first_decisions(payments: Payments) -> Counter[str]:
    rows = await payments.app.runtime.pool.fetch(
        "SELECT stream_id FROM events WHERE type = 'CompensationCalculated'"
    )
    return Counter(r["stream_id"] for r in rows)


async def test_feedback_processed_delivered_twice_gives_one_compensation_and_one_line(
    payments: Payments,
):
    contract = signed()
    await payments.publish(contract)
    feedback = processed(contract, 0)
    first = await payments.publish(feedback)
    await payments.send(first)  # the very same envelope again
    again = await payments.publish(feedback)  # the same fact in a new envelope
    await payments.until_handled(again)

    clicks = await asyncio.gather(*(payments.pay() for _ in range(3)))

    assert len(await payments.compensations()) == 1
    assert list((await first_decisions(payments)).values()) == [1]
    assert sorted(r.status_code for r in clicks) == [201, 409, 409]
    assert list(end_to_end_ids(payments.files).values()) == [1]


async def test_two_consumers_deciding_the_same_periods_at_once_decide_each_once(
    payments: Payments, kafka: str
):
    # A second consumer on the same database, in a group of its own, takes in
    # every event too, at the same time as the service's own.
    runtime = payments.app.runtime
    rival = EventConsumer(
        group_id=f"{runtime.group}.rival",
        topics=[event_topic("feedback", payments.prefix)],
        bootstrap=kafka,
        pool=runtime.pool,
        registry=runtime.spec.registry,
        handlers=runtime.spec.handlers,
        producer=runtime.producer,
    )
    task = asyncio.create_task(rival.run())
    try:
        contracts = [signed() for _ in range(4)]
        for contract in contracts:
            await payments.publish(contract)
        feedback = [processed(c, i) for c in contracts for i in range(3)]
        sent = [await payments.publish(f) for f in feedback]

        async def both_took_everything() -> bool:
            count = await runtime.pool.fetchval(
                "SELECT count(*) FROM handled_events WHERE event_id = ANY($1)",
                [e.id for e in sent],
            )
            return bool(count == 2 * len(sent))

        await eventually(both_took_everything)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    decisions = await first_decisions(payments)
    assert len(decisions) == 12 and set(decisions.values()) == {1}
    assert len(await payments.compensations(status="payable")) == 12


async def test_a_retried_batch_request_with_its_key_gets_the_same_batch(
    payments: Payments,
):
    contract = signed()
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    await payments.until_compensations(1, status="payable")

    answers = await asyncio.gather(
        *(payments.pay(**{"Idempotency-Key": "click-1"}) for _ in range(3))
    )

    assert sorted(a.status_code for a in answers) == [200, 200, 201]
    assert len({a.json()["batch_id"] for a in answers}) == 1


class Crash(BaseException):
    """The process dies here (not an Exception: nothing may catch it)."""


def crash_at(point: str):  # type: ignore[no-untyped-def]
    async def checkpoint(name: str) -> None:
        if name == point:
            raise Crash(name)

    return checkpoint


async def test_a_crash_after_writing_a_bank_file_never_puts_a_line_into_two_files(
    payments: Payments,
):
    services = payments.app.services
    first, second = signed(), signed()
    for contract in (first, second):
        await payments.publish(contract)
    await payments.publish(processed(first, 0))
    await payments.until_compensations(1, status="payable")
    services.checkpoint = crash_at("file-written")

    # The batch is recorded, its file written, and the process dies before
    # it records that the file was written.
    with pytest.raises(Crash):
        await payments.pay()
    services.checkpoint = None
    (batch,) = (await payments.client.get("/batches", headers=payments.staff())).json()[
        "items"
    ]
    assert batch["file_written_at"] is None

    # The rerun writes the same file again and records it; a later period
    # goes into a new batch of its own.
    await services.paying.write_bank_files()
    await payments.publish(processed(second, 0))
    await payments.until_compensations(1, status="payable")
    assert (await payments.pay()).status_code == 201
    assert (await payments.pay()).status_code == 409

    files = sorted((payments.files / "office-a").glob("*.xml"))
    assert len(files) == 2
    # Names and bank accounts: readable by the service's own user alone.
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert list(end_to_end_ids(payments.files).values()) == [1, 1]
    download = await payments.client.get(
        f"/batches/{batch['batch_id']}/file", headers=payments.staff()
    )
    assert (
        payments.files / "office-a" / f"{batch['message_id']}.xml"
    ).read_bytes() == (download.content)


async def test_a_crash_before_the_batch_commits_leaves_its_lines_for_the_rerun(
    payments: Payments,
):
    services = payments.app.services
    contract = signed()
    await payments.publish(contract)
    await payments.publish(processed(contract, 0))
    await payments.publish(processed(contract, 1))
    await payments.until_compensations(2, status="payable")
    services.checkpoint = crash_at("batch-recorded")

    with pytest.raises(Crash):
        await payments.pay()
    services.checkpoint = None
    nothing = await payments.client.get("/batches", headers=payments.staff())
    rerun = await payments.pay()

    assert nothing.json()["items"] == []
    assert rerun.status_code == 201 and len(rerun.json()["lines"]) == 2
    assert list(end_to_end_ids(payments.files).values()) == [1, 1]
    assert len(await payments.compensations(status="paid")) == 2
