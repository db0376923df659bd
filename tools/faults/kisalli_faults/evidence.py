"""What the checks read: the event stores, the topics, the caught mail, the
emails table and the bank files. Read once the system has settled."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from kisalli_faults.system import SERVICES, Stack

PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@dataclass(frozen=True)
class StoredEvent:
    event_id: str
    stream_id: str
    version: int
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Published:
    """One record of an events topic, as the envelope tells it."""

    partition: int
    offset: int
    event_id: str
    stream_id: str
    version: int
    type: str


@dataclass(frozen=True)
class Email:
    email_id: str
    cause: str
    recipient_key: str
    template: str
    state: str


@dataclass(frozen=True)
class BankFile:
    name: str
    end_to_end_ids: list[str]


@dataclass
class Evidence:
    stores: dict[str, list[StoredEvent]] = field(default_factory=dict)
    topics: dict[str, list[Published]] = field(default_factory=dict)
    emails: list[Email] = field(default_factory=list)
    # Message-ID of every caught message, once per copy.
    caught: list[str] = field(default_factory=list)
    bank_files: list[BankFile] = field(default_factory=list)
    # Records in each consumer group's dead-letter topic.
    dead_letters: dict[str, int] = field(default_factory=dict)

    def events(self, service: str, *types: str) -> Iterator[StoredEvent]:
        for event in self.stores[service]:
            if event.type in types:
                yield event


async def gather(stack: Stack) -> Evidence:
    evidence = Evidence()
    prefix = stack.settings().get("TOPIC_PREFIX", "kisalli")
    kafka = stack.settings()["KAFKA_BOOTSTRAP_SERVERS"]
    for service in SERVICES:
        evidence.stores[service] = await read_store(stack.database_url(service))
        evidence.topics[service] = await read_topic(kafka, f"{prefix}.{service}.events")
        evidence.dead_letters[service] = len(
            await read_topic(kafka, f"{prefix}.{service}.dead-letter", raw=True)
        )
    evidence.emails = await read_emails(stack.database_url("notifications"))
    evidence.caught = await read_caught(stack.mail_api)
    evidence.bank_files = read_bank_files(stack.state / "bank-files")
    return evidence


async def read_store(dsn: str) -> list[StoredEvent]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT event_id, stream_id, version, type, data::text AS data"
            " FROM events ORDER BY position"
        )
    finally:
        await conn.close()
    return [
        StoredEvent(
            str(row["event_id"]),
            row["stream_id"],
            row["version"],
            row["type"],
            json.loads(row["data"]),
        )
        for row in rows
    ]


async def read_topic(kafka: str, topic: str, *, raw: bool = False) -> list[Published]:
    """Every record of the topic from the beginning to its end now; with
    `raw`, records that need not be envelopes, told by position only."""
    # Without a group the consumer takes every partition of the topic.
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    try:
        for _ in range(100):
            if consumer.assignment():
                break
            await asyncio.sleep(0.1)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        records: list[Published] = []
        while await _behind(consumer, ends):
            batches = await consumer.getmany(timeout_ms=1000)
            for tp, batch in batches.items():
                records.extend(
                    _published(tp.partition, r.offset, None if raw else r.value)
                    for r in batch
                )
    finally:
        await consumer.stop()
    return records


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False


def _published(partition: int, offset: int, value: bytes | None) -> Published:
    envelope = json.loads(value or b"{}")
    return Published(
        partition,
        offset,
        str(envelope.get("id")),
        str(envelope.get("subject")),
        int(envelope.get("streamversion", 0)),
        str(envelope.get("type")),
    )


async def read_emails(dsn: str) -> list[Email]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT email_id, cause, recipient_key, template, state FROM emails"
        )
    finally:
        await conn.close()
    return [
        Email(
            str(row["email_id"]),
            row["cause"],
            row["recipient_key"],
            row["template"],
            row["state"],
        )
        for row in rows
    ]


async def read_caught(mail_api: str) -> list[str]:
    async with httpx.AsyncClient(timeout=30.0) as http:
        listing = (await http.get(f"{mail_api}/messages")).raise_for_status().json()
    return [str(summary["message_id"]) for summary in listing]


def read_bank_files(folder: Path) -> list[BankFile]:
    files = []
    for path in sorted(folder.glob("*/*.xml")):
        # The files are the payments service's own, written on this machine.
        document = ET.parse(path)  # noqa: S314
        ids = [
            node.text or ""
            for node in document.iterfind(f".//{{{PAIN_001}}}EndToEndId")
        ]
        files.append(BankFile(f"{path.parent.name}/{path.name}", ids))
    return files
