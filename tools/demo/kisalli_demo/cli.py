"""kisalli-demo: load a demo apprenticeship office into the running system."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from datetime import date

from kisalli_demo.client import DemoError, Routes
from kisalli_demo.loader import Target, load
from kisalli_demo.office import DEFAULT_DEMO_DAY, DEFAULT_SEED, draw_office

NOTICE = (
    "These are demo accounts with made-up people; their password is printed"
    " because it is demo data. Never print real credentials."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kisalli-demo",
        description="Load a demo apprenticeship office through the gateway:"
        " office staff, tutors, apprentices, employers and contracts in several"
        " states. Running it again changes nothing.",
    )
    parser.add_argument(
        "--base-url",
        default="http://127.0.0.1:8080",
        help="the gateway; services are under /api/<service> (default %(default)s)",
    )
    parser.add_argument(
        "--direct",
        action="store_true",
        help="skip the gateway: each service on its own port, 8001-8004"
        " or $KISALLI_<SERVICE>_PORT",
    )
    parser.add_argument(
        "--service-url",
        action="append",
        default=[],
        metavar="SERVICE=URL",
        help="reach one service at this URL, without a prefix (repeatable)",
    )
    parser.add_argument(
        "--mail-url",
        default="http://127.0.0.1:8025",
        help="the mail catcher's HTTP API (default %(default)s)",
    )
    parser.add_argument(
        "--accounts-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for `python -m kisalli_accounts create-office-staff`"
        " on top of this environment (DATABASE_NAME defaults to kisalli_accounts)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--demo-day",
        type=date.fromisoformat,
        default=DEFAULT_DEMO_DAY,
        help="the day the demo's story has reached (default %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for events to reach another service",
    )
    return parser


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise SystemExit(f"kisalli-demo: {what} takes NAME=VALUE, not {value!r}")
        pairs[name] = setting
    return pairs


def _routes(args: argparse.Namespace) -> Routes:
    routes = Routes.direct() if args.direct else Routes.gateway(args.base_url)
    overrides = _pairs(args.service_url, "--service-url")
    unknown = set(overrides) - set(routes.bases)
    if unknown:
        raise SystemExit(f"kisalli-demo: no service called {', '.join(unknown)}")
    return Routes({**routes.bases, **overrides})


def accounts_environment(
    environ: Mapping[str, str], overrides: Mapping[str, str]
) -> dict[str, str]:
    env = {"DATABASE_NAME": "kisalli_accounts", **environ, **overrides}
    return env


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    target = Target(
        routes=_routes(args),
        mail_url=args.mail_url,
        accounts_env=accounts_environment(
            os.environ, _pairs(args.accounts_env, "--accounts-env")
        ),
        timeout=args.timeout,
    )
    office = draw_office(args.seed, args.demo_day)
    print(f"Loading {office.name} (seed {office.seed}, story at {office.demo_day})")
    try:
        loaded = load(office, target, lambda line: print(line, flush=True))
    except DemoError as exc:
        print(f"kisalli-demo: {exc}", file=sys.stderr)
        return 1
    print()
    print("\n".join(loaded.census.lines()))
    print()
    print(NOTICE)
    print(loaded.logins)
    return 0
