"""The four services as separate processes on free ports, with a mail catcher.

Each start gets its own databases, topic prefix and keys, so it shares
nothing with `make run` or another test. The demo talks to it exactly as to
a real deployment, one service per port (no gateway).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from cryptography.fernet import Fernet

from kisalli_demo.client import SERVICES, Routes
from kisalli_demo.loader import Target
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.settings import with_database

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class System:
    target: Target
    logs: Path
    database_url: str
    databases: dict[str, str]

    def events(self) -> dict[str, int]:
        """How many events each service's store holds."""
        return asyncio.run(self._count_events())

    async def _count_events(self) -> dict[str, int]:
        counts = {}
        for service, name in self.databases.items():
            conn = await asyncpg.connect(with_database(self.database_url, name))
            try:
                counts[service] = await conn.fetchval("SELECT count(*) FROM events")
            finally:
                await conn.close()
        return counts

    def mails(self) -> int:
        listing = httpx.get(f"{self.target.mail_url}/messages", timeout=10).json()
        return len(listing)

    def settled(self, quiet_for: float = 1.5, timeout: float = 60) -> tuple[Any, ...]:
        """Events and mails once nothing has changed for `quiet_for` seconds:
        the consumers have caught up with what the demo did."""
        deadline = time.monotonic() + timeout
        last = (self.events(), self.mails())
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = (self.events(), self.mails())
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_for:
                return now
        raise AssertionError(f"still changing after {timeout} s: {last}")


async def _databases(server_url: str, names: list[str], create: bool) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        for name in names:
            if create:
                await admin.execute(f'CREATE DATABASE "{name}"')
            else:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _wait_ready(
    name: str, url: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{name} not ready in 60 s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def running_system(database_url: str, kafka: str) -> Iterator[System]:
    run = uuid.uuid4().hex[:8]
    names = {svc: f"demo_{run}_{svc}" for svc in SERVICES}
    ports = {svc: free_port() for svc in SERVICES}
    with contextlib.ExitStack() as stack:
        state = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        asyncio.run(_databases(database_url, list(names.values()), create=True))
        stack.callback(
            lambda: asyncio.run(
                _databases(database_url, list(names.values()), create=False)
            )
        )
        catcher = MailCatcher(state / "mail", smtp_port=0, http_port=0)
        catcher.start()
        stack.callback(catcher.stop)

        common = {
            **os.environ,
            "DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "TOPIC_PREFIX": f"demo{run}",
            "JWKS_URL": f"http://127.0.0.1:{ports['accounts']}/.well-known/jwks.json",
            "PUBLIC_BASE_URL": "http://127.0.0.1:8080",
            "SECRET_LINK_KEY": Fernet.generate_key().decode(),
            "PERSONAL_ID_KEY": Fernet.generate_key().decode(),
            "ACCOUNTS_STATE_DIR": str(state / "accounts"),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(catcher.smtp_port),
            "REMINDERS_ENABLED": "false",
            "ALLOW_TEMPORARY_PERSONAL_IDS": "true",
            "DELIVERY_POLL_INTERVAL": "0.2",
            "TOPIC_PARTITIONS": "1",
            # Light hashing: the demo logs in often and the machine is shared.
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_KIB": "8192",
            "ARGON2_PARALLELISM": "1",
            "LOG_LEVEL": "WARNING",
        }
        envs = {
            svc: {**common, "DATABASE_NAME": names[svc], "PORT": str(ports[svc])}
            for svc in SERVICES
        }
        processes = []
        for svc in SERVICES:
            log = state / f"{svc}.log"
            out = stack.enter_context(log.open("wb"))
            process = subprocess.Popen(
                [sys.executable, "-m", f"kisalli_{svc}", "serve"],
                env=envs[svc],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            stack.callback(_stop, process)
            processes.append((svc, process, log))
        for svc, process, log in processes:
            _wait_ready(svc, f"http://127.0.0.1:{ports[svc]}", process, log)

        routes = Routes({svc: f"http://127.0.0.1:{ports[svc]}" for svc in SERVICES})
        target = Target(
            routes=routes,
            mail_url=catcher.api_url,
            accounts_env=envs["accounts"],
            timeout=60.0,
        )
        yield System(target, state, database_url, names)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
