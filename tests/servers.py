"""Where the tests find Kafka and PostgreSQL.

Explicit environment variables win (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL);
then testcontainers, where a Docker engine answers; then the project's own
local stack (deploy/local/stack.sh), as on machines without Docker.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "deploy" / "local" / "stack.sh"


@dataclass
class Servers:
    kafka: str
    database_url: str
    # Set when the tests may stop and start the broker themselves.
    can_restart_kafka: bool


def docker_answers() -> bool:
    """Whether a Docker engine answers its ping, asked over a plain socket."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        if host.startswith("unix://"):
            sock = socket.socket(socket.AF_UNIX)
            address: str | tuple[str, int] = host.removeprefix("unix://")
        elif host.startswith("tcp://"):
            name, _, port = host.removeprefix("tcp://").partition(":")
            sock = socket.socket(socket.AF_INET)
            address = (name, int(port or 2375))
        else:
            return False
        with sock:
            sock.settimeout(3)
            sock.connect(address)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b" 200 " in sock.recv(256)
    except (OSError, ValueError):
        return False


def local_stack(*parts: str) -> None:
    subprocess.run(["bash", str(STACK), "up", *parts], check=True)


def restart_kafka() -> None:
    subprocess.run(["bash", str(STACK), "restart", "kafka"], check=True)


def stop_kafka() -> None:
    subprocess.run(["bash", str(STACK), "down", "kafka"], check=True)


def start_kafka() -> None:
    subprocess.run(["bash", str(STACK), "up", "kafka"], check=True)


@contextlib.contextmanager
def find_servers() -> Iterator[Servers]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database_url = os.environ.get("DATABASE_URL")
    with contextlib.ExitStack() as stack:
        use_docker = (not kafka or not database_url) and docker_answers()
        if not kafka and use_docker:
            from testcontainers.kafka import KafkaContainer

            container = stack.enter_context(KafkaContainer().with_kraft())
            kafka = container.get_bootstrap_server()
        if not database_url and use_docker:
            from testcontainers.postgres import PostgresContainer

            pg = stack.enter_context(PostgresContainer("postgres:15", driver=None))
            database_url = pg.get_connection_url()
        local_kafka = kafka is None
        if kafka is None or database_url is None:
            local_stack(
                *(["kafka"] if kafka is None else []),
                *(["postgres"] if database_url is None else []),
            )
        yield Servers(
            kafka=kafka or local_kafka_bootstrap(),
            database_url=database_url or local_database_url(),
            can_restart_kafka=local_kafka,
        )


def local_kafka_bootstrap() -> str:
    return f"127.0.0.1:{os.environ.get('KISALLI_KAFKA_PORT', '9092')}"


def local_database_url() -> str:
    port = os.environ.get("KISALLI_PG_PORT", "55432")
    return f"postgresql://kisalli:kisalli@127.0.0.1:{port}/postgres"
