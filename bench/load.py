"""Feedback submissions and logins per second through the gateway, next to
a ceiling measured in the same run on the same machine.

1. Submissions: a tutor submits ready drafts (POST /feedback/{id}/submit),
   each once, at each concurrency level (bench/load_office.py makes them).
2. Logins: POST /api/accounts/sessions with right passwords, spread over
   many accounts and many 127.x source addresses, so that neither the
   gateway's limit per address nor accounts' slowdown per account is met:
   what is measured is the service, whose Argon2 hashing is CPU bound by
   design.
3. The ceiling: bench/ceiling_app.py (FastAPI, asyncpg, one INSERT, one
   uvicorn worker like each service) reached directly, and through a
   private nginx running the system's own gateway configuration.

At each level the ceiling is measured first, then the submissions, with a
rest between, so that all three meet the machine in the same state. The
same closed-loop client (bench/measure.py) measures everything; only 2xx
answers count. Uses a running system (make run), or starts one and stops
it afterwards.

    uv run python -m bench.load [--levels 1,8,32] [--seconds 8] [--help]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from contextlib import AsyncExitStack

import httpx

from bench.ceiling import measure_ceiling, running_ceiling
from bench.common import DATABASE_URL, KAFKA, scratch_database
from bench.load_office import (
    LOGINS_PER_ADDRESS,
    Office,
    log_in_again,
    prepare_office,
)
from bench.load_report import Argon2, Row, report_logins, report_submissions
from bench.measure import Level, load_client, measure
from kisalli_accounts.adapters.hashing import PasswordHashing
from kisalli_accounts.bootstrap import Settings as AccountsSettings
from kisalli_shared.settings import ServiceSettings
from tests.e2e.clients import gateway_client
from tests.e2e.journey import new_password
from tests.e2e.system import System, running_system
from tests.servers import Servers

FEEDBACKS_PER_CONTRACT = 18
WARM_UP = 20


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    add = parser.add_argument
    add("--levels", default="1,8,32", help="concurrency levels (default 1,8,32)")
    add("--seconds", type=float, default=8.0, help="at most, per measurement")
    add("--submissions", type=int, default=300, help="at most, per level")
    add("--ceiling-requests", type=int, default=4000, help="at most, per level")
    add("--logins", type=int, default=60, help="at most, per level")
    add("--accounts", type=int, default=16, help="apprentices to log in as")
    add("--rest", type=float, default=2.0, help="seconds between measurements")
    return parser.parse_args()


async def measure_submissions(
    system: System, office: Office, drafts: list[str], concurrency: int, seconds: float
) -> Level:
    async def send(client: httpx.AsyncClient, number: int) -> httpx.Response:
        return await client.post(
            f"/api/feedback/feedback/{drafts[number]}/submit",
            headers=office.tutor.headers,
        )

    return await measure(
        lambda: load_client(system.gateway), send, concurrency, len(drafts), seconds
    )


async def measure_logins(
    system: System, office: Office, concurrency: int, requests: int, seconds: float
) -> Level:
    """Logins from a new address every LOGINS_PER_ADDRESS requests, whichever
    task sends them."""
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(gateway_client(system.gateway))
            for _ in range(math.ceil(requests / LOGINS_PER_ADDRESS))
        ]

        async def send(_: httpx.AsyncClient, number: int) -> httpx.Response:
            person = office.people[number % len(office.people)]
            return await clients[number // LOGINS_PER_ADDRESS].post(
                "/api/accounts/sessions",
                json={"login": person.email, "password": person.password},
            )

        return await measure(
            lambda: load_client(system.gateway), send, concurrency, requests, seconds
        )


async def argon2_cost(settings: dict[str, str]) -> Argon2:
    """The accounts service's hashing, and what one check costs here."""
    fields = AccountsSettings.model_fields

    def value(name: str) -> int:
        return int(settings.get(name.upper(), fields[name].default))

    time_cost, memory_kib, lanes = (
        value("argon2_time_cost"),
        value("argon2_memory_kib"),
        value("argon2_parallelism"),
    )
    hashing = PasswordHashing(
        time_cost=time_cost, memory_kib=memory_kib, parallelism=lanes
    )
    password = new_password()
    stored = await hashing.hash(password)
    checks = 5
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(checks):
        await hashing.verify(stored, password)
    return Argon2(
        f"argon2id t={time_cost} m={memory_kib // 1024} MiB p={lanes}",
        (time.perf_counter() - wall) / checks,
        (time.process_time() - cpu) / checks,
    )


def pool_size(system: System) -> int:
    """The services' database pool size, for the ceiling's."""
    default = ServiceSettings.model_fields["database_pool_size"].default
    return int(system.settings.get("DATABASE_POOL_SIZE", default))


async def run(system: System, args: argparse.Namespace) -> None:
    levels = [int(level) for level in args.levels.split(",")]
    wanted = WARM_UP + len(levels) * args.submissions
    contracts = math.ceil(wanted / FEEDBACKS_PER_CONTRACT)
    print(f"setting up {contracts} contracts of one tutor through {system.gateway}:")
    office = await prepare_office(system, contracts, args.accounts)
    drafts = iter(office.drafts)

    def take(count: int) -> list[str]:
        return [draft for _, draft in zip(range(count), drafts, strict=False)]

    rows: list[Row] = []
    async with (
        scratch_database() as dsn,
        running_ceiling(dsn, pool_size(system)) as ceiling,
    ):
        # Not counted: connections, pools and first calls warm up.
        warm_up = [
            await measure_ceiling(ceiling.direct, 4, 200, 2),
            await measure_ceiling(ceiling.through_nginx, 4, 200, 2),
        ]
        await measure_submissions(system, office, take(WARM_UP), 4, 10)
        for concurrency in levels:
            await asyncio.sleep(args.rest)
            direct = await measure_ceiling(
                ceiling.direct, concurrency, args.ceiling_requests, args.seconds
            )
            await asyncio.sleep(args.rest)
            through_nginx = await measure_ceiling(
                ceiling.through_nginx, concurrency, args.ceiling_requests, args.seconds
            )
            await log_in_again(system, office.tutor)
            await asyncio.sleep(args.rest)
            submissions = await measure_submissions(
                system, office, take(args.submissions), concurrency, args.seconds
            )
            rows.append(Row(submissions, direct, through_nginx))
            print(f"  concurrency {concurrency} measured", flush=True)
        ceiling_levels = [*warm_up, *(r.direct for r in rows)]
        ceiling_levels += [r.through_nginx for r in rows]
        answered = sum(level.done for level in ceiling_levels)
        stored = await ceiling.stored_rows()

    argon2 = await argon2_cost(system.settings)
    logins = []
    for concurrency in levels:
        await asyncio.sleep(args.rest)
        logins.append(
            await measure_logins(system, office, concurrency, args.logins, args.seconds)
        )
    report_submissions(rows, stored, answered)
    report_logins(logins, len(office.people), LOGINS_PER_ADDRESS, argon2)


def main() -> None:
    args = options()
    servers = Servers(kafka=KAFKA, database_url=DATABASE_URL, can_restart_kafka=False)
    with running_system(servers) as system:
        asyncio.run(run(system, args))


if __name__ == "__main__":
    main()
