"""The faults: a bounded plan drawn from the seed, fired one at a time.

A service process (each in turn, in an order drawn from the seed) is
killed with SIGKILL and started again; Kafka and PostgreSQL are restarted
through stack.sh, keeping their data. The plan holds a fixed number of
each kind, in an order drawn from the seed, so a run always ends and
always injects what it promised.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kisalli_faults.supervisor import Supervisor
from kisalli_faults.system import SERVICES, Stack

KILL = "kill"
KAFKA = "kafka"
POSTGRES = "postgres"
PAYMENT_KILL = "kill during a payment run"


@dataclass(frozen=True)
class Plan:
    kills: int
    kafka_restarts: int
    postgres_restarts: int
    interval: float
    # Kills of payments a moment after a payment run is asked for, where a
    # batch is recorded and its bank file written.
    payment_kills: int = 0

    @property
    def span(self) -> float:
        """About how long the plan takes."""
        return (self.kills + self.kafka_restarts + self.postgres_restarts) * (
            self.interval
        )

    def draw(self, rng: random.Random) -> list[str]:
        kinds = (
            [KILL] * self.kills
            + [KAFKA] * self.kafka_restarts
            + [POSTGRES] * self.postgres_restarts
        )
        rng.shuffle(kinds)
        return kinds


@dataclass
class Injector:
    plan: Plan
    stack: Stack
    supervisor: Supervisor
    rng: random.Random
    say: Callable[[str], None]
    injected: Counter[str] = field(default_factory=Counter)
    killed: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    _victims: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, deadline: float) -> None:
        """Fire the plan, one fault per interval, until done or the deadline."""
        for kind in self.plan.draw(self.rng):
            if self._stop.wait(self._pause()) or time.monotonic() > deadline:
                return
            self._revive()
            try:
                self._inject(kind)
            except Exception as exc:  # a failed fault is told in the report
                self.failures.append(f"{kind}: {exc}")
                self.say(f"fault {kind} failed: {exc}")
        self._revive()

    def stop(self) -> None:
        self._stop.set()

    def during_payment_run(self) -> None:
        """Kill payments in a moment, if the plan has such kills left."""
        with self._lock:
            if self._stop.is_set() or self.injected[PAYMENT_KILL] >= (
                self.plan.payment_kills
            ):
                return
            self.injected[PAYMENT_KILL] += 1
            # The batch's transaction and file take some tens of ms.
            delay = self.rng.uniform(0.0, 0.15)
        threading.Thread(target=self._kill_payments, args=(delay,), daemon=True).start()

    def _kill_payments(self, delay: float) -> None:
        time.sleep(delay)
        self.say("fault: SIGKILL payments during a payment run")
        self.supervisor.kill_and_start("payments", 0.5)
        with self._lock:
            self.killed["payments"] += 1
            self.injected[KILL] += 1

    def _pause(self) -> float:
        # Not quite regular, so that faults meet the flows at different steps.
        return self.plan.interval * (0.5 + self.rng.random())

    def _victim(self) -> str:
        # Round the services in an order drawn anew each round, so that a
        # short plan still kills each of them.
        if not self._victims:
            self._victims = self.rng.sample(SERVICES, len(SERVICES))
        return self._victims.pop()

    def _inject(self, kind: str) -> None:
        if kind == KILL:
            service = self._victim()
            self.say(f"fault: SIGKILL {service}")
            # Down for a moment, as a crashed pod would be.
            self.supervisor.kill_and_start(service, self.rng.uniform(0.0, 2.0))
            with self._lock:
                self.killed[service] += 1
        else:
            self.say(f"fault: restarting {kind}")
            started = time.monotonic()
            self.stack.restart(kind)
            self.say(f"fault: {kind} back after {time.monotonic() - started:.0f} s")
        with self._lock:
            self.injected[kind] += 1

    def _revive(self) -> None:
        for name in self.supervisor.revive():
            self.say(f"{name} had exited by itself; started again")
