"""One fault run: start the system, drive the flows under faults, settle,
check, and stop everything that was started."""

from __future__ import annotations

import asyncio
import queue
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

from kisalli_demo.client import DemoError
from kisalli_faults import checks, evidence
from kisalli_faults.calls import FlowError, Ledger
from kisalli_faults.faults import Injector, Plan
from kisalli_faults.flows import ContractFlow, Office, pay
from kisalli_faults.office import open_office
from kisalli_faults.people import activate
from kisalli_faults.report import Outcome
from kisalli_faults.sessions import Session
from kisalli_faults.settling import read_models_match, settle
from kisalli_faults.supervisor import Supervisor
from kisalli_faults.system import REPO, Stack


@dataclass(frozen=True)
class Options:
    contracts: int
    workers: int
    batch_every: int
    duration: float
    settle_timeout: float
    wait_timeout: float
    plan: Plan
    seed: int


@dataclass
class Run:
    options: Options
    stack: Stack
    say: Callable[[str], None]
    ledger: Ledger = field(default_factory=Ledger)
    failures: list[str] = field(default_factory=list)
    completed: int = 0
    batches: int = 0
    _flows_started: float = 0.0
    _injector: Injector | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def execute(self) -> Outcome:
        started = time.monotonic()
        plan = self.options.plan
        self.say(
            f"{self.options.contracts} contracts, {plan.kills} kills,"
            f" {plan.kafka_restarts} Kafka and {plan.postgres_restarts} PostgreSQL"
            f" restarts about every {plan.interval:.0f} s, seed {self.options.seed}"
        )
        self.say(f"state folder {self.stack.state}; starting Kafka and PostgreSQL")
        self.stack.prepare()
        supervisor = Supervisor(self.stack)
        try:
            self.say("starting the mail catcher, the services and the gateway")
            supervisor.start_all()
            outcome = self._drive(supervisor)
        finally:
            supervisor.stop_all()
        outcome.seconds = time.monotonic() - started
        return outcome

    def _drive(self, supervisor: Supervisor) -> Outcome:
        office = self._office(supervisor)
        injector, not_ready = self._under_faults(office, supervisor)
        self.say(f"flows done: {self.completed} of {self.options.contracts}; settling")
        settle_started = time.monotonic()
        waiting, written = self._settle(office, supervisor)
        settled = time.monotonic() - settle_started
        self.say(f"settled in {settled:.0f} s; checking")
        found = asyncio.run(evidence.gather(self.stack))
        results = checks.all_checks(self.ledger.writes, found)
        results.append(asyncio.run(read_models_match(self.stack)))
        return Outcome(
            contracts=self.options.contracts,
            completed=self.completed,
            flow_failures=self.failures,
            writes=len(self.ledger.writes),
            retried=self.ledger.retried,
            refused_tokens=self.ledger.refused_tokens,
            server_errors=self.ledger.server_errors,
            batches=self.batches,
            injected=dict(injector.injected),
            killed=dict(injector.killed),
            fault_failures=injector.failures
            + [f"not ready after the faults: {name}" for name in not_ready],
            unexpected_exits=dict(supervisor.unexpected_exits),
            unsettled=waiting,
            settle_seconds=settled,
            files_written_late=written,
            checks=results,
        )

    def _under_faults(
        self, office: Office, supervisor: Supervisor
    ) -> tuple[Injector, list[str]]:
        """The flows with the fault plan beside them; what is not ready after."""
        rng = random.Random(self.options.seed)  # noqa: S311 (a fault plan, no secret)
        injector = Injector(self.options.plan, self.stack, supervisor, rng, self.say)
        self._injector = injector
        deadline = time.monotonic() + self.options.duration
        faults = threading.Thread(target=injector.run, args=(deadline,), daemon=True)
        faults.start()
        self._flows(office, deadline)
        faults.join(max(0.0, deadline - time.monotonic()) + 120.0)
        injector.stop()
        return injector, supervisor.wait_ready(list(supervisor.commands), 180.0)

    def _settle(self, office: Office, supervisor: Supervisor) -> tuple[list[str], int]:
        """Settle, pay what became payable, settle again and write the bank
        files a killed payments process left; what it still waits for, and
        how many files were left."""
        asyncio.run(settle(self.stack, self.options.settle_timeout))
        with self._calls() as calls:
            self._pay(office, calls, final=True)
        waiting = asyncio.run(settle(self.stack, self.options.settle_timeout))
        return waiting, self._write_bank_files(supervisor)

    # -- the office ----------------------------------------------------------

    def _calls(self) -> Session:
        return Session(self.stack, self.ledger, self.options.wait_timeout)

    def _office(self, supervisor: Supervisor) -> Office:
        office = open_office(supervisor.environment(), self.ledger)
        timeout = self.options.wait_timeout
        with self._calls() as session:
            activate(session.calls, session.mail, office.staff, timeout)
        self.say(f"office {office.office_id}: staff account activated")
        return office

    # -- flows ---------------------------------------------------------------

    def _flows(self, office: Office, deadline: float) -> None:
        self._flows_started = time.monotonic()
        numbers: queue.Queue[int] = queue.Queue()
        for number in range(1, self.options.contracts + 1):
            numbers.put(number)
        workers = [
            threading.Thread(
                target=self._work, args=(office, numbers, deadline, n), daemon=True
            )
            for n in range(self.options.workers)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()) + 300.0)

    def _work(
        self, office: Office, numbers: queue.Queue[int], deadline: float, n: int
    ) -> None:
        fake = Faker("fi_FI")
        fake.seed_instance(self.options.seed * 1000 + n)
        with self._calls() as session:
            while time.monotonic() < deadline:
                try:
                    number = numbers.get_nowait()
                except queue.Empty:
                    return
                self._wait_turn(number, deadline)
                flow = ContractFlow(
                    office,
                    number,
                    session.calls,
                    session.mail,
                    fake,
                    self.options.wait_timeout,
                    lambda: time.monotonic() > deadline,
                )
                self._one(flow, office, session)

    def _wait_turn(self, number: int, deadline: float) -> None:
        """Spread the contracts' starts over the fault plan's span, so that
        faults meet flows at every step rather than after they are done."""
        span = self.options.plan.span
        start = self._flows_started + span * (number - 1) / self.options.contracts
        time.sleep(max(0.0, min(start, deadline) - time.monotonic()))

    def _one(self, flow: ContractFlow, office: Office, session: Session) -> None:
        try:
            flow.run()
        except (FlowError, DemoError) as exc:
            with self._lock:
                self.failures.append(f"contract {flow.number}: {exc}")
            self.say(f"contract {flow.number}: gave up: {exc}")
            return
        with self._lock:
            self.completed += 1
            due = self.completed % self.options.batch_every == 0
        self.say(f"contract {flow.number}: processed")
        if due:
            self._pay(office, session)

    def _pay(self, office: Office, session: Session, final: bool = False) -> None:
        with self._lock:
            self.batches += 1
            number = self.batches
        if self._injector is not None and not final:
            self._injector.during_payment_run()
        try:
            batch_id = pay(office, session.calls, number)
        except (FlowError, DemoError) as exc:
            with self._lock:
                self.failures.append(f"batch {number}: {exc}")
            return
        said = "nothing payable" if batch_id is None else f"batch {batch_id}"
        self.say(f"{'final ' if final else ''}payment run {number}: {said}")

    def _write_bank_files(self, supervisor: Supervisor) -> int:
        """What an operator runs after a crash: files of recorded batches
        that a killed payments process did not write."""
        env = {**supervisor.environment(), "DATABASE_NAME": "kisalli_payments"}
        done = subprocess.run(
            [sys.executable, "-m", "kisalli_payments", "write-files"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if done.returncode != 0:
            self.failures.append("kisalli_payments write-files failed")
            return 0
        return sum(1 for line in done.stdout.splitlines() if line.endswith(".xml"))
