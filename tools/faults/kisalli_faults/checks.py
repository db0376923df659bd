"""What must hold after the faults, each check with the violations it found.

Violations name streams, event ids and tables, never people: ids are
uuids and stream names are built from them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kisalli_faults.calls import Write
from kisalli_faults.evidence import Evidence, Published, StoredEvent

# How many emails each triggering event calls for (notifications'
# CONTRACT_NOTICES and account handlers); every contract here has a payee.
EMAILS_PER_EVENT = {
    "FeedbackSubmitted": 1,
    "FeedbackReturned": 1,
    "FeedbackProcessed": 2,
    "CompensationCalculated": 1,
    "CompensationHeld": 1,
    "CompensationPaid": 1,
    "PasswordChanged": 1,
    "PasswordResetCompleted": 1,
    "AccountLocked": 1,
    "EmailChanged": 2,
}
TRIGGERS = {"accounts", "feedback", "payments"}


@dataclass
class Check:
    title: str
    checked: int = 0
    violations: list[str] = field(default_factory=list)
    # Facts worth telling that break no promise.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def writes_are_stored(writes: list[Write], evidence: Evidence) -> Check:
    check = Check("every write that got a success answer is in its store")
    stored = {
        (service, event.stream_id, event.type)
        for service, events in evidence.stores.items()
        for event in events
    }
    for write in writes:
        check.checked += 1
        if (write.service, write.stream_id, write.event_type) not in stored:
            check.violations.append(
                f"{write.what}: no {write.event_type} in {write.stream_id}"
                f" ({write.service})"
            )
    return check


def paid_once(evidence: Evidence) -> Check:
    check = Check(
        "every processed feedback has one compensation, at most one payment"
        " line, and no line is in two bank files"
    )
    compensations: dict[str, set[str]] = defaultdict(set)
    for event in evidence.events(
        "payments", "CompensationCalculated", "CompensationHeld"
    ):
        if event.data.get("feedback_id"):
            compensations[event.data["feedback_id"]].add(event.stream_id)
    lines: Counter[str] = Counter()
    end_to_end: dict[str, str] = {}
    for batch in evidence.events("payments", "PaymentBatchCreated"):
        for line in batch.data["lines"]:
            lines[line["compensation_id"]] += 1
            end_to_end[line["end_to_end_id"]] = line["compensation_id"]
    paid = Counter(e.stream_id for e in evidence.events("payments", "CompensationPaid"))

    for processed in evidence.events("feedback", "FeedbackProcessed"):
        check.checked += 1
        found = compensations.get(processed.data["feedback_id"], set())
        if len(found) != 1:
            check.violations.append(
                f"{processed.stream_id}: {len(found)} compensations"
            )
        for compensation_id in found:
            if lines[compensation_id] > 1 or paid[compensation_id] > 1:
                check.violations.append(
                    f"{compensation_id}: {lines[compensation_id]} payment lines,"
                    f" {paid[compensation_id]} CompensationPaid"
                )
    _bank_files(evidence, end_to_end, check)
    return check


def _bank_files(evidence: Evidence, end_to_end: dict[str, str], check: Check) -> None:
    files_of: dict[str, list[str]] = defaultdict(list)
    for bank_file in evidence.bank_files:
        for line_id in bank_file.end_to_end_ids:
            files_of[line_id].append(bank_file.name)
    for line_id, names in files_of.items():
        if len(names) > 1:
            check.violations.append(f"payment line {line_id} is in {len(names)} files")
        if line_id not in end_to_end:
            check.violations.append(f"payment line {line_id} is in no recorded batch")
    for line_id, compensation_id in end_to_end.items():
        if line_id not in files_of:
            check.violations.append(f"{compensation_id}: its line is in no bank file")
    check.notes.append(
        f"{len(evidence.bank_files)} bank files, {len(end_to_end)} payment lines"
    )


def versions_in_order(evidence: Evidence) -> Check:
    check = Check("per stream, versions on Kafka strictly increase with no gaps")
    repeats = 0
    for service, records in evidence.topics.items():
        stored = {
            (e.stream_id, e.version): e.event_id for e in evidence.stores[service]
        }
        published: dict[tuple[str, int], str] = {}
        by_stream: dict[str, list[Published]] = defaultdict(list)
        for record in sorted(records, key=lambda r: (r.partition, r.offset)):
            by_stream[record.stream_id].append(record)
        for stream_id, stream in by_stream.items():
            check.checked += 1
            repeats += _follow(stream_id, stream, published, check)
        for key, event_id in stored.items():
            if key not in published:
                check.violations.append(
                    f"{key[0]} v{key[1]} ({service}) is stored but not on Kafka"
                )
            elif published[key] != event_id:
                check.violations.append(
                    f"{key[0]} v{key[1]} ({service}) on Kafka is not the stored event"
                )
    # The relay publishes at least once: after a crash between Kafka's
    # acknowledgement and the outbox delete, a batch goes again. Consumers
    # skip what they handled, so a repeat of an event is no break of order.
    check.notes.append(f"{repeats} records repeated an event already published")
    # A consumer that gave up on an event put it there; its effect is then
    # missing, which the other checks should show.
    dead = ", ".join(f"{s} {n}" for s, n in evidence.dead_letters.items() if n)
    check.notes.append(f"dead-lettered records: {dead or 'none'}")
    return check


def _follow(
    stream_id: str,
    stream: list[Published],
    published: dict[tuple[str, int], str],
    check: Check,
) -> int:
    """Walk one stream's records; count repeats, tell breaks of order."""
    top = 0
    repeats = 0
    for record in stream:
        key = (stream_id, record.version)
        if record.version == top + 1:
            top = record.version
            published[key] = record.event_id
        elif record.version <= top and published.get(key) == record.event_id:
            repeats += 1
        else:
            check.violations.append(
                f"{stream_id}: v{record.version} at offset {record.offset} after v{top}"
            )
            top = max(top, record.version)
            published.setdefault(key, record.event_id)
    return repeats


