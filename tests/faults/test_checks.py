"""The fault run's checks find what they look for, on made-up evidence."""

from __future__ import annotations

from kisalli_faults.calls import Write
from kisalli_faults.checks import (
    one_email_per_event,
    paid_once,
    versions_in_order,
    writes_are_stored,
)
from kisalli_faults.evidence import (
    BankFile,
    Email,
    Evidence,
    Published,
    StoredEvent,
)


def stored(stream: str, version: int, type_: str, **data: object) -> StoredEvent:
    return StoredEvent(f"{stream}-v{version}", stream, version, type_, dict(data))


def published(event: StoredEvent, offset: int) -> Published:
    return Published(
        0, offset, event.event_id, event.stream_id, event.version, event.type
    )


def evidence(**stores: list[StoredEvent]) -> Evidence:
    found = Evidence()
    for service in ("accounts", "feedback", "payments", "notifications"):
        found.stores[service] = stores.get(service, [])
        found.topics[service] = [
            published(e, n) for n, e in enumerate(found.stores[service])
        ]
    return found


def test_a_write_whose_event_is_missing_from_the_store_is_a_violation() -> None:
    found = evidence(feedback=[stored("contract-1", 1, "ContractSigned")])
    writes = [
        Write("sign contract", "feedback", "contract-1", "ContractSigned"),
        Write("sign contract", "feedback", "contract-2", "ContractSigned"),
    ]

    check = writes_are_stored(writes, found)

    assert check.checked == 2
    assert check.violations == [
        "sign contract: no ContractSigned in contract-2 (feedback)"
    ]


def test_a_gap_in_a_streams_versions_on_kafka_is_a_violation() -> None:
    events = [stored("feedback-1", v, "FeedbackSubmitted") for v in (1, 2, 3)]
    found = evidence(feedback=events)
    found.topics["feedback"] = [published(events[0], 0), published(events[2], 1)]

    check = versions_in_order(found)

    assert "feedback-1: v3 at offset 1 after v1" in check.violations
    assert "feedback-1 v2 (feedback) is stored but not on Kafka" in check.violations


def test_an_event_published_again_is_noted_but_breaks_no_order() -> None:
    events = [stored("feedback-1", v, "FeedbackSubmitted") for v in (1, 2)]
    found = evidence(feedback=events)
    found.topics["feedback"] = [
        published(events[0], 0),
        published(events[1], 1),
        published(events[1], 2),
    ]

    check = versions_in_order(found)

    assert check.ok
    assert "1 records repeated an event already published" in check.notes


def test_a_payment_line_in_two_bank_files_is_a_violation() -> None:
    line = {"compensation_id": "compensation-c-0", "end_to_end_id": "e2e-1"}
    found = evidence(
        feedback=[stored("feedback-f", 4, "FeedbackProcessed", feedback_id="f")],
        payments=[
            stored("compensation-c-0", 1, "CompensationCalculated", feedback_id="f"),
            stored("batch-b", 1, "PaymentBatchCreated", lines=[line]),
        ],
    )
    found.bank_files = [BankFile("o/A.xml", ["e2e-1"]), BankFile("o/B.xml", ["e2e-1"])]

    check = paid_once(found)

    assert check.violations == ["payment line e2e-1 is in 2 files"]


def test_a_processed_feedback_without_compensation_is_a_violation() -> None:
    found = evidence(
        feedback=[stored("feedback-f", 4, "FeedbackProcessed", feedback_id="f")]
    )

    check = paid_once(found)

    assert check.violations == ["feedback-f: 0 compensations"]


def test_an_email_caught_twice_under_two_message_ids_is_a_violation() -> None:
    submitted = stored("feedback-f", 2, "FeedbackSubmitted")
    found = evidence(feedback=[submitted])
    found.emails = [
        Email("a", submitted.event_id, "s@x.example", "feedback_awaiting", "sent"),
        Email("b", submitted.event_id, "s@x.example", "feedback_awaiting", "sent"),
    ]
    found.caught = ["<a@kisalli.example>", "<b@kisalli.example>"]

    check = one_email_per_event(found)

    assert check.violations == [
        f"FeedbackSubmitted {submitted.event_id}: 2 emails, not 1"
    ]
