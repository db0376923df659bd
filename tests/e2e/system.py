"""The whole system as the end-to-end tests meet it: through the gateway,
the mail catcher's HTTP API and Kafka, nothing else.

When the gateway does not answer, deploy/local/run.sh starts the services,
the gateway and the mail catcher in the background and stops them
afterwards; a system that runs already is used and left running.
"""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from tests.servers import ROOT, Servers

RUN = ROOT / "deploy" / "local" / "run.sh"
# The same settings run.sh reads, so that a second system with a state
# folder and ports of its own is the one these tests meet.
STATE = Path(os.environ.get("KISALLI_STATE_DIR", ROOT / "deploy" / "local" / ".state"))
ENV_FILE = STATE / "kisalli.env"
GATEWAY = f"http://127.0.0.1:{os.environ.get('KISALLI_GATEWAY_PORT', '8080')}"
MAIL_API = f"http://127.0.0.1:{os.environ.get('KISALLI_MAIL_HTTP_PORT', '8025')}"
SERVICES = ("accounts", "feedback", "payments", "notifications")


@dataclass(frozen=True)
class System:
    gateway: str
    mail_api: str
    kafka: str
    settings: dict[str, str]

    def command_environment(self, service: str) -> dict[str, str]:
        """What a command of `service` needs to act on this system."""
        return {**os.environ, **self.settings, "DATABASE_NAME": f"kisalli_{service}"}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def ready() -> bool:
    return _answers(f"{GATEWAY}/healthz") and all(
        _answers(f"{GATEWAY}/api/{service}/readyz") for service in SERVICES
    )


@contextmanager
def running_system(servers: Servers) -> Iterator[System]:
    started = not ready()
    if started:
        environment = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
            "DATABASE_URL": servers.database_url,
        }
        subprocess.run(["bash", str(RUN), "start"], check=True, env=environment)
    try:
        # The system's own settings say which Kafka it writes to.
        values = dotenv_values(ENV_FILE)
        settings = {k: v for k, v in values.items() if v is not None}
        yield System(
            gateway=GATEWAY,
            mail_api=MAIL_API,
            kafka=settings.get("KAFKA_BOOTSTRAP_SERVERS", servers.kafka),
            settings=settings,
        )
    finally:
        if started:
            subprocess.run(["bash", str(RUN), "stop"], check=True)
