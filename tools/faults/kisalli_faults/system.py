"""A whole system of the run's own: its state folder, its ports, its stack.

`deploy/local/run.sh prepare` starts Kafka and PostgreSQL and writes the
keys, the settings file and the gateway's configuration; the processes of
`deploy/local/Procfile` are then ours to start and kill (supervisor.py).
Kafka and PostgreSQL are restarted with `deploy/local/stack.sh restart`.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, fields
from pathlib import Path

from dotenv import dotenv_values

REPO = Path(__file__).resolve().parents[3]
LOCAL = REPO / "deploy" / "local"
SERVICES = ("accounts", "feedback", "payments", "notifications")


class StackError(Exception):
    """The system could not be started, restarted or stopped."""


@dataclass(frozen=True)
class Ports:
    """Every port of the run's system; the defaults meet no other system here."""

    kafka: int = 19092
    controller: int = 19093
    postgres: int = 56432
    gateway: int = 18080
    accounts: int = 18001
    feedback: int = 18002
    payments: int = 18003
    notifications: int = 18004
    smtp: int = 11025
    mail_http: int = 18025

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def of(self, service: str) -> int:
        port: int = getattr(self, service)
        return port

    def variables(self) -> dict[str, str]:
        """The KISALLI_* variables run.sh and stack.sh read."""
        return {
            "KISALLI_KAFKA_PORT": str(self.kafka),
            "KISALLI_KAFKA_CONTROLLER_PORT": str(self.controller),
            "KISALLI_PG_PORT": str(self.postgres),
            "KISALLI_GATEWAY_PORT": str(self.gateway),
            "KISALLI_ACCOUNTS_PORT": str(self.accounts),
            "KISALLI_FEEDBACK_PORT": str(self.feedback),
            "KISALLI_PAYMENTS_PORT": str(self.payments),
            "KISALLI_NOTIFICATIONS_PORT": str(self.notifications),
            "KISALLI_SMTP_PORT": str(self.smtp),
            "KISALLI_MAIL_HTTP_PORT": str(self.mail_http),
        }


# Variables that would point the scripts at another system's servers.
_FOREIGN = ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "DATABASE_NAME")


@dataclass(frozen=True)
class Stack:
    state: Path
    ports: Ports

    @property
    def env_file(self) -> Path:
        return self.state / "kisalli.env"

    @property
    def logs(self) -> Path:
        return self.state / "faults"

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def mail_api(self) -> str:
        return f"http://127.0.0.1:{self.ports.mail_http}"

    def script_environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
        return {**env, "KISALLI_STATE_DIR": str(self.state), **self.ports.variables()}

    def settings(self) -> dict[str, str]:
        """The settings file run.sh wrote, as the processes read it."""
        values = dotenv_values(self.env_file)
        return {k: v for k, v in values.items() if v is not None}

    def database_url(self, service: str) -> str:
        base = self.settings()["DATABASE_URL"]
        return base.rpartition("/")[0] + f"/kisalli_{service}"

    def prepare(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        # PostgreSQL runs as its own user, which must reach its folder here.
        self.state.chmod(0o755)
        self._script("run.sh", "prepare", attempts=3)

    def restart(self, server: str) -> None:
        """Stop and start Kafka or PostgreSQL, keeping their data."""
        self._script("stack.sh", "restart", server, attempts=3)

    def down(self, *, wipe: bool) -> None:
        self._script("stack.sh", "wipe" if wipe else "down")

    def _script(self, script: str, *args: str, attempts: int = 1) -> None:
        log = self.logs / "stack.log"
        for attempt in range(1, attempts + 1):
            with log.open("a") as out:
                out.write(f"--- {script} {' '.join(args)} (attempt {attempt})\n")
                out.flush()
                done = subprocess.run(  # noqa: S603 (our own scripts)
                    ["bash", str(LOCAL / script), *args],  # noqa: S607
                    env=self.script_environment(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            if done.returncode == 0:
                return
            # A port of ours may be a client's ephemeral port for a moment
            # (PostgreSQL's default lies in Linux's ephemeral range).
            time.sleep(5.0 * attempt)
        raise StackError(f"{script} {' '.join(args)} failed; see {log}")
