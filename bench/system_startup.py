"""How long the whole system takes to start, in a fresh clone of this repo.

- install: `uv sync` into the clone's new .venv (packages from uv's cache).
- cold: `deploy/local/run.sh start` with no state at all: Kafka's jars are
  copied out of ~/.m2 by Maven, a new PostgreSQL cluster, new keys, every
  migration, every topic; until the gateway and every service are ready.
- warm: the same after everything stopped, Kafka and PostgreSQL too, as the
  next `make run` after a Ctrl-C finds it.
- services only: Kafka and PostgreSQL still running.

The clone's Kafka and PostgreSQL use ports of their own, so the local stack
of this checkout keeps serving; the services and the gateway need their
usual ports, so nothing else may be running on them.

    uv run python -m bench.system_startup
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = (8001, 8002, 8003, 8004, 8080, 1025, 8025)
CLONE_STACK = {
    "KISALLI_PG_PORT": "55532",
    "KISALLI_KAFKA_PORT": "9192",
    "KISALLI_KAFKA_CONTROLLER_PORT": "9193",
}


# Where make install puts uv when it is not on the PATH.
UV = shutil.which("uv") or str(Path.home() / ".local/bin/uv")


def taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def environment() -> dict[str, str]:
    # The clone finds its own stack, not the servers of this shell.
    skipped = {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "VIRTUAL_ENV"}
    kept = {k: v for k, v in os.environ.items() if k not in skipped}
    return {**kept, **CLONE_STACK}


def timed(clone: Path, *command: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=clone, env=environment(), check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def measure(clone: Path) -> dict[str, float]:
    run, stack = "deploy/local/run.sh", "deploy/local/stack.sh"
    figures = {"install": timed(clone, UV, "sync", "--all-packages", "--frozen")}
    try:
        figures["cold"] = timed(clone, "bash", run, "start")
        timed(clone, "bash", run, "stop")
        timed(clone, "bash", stack, "down")
        figures["warm"] = timed(clone, "bash", run, "start")
        timed(clone, "bash", run, "stop")
        figures["services only"] = timed(clone, "bash", run, "start")
    finally:
        subprocess.run(["bash", run, "stop"], cwd=clone, env=environment())
        subprocess.run(["bash", stack, "wipe"], cwd=clone, env=environment())
    return figures


def main() -> None:
    busy = [port for port in PORTS if taken(port)]
    if busy:
        raise SystemExit(f"ports {busy} are taken; stop the running system first")
    maven = Path.home() / ".m2" / "repository" / "org" / "apache" / "kafka"
    clone = Path(tempfile.mkdtemp(prefix="kisalli-startup-"))
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        figures = measure(clone)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
    print(f"start in a fresh clone (Kafka jars in ~/.m2: {maven.is_dir()}):")
    for name, seconds in figures.items():
        print(f"  {name:14} {seconds:6.1f} s")
    print(f"  make run, cold {figures['install'] + figures['cold']:6.1f} s")


if __name__ == "__main__":
    main()
