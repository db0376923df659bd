"""python -m kisalli_accounts serve | migrate | rebuild | create-office-staff."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from kisalli_accounts.bootstrap import MIGRATIONS, Settings, build
from kisalli_shared.logs import configure_logging
from kisalli_shared.migrations import apply_migrations

# Office ids travel in tokens, events and URLs: plain words only.
_OFFICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _office_id(text: str) -> str:
    if not _OFFICE_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            "an office id is 1 to 64 letters a-z, digits, '.', '_' or '-',"
            " starting with a letter or a digit"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kisalli_accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP API, relay and consumer")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("rebuild", help="rebuild read models from the events")
    staff = commands.add_parser(
        "create-office-staff",
        help="create an office staff account; an activation email follows",
    )
    staff.add_argument("--office-id", required=True, type=_office_id)
    staff.add_argument("--username", required=True)
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True)
    staff.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
    args = parser.parse_args(argv)

    settings = Settings()
    configure_logging("accounts", level=settings.log_level, json=settings.log_json)
    if args.command == "serve":
        return _serve(settings)
    if args.command == "migrate":
        applied = apply_migrations(settings.dsn, MIGRATIONS)
        print(f"{applied} migrations applied")
        return 0

    from kisalli_accounts import commands as run

    if args.command == "rebuild":
        replayed = asyncio.run(run.rebuild(settings))
        print(f"read models rebuilt from {replayed} events")
        return 0
    return asyncio.run(
        run.create_office_staff(
            settings,
            office_id=args.office_id,
            username=args.username,
            email=args.email,
            name=args.name,
            language=args.language,
        )
    )


def _serve(settings: Settings) -> int:
    import uvicorn

    service = build(settings)
    uvicorn.run(service.app, host=settings.host, port=settings.port, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
