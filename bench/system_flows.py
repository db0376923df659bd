"""The running system under a stream of feedback flows, through the gateway.

Each flow: office staff sign a contract for a new apprentice (the tutor and
the employer are the same in every flow), the apprentice activates their
account from the caught email, the tutor submits an interim feedback, the
apprentice acknowledges it at once and office staff process it at once;
then payments is polled (every 10 ms) until the period's compensation is
there. Flows run one after another.

Measured per flow: submit to compensation calculated (the people acting
without delay), and process to compensation calculated (the events alone:
feedback's outbox, Kafka, payments' consumer and read model). Memory: the
resident set of each process at rest and after the flows.

Uses a running system (make run, deploy/local/run.sh start), or starts one
in the background and stops it afterwards.

    uv run python -m bench.system_flows [--flows 100]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import httpx

from bench.common import DATABASE_URL, KAFKA, percentile
from tests.e2e.clients import Mailbox, gateway_client
from tests.e2e.journey import Journey, Person
from tests.e2e.system import System, running_system
from tests.servers import ROOT, Servers

PROCESSES = {
    "accounts": "kisalli_accounts serve",
    "feedback": "kisalli_feedback serve",
    "payments": "kisalli_payments serve",
    "notifications": "kisalli_notifications serve",
    "mail catcher": "kisalli_notifications.mailcatcher",
    "gateway": "nginx: ",
}


def _command(pid: str) -> str:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _run_by_our_honcho(pid: str) -> bool:
    # Tests may run services of their own beside the system; ours descend
    # from the honcho that runs this checkout's Procfile.
    procfile = str(ROOT / "deploy" / "local" / "Procfile")
    for _ in range(4):
        status = Path(f"/proc/{pid}/status").read_text()
        pid = next(
            line.split()[1] for line in status.splitlines() if line.startswith("PPid:")
        )
        if pid == "0":
            return False
        if "honcho" in _command(pid) and procfile in _command(pid):
            return True
    return False


def resident_memory() -> dict[str, float]:
    """MiB resident per process of the system, found by its command line."""
    found: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = _command(proc.name)
            status = (proc / "status").read_text()
            ours = _run_by_our_honcho(proc.name)
        except OSError:
            continue
        for name, marker in PROCESSES.items():
            if ours and marker in command:
                kib = next(
                    int(line.split()[1])
                    for line in status.splitlines()
                    if line.startswith("VmRSS:")
                )
                found[name] = found.get(name, 0.0) + kib / 1024
    return found


async def one_flow(
    journey: Journey, staff: Person, tutor: Person, number: int
) -> tuple[float, float]:
    contract = await journey.sign_contract(staff, number)
    # Each apprentice logs in from an address of their own, as apprentices
    # do; from one address, the gateway's limit of logins per address
    # (burst 20, then 1/s) would pace the flows.
    async with gateway_client(str(journey.gateway.base_url)) as own:
        student = await journey.through(own).activate(contract.student_email)
    await journey.sees_contract(tutor, contract.contract_id)

    submitted = time.perf_counter()
    feedback_id = await journey.submit_interim_feedback(tutor, contract.contract_id)
    await journey.acknowledge(student, feedback_id)
    await journey.process(staff, feedback_id)
    processed = time.perf_counter()
    await journey.compensation(staff, contract.contract_id, interval=0.01)
    calculated = time.perf_counter()
    return calculated - submitted, calculated - processed


async def run_flows(system: System, flows: int) -> tuple[list[float], list[float]]:
    async with (
        gateway_client(system.gateway) as gateway,
        httpx.AsyncClient(base_url=system.mail_api, timeout=30.0) as mail,
    ):
        journey = Journey(gateway, Mailbox(mail))
        staff = await journey.activate(journey.create_first_office_staff(system))
        first = await journey.sign_contract(staff, 0)
        tutor = await journey.activate(first.tutor_email)
        from_submit, from_process = [], []
        logged_in = time.monotonic()
        for number in range(1, flows + 1):
            # Access tokens last 15 minutes; logging in for every flow would
            # meet the gateway's limit of logins per address.
            if time.monotonic() - logged_in > 600:
                tutor.token = await journey.log_in(tutor.email, tutor.password)
                staff.token = await journey.log_in(staff.email, staff.password)
                logged_in = time.monotonic()
            submit_s, process_s = await one_flow(journey, staff, tutor, number)
            from_submit.append(submit_s)
            from_process.append(process_s)
            if number % 10 == 0:
                print(f"  {number} flows", flush=True)
        return from_submit, from_process


def report(name: str, seconds: list[float]) -> None:
    print(
        f"  {name:34} p50 {percentile(seconds, 0.50) * 1000:7.0f} ms"
        f"   p99 {percentile(seconds, 0.99) * 1000:7.0f} ms"
        f"   max {max(seconds) * 1000:7.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=100)
    flows = parser.parse_args().flows
    servers = Servers(kafka=KAFKA, database_url=DATABASE_URL, can_restart_kafka=False)
    with running_system(servers) as system:
        at_rest = resident_memory()
        print(f"{flows} flows through {system.gateway}:")
        from_submit, from_process = asyncio.run(run_flows(system, flows))
        after = resident_memory()
    report("submit → compensation calculated", from_submit)
    report("process → compensation calculated", from_process)
    print("resident memory (MiB)      at rest   after the flows")
    for name in PROCESSES:
        print(f"  {name:22} {at_rest.get(name, 0):9.0f} {after.get(name, 0):13.0f}")


if __name__ == "__main__":
    main()
