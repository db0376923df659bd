"""The run's figures and checks, for a person and as JSON for a test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kisalli_faults.checks import Check
from kisalli_faults.faults import PAYMENT_KILL

# Enough violations of one check to see what kind they are.
SHOWN = 10


@dataclass
class Outcome:
    contracts: int
    completed: int
    flow_failures: list[str]
    writes: int
    retried: int
    refused_tokens: int
    server_errors: int
    batches: int
    injected: dict[str, int]
    killed: dict[str, int]
    fault_failures: list[str]
    unexpected_exits: dict[str, int]
    unsettled: list[str]
    settle_seconds: float
    files_written_late: int
    checks: list[Check]
    seconds: float = 0.0

    @property
    def violations(self) -> int:
        return sum(len(check.violations) for check in self.checks)

    @property
    def ok(self) -> bool:
        """No violation, and the run itself did all it set out to do."""
        unfinished = self.flow_failures or self.fault_failures or self.unsettled
        return self.violations == 0 and not unfinished

    def lines(self) -> list[str]:
        kills = ", ".join(f"{name} {n}" for name, n in sorted(self.killed.items()))
        out = [
            "",
            f"Flows: {self.completed} of {self.contracts} contracts processed,"
            f" {self.batches} payment runs, {self.writes} writes answered with"
            f" success, {self.retried} requests sent again,"
            f" {self.refused_tokens} good tokens refused with 401,"
            f" {self.server_errors} answers 500 during faults",
            f"Faults: {self.injected.get('kill', 0)} SIGKILLs ({kills or 'none'};"
            f" {self.injected.get(PAYMENT_KILL, 0)} during payment runs),"
            f" {self.injected.get('kafka', 0)} Kafka restarts,"
            f" {self.injected.get('postgres', 0)} PostgreSQL restarts",
            f"Settled in {self.settle_seconds:.0f} s;"
            f" {self.files_written_late} bank files written after a crash",
        ]
        for what in self.flow_failures:
            out.append(f"  flow failed: {what}")
        for what in self.fault_failures:
            out.append(f"  fault failed: {what}")
        for name, n in sorted(self.unexpected_exits.items()):
            out.append(f"  {name} exited by itself {n} times")
        if self.unsettled:
            still = ", ".join(self.unsettled)
            out.append(f"  did not settle, still waiting for {still}")
        out.append("Checks:")
        for check in self.checks:
            mark = "ok  " if check.ok else "FAIL"
            out.append(
                f"  [{mark}] {check.title}: {check.checked} checked,"
                f" {len(check.violations)} violations"
            )
            out.extend(f"         {note}" for note in check.notes)
            out.extend(f"         - {v}" for v in check.violations[:SHOWN])
            if len(check.violations) > SHOWN:
                out.append(f"         ... and {len(check.violations) - SHOWN} more")
        out.append(f"Violations: {self.violations}; wall time {self.seconds:.0f} s")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "contracts": self.contracts,
            "completed": self.completed,
            "flow_failures": self.flow_failures,
            "writes": self.writes,
            "batches": self.batches,
            "retried": self.retried,
            "refused_tokens": self.refused_tokens,
            "server_errors": self.server_errors,
            "injected": self.injected,
            "killed": self.killed,
            "fault_failures": self.fault_failures,
            "unexpected_exits": self.unexpected_exits,
            "unsettled": self.unsettled,
            "seconds": round(self.seconds, 1),
            "violations": self.violations,
            "checks": [
                {
                    "title": c.title,
                    "checked": c.checked,
                    "violations": c.violations,
                    "notes": c.notes,
                }
                for c in self.checks
            ],
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n")
