"""The tables bench/load.py prints."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass

from bench.measure import Level


@dataclass
class Row:
    """One concurrency level of submissions and of the ceiling."""

    submissions: Level
    direct: Level
    through_nginx: Level

    def levels(self) -> dict[str, Level]:
        return {
            "submissions": self.submissions,
            "ceiling direct": self.direct,
            "ceiling nginx": self.through_nginx,
        }


@dataclass
class Argon2:
    parameters: str
    wall: float
    cpu: float


def paragraph(text: str) -> None:
    print(textwrap.fill(" ".join(text.split()), width=88))


def _figures(level: Level) -> str:
    return f"{level.rate:7.1f} {level.p(0.50):7.1f} {level.p(0.99):7.1f}"


def report_submissions(rows: list[Row], stored: int, answered: int) -> None:
    print()
    paragraph(
        """Feedback submissions (POST /feedback/{id}/submit, one ready draft
        each) go through the system's gateway: nginx, then the feedback
        service, one uvicorn worker. The ceiling is FastAPI + asyncpg doing one
        INSERT, one uvicorn worker, reached directly and through a private
        nginx with the gateway's own configuration. Requests per second;
        latencies in ms, of 2xx answers only; ratio = submissions / ceiling
        (target >= 0.5)."""
    )
    print()
    print(
        f"{'':5} | {'submissions through the gateway':^36} | {'ceiling, direct':^23}"
        f" | {'ceiling through nginx':^23} | {'ratio':^13}"
    )
    print(
        f"{'conc':>5} | {'n':>5} {'/s':>7} {'p50':>7} {'p99':>7} {'errors':>6}"
        f" | {'/s':>7} {'p50':>7} {'p99':>7} | {'/s':>7} {'p50':>7} {'p99':>7}"
        f" | {'direct':>6} {'nginx':>6}"
    )
    for row in rows:
        s, d, n = row.submissions, row.direct, row.through_nginx
        print(
            f"{s.concurrency:>5} | {s.done:>5} {_figures(s)} {s.error_count:>6}"
            f" | {_figures(d)} | {_figures(n)}"
            f" | {s.rate / max(d.rate, 1e-9):>6.2f} {s.rate / max(n.rate, 1e-9):>6.2f}"
        )
    for row in rows:
        for name, level in row.levels().items():
            if level.errors:
                print(f"  errors, {name} at {level.concurrency}: {level.error_text()}")
    print(f"ceiling rows stored: {stored}, answers 201: {answered}")
    print()
    paragraph(
        f"""CPU while measuring: this client's, of one core / the machine's, of
        all {os.cpu_count()} cores and whoever used them. Where the client
        nears one core, the ceiling is the client's, not the app's."""
    )
    for row in rows:
        cells = [
            f"{name} {level.client_cpu:4.0%} / {level.machine_cpu:4.0%}"
            for name, level in row.levels().items()
        ]
        print(f"{row.submissions.concurrency:>5} | " + " | ".join(cells))


def report_logins(
    levels: list[Level], accounts: int, per_address: int, argon2: Argon2
) -> None:
    cores = os.cpu_count() or 1
    print()
    paragraph(
        f"""Logins (POST /api/accounts/sessions) through the gateway, with the
        right passwords of {accounts} accounts, from a new 127.x address every
        {per_address} logins. The gateway's limit per address (1/s, burst 20)
        and accounts' slowdown and lock per account (after failures) are never
        met: this measures the accounts service, not the limiters (a 429 would
        show as an error). Passwords are hashed with {argon2.parameters}, CPU
        bound by design: one check in this process took
        {argon2.wall * 1000:.0f} ms ({argon2.cpu * 1000:.0f} ms of CPU), so
        {cores} idle cores check at most about {cores / argon2.cpu:.1f} a
        second."""
    )
    print()
    print(
        f"{'conc':>5} | {'n':>5} {'/s':>7} {'p50':>7} {'p99':>7} {'errors':>6}"
        f" | {'client CPU':>10} {'machine CPU':>11}"
    )
    for level in levels:
        print(
            f"{level.concurrency:>5} | {level.done:>5} {_figures(level)}"
            f" {level.error_count:>6} | {level.client_cpu:>10.0%}"
            f" {level.machine_cpu:>11.0%}"
        )
    for level in levels:
        if level.errors:
            print(f"  errors at {level.concurrency}: {level.error_text()}")
