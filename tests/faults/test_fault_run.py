"""The fault-injection run, short: a few contracts through a system of the
run's own (its own state folder and ports) while services are killed and
Kafka and PostgreSQL restart; nothing may be lost or done twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHORT_RUN = [
    "--contracts=3",
    "--batch-every=2",
    "--kills=3",
    "--kafka-restarts=1",
    "--postgres-restarts=1",
    "--fault-interval=6",
    "--duration=300",
    "--settle-timeout=120",
]
# A run takes about two minutes on two cores; this is for a bad day.
WAIT_SECONDS = 720


@pytest.mark.slow
@pytest.mark.timeout(WAIT_SECONDS + 180)
def test_a_short_fault_run_injects_every_kind_of_fault_and_finds_no_violation(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "kisalli_faults", *SHORT_RUN]
    with subprocess.Popen(
        [*command, f"--report-json={report}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as run:
        try:
            stdout, stderr = run.communicate(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            # TERM lets the run stop its processes and its stack by itself.
            run.terminate()
            stdout, stderr = run.communicate(timeout=120)
    said = f"{stdout[-6000:]}\n{stderr[-3000:]}"

    assert report.exists(), said
    figures = json.loads(report.read_text())
    assert figures["violations"] == 0, said
    injected = figures["injected"]
    missing = [k for k in ("kill", "kafka", "postgres") if not injected.get(k)]
    assert missing == [], said
    assert figures["completed"] == 3, said
    assert all(check["checked"] > 0 for check in figures["checks"]), said
    assert run.returncode == 0, said
