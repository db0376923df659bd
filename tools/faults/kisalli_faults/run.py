"""One fault run: start the system, drive the flows under faults, settle,
check, and stop everything that was started."""

from __future__ import annotations

import asyncio
import queue
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from faker import Faker

from kisalli_demo.client import Api, DemoError, Routes
from kisalli_demo.mail import MailCatcher
from kisalli_faults import checks, evidence
from kisalli_faults.calls import Calls, FlowError, Ledger
from kisalli_faults.faults import Injector, Plan
from kisalli_faults.flows import ContractFlow, Office, pay
from kisalli_faults.people import Person, activate
from kisalli_faults.report import Outcome
from kisalli_faults.settling import read_models_match, settle
from kisalli_faults.supervisor import Supervisor
from kisalli_faults.system import REPO, Stack

_CREATED = re.compile(r"\(([0-9a-f-]{36})\)")


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

    def _calls(self) -> _Session:
        return _Session(self.stack, self.ledger, self.options.wait_timeout)

    def _office(self, supervisor: Supervisor) -> Office:
        run = uuid.uuid4().hex[:8]
        staff = Person("Outi Toimisto", f"staff-{run}@faults.kisalli.example")
        office = Office(run, f"toimisto-faults-{run}", staff)
        command = [
            sys.executable,
            "-m",
            "kisalli_accounts",
            "create-office-staff",
            f"--office-id={office.office_id}",
            f"--username=staff-{run}",
            f"--email={staff.email}",
            f"--name={staff.name}",
        ]
        env = {**supervisor.environment(), "DATABASE_NAME": "kisalli_accounts"}
        done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            command, env=env, capture_output=True, text=True, check=False, cwd=REPO
        )
        created = _CREATED.search(done.stdout)
        if done.returncode != 0 or created is None:
            raise FlowError(f"create-office-staff failed: {done.stderr.strip()[-300:]}")
        self.ledger.record(
            "create office staff",
            "accounts",
            f"account-{created.group(1)}",
            "AccountCreated",
        )
        with self._calls() as calls:
            activate(calls.calls, calls.mail, staff, self.options.wait_timeout)
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

    def _one(self, flow: ContractFlow, office: Office, session: _Session) -> None:
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

    def _pay(self, office: Office, session: _Session, final: bool = False) -> None:
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


class _Session:
    """One client address's HTTP clients: the gateway's and the mail catcher's."""

    def __init__(self, stack: Stack, ledger: Ledger, timeout: float) -> None:
        # An address of its own, so the gateway's login pace is per worker.
        octets = random.randint(1, 254), random.randint(1, 254)  # noqa: S311
        transport = httpx.HTTPTransport(local_address=f"127.0.{octets[0]}.{octets[1]}")
        self.http = httpx.Client(transport=transport, timeout=30.0)
        self.mail_http = httpx.Client(timeout=30.0)
        api = Api(Routes.gateway(stack.gateway), self.http)
        self.calls = Calls(api, ledger, patience=max(timeout, 60.0))
        self.mail = MailCatcher(stack.mail_api, self.mail_http)

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()
        self.mail_http.close()