def one_email_per_event(evidence: Evidence) -> Check:
    check = Check("one email per triggering event")
    by_cause: dict[str, list[str]] = defaultdict(list)
    for email in evidence.emails:
        by_cause[email.cause].append(email.email_id)
        if email.state != "sent":
            check.violations.append(f"email {email.email_id} is {email.state}")
    for service in TRIGGERS:
        for event in evidence.stores[service]:
            wanted = EMAILS_PER_EVENT.get(event.type)
            if wanted is None:
                continue
            check.checked += 1
            got = len(by_cause.get(event.event_id, []))
            if got != wanted:
                check.violations.append(
                    f"{event.type} {event.event_id}: {got} emails, not {wanted}"
                )
    _activations(evidence, by_cause, check)
    _caught(evidence, check)
    return check


def _activations(
    evidence: Evidence, by_cause: dict[str, list[str]], check: Check
) -> None:
    """Activation emails answer SecretLinkSealed, which no store keeps:
    count them per address against ActivationRequested per account."""
    addresses = {
        e.stream_id: str(e.data["email"]).casefold()
        for e in evidence.events("accounts", "AccountCreated")
    }
    requested: Counter[str] = Counter(
        addresses.get(e.stream_id, "")
        for e in evidence.events("accounts", "ActivationRequested")
    )
    sent: Counter[str] = Counter(
        e.recipient_key for e in evidence.emails if e.template == "account_activation"
    )
    for account, address in addresses.items():
        check.checked += 1
        if requested[address] != sent[address]:
            check.violations.append(
                f"{account}: {requested[address]} activations requested,"
                f" {sent[address]} activation emails"
            )


def _caught(evidence: Evidence, check: Check) -> None:
    """Each email arrived once: one Message-ID per email, made from its id."""
    copies = Counter(evidence.caught)
    queued = {email.email_id for email in evidence.emails}
    arrived = {m.strip("<>").partition("@")[0]: m for m in copies}
    for email_id in queued - arrived.keys():
        check.violations.append(f"email {email_id} never arrived")
    for email_id in arrived.keys() - queued:
        check.violations.append(f"message {arrived[email_id]} answers no queued email")
    again = sum(n - 1 for n in copies.values())
    # A crash after the SMTP server took a message but before it was marked
    # sent sends it again under the same Message-ID; a mail client shows it once.
    check.notes.append(
        f"{len(copies)} emails caught; {again} copies delivered again under"
        " the same Message-ID"
    )


def all_checks(writes: list[Write], evidence: Evidence) -> list[Check]:
    return [
        writes_are_stored(writes, evidence),
        paid_once(evidence),
        versions_in_order(evidence),
        one_email_per_event(evidence),
    ]


__all__ = ["Check", "StoredEvent", "all_checks"]
