"""python -m kisalli_notifications serve | migrate | send-reminders [--date D]"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime

import uvicorn

from kisalli_notifications.adapters.templates import HELSINKI
from kisalli_notifications.bootstrap import (
    MIGRATIONS,
    Settings,
    build_app,
    build_service,
)
from kisalli_shared.logs import configure_logging
from kisalli_shared.migrations import apply_migrations


async def _send_reminders(settings: Settings, day: date) -> int:
    service = build_service(settings)
    await service.runtime.start(background=False)
    try:
        return await service.send_reminders(day)
    finally:
        await service.runtime.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kisalli-notifications")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP API, consumer and delivery")
    commands.add_parser("migrate", help="apply database migrations")
    remind = commands.add_parser("send-reminders", help="queue one day's reminders")
    remind.add_argument("--date", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)

    settings = Settings()
    configure_logging("notifications", level=settings.log_level, json=settings.log_json)
    if args.command == "migrate":
        apply_migrations(settings.dsn, MIGRATIONS)
    elif args.command == "send-reminders":
        day = args.date or datetime.now(HELSINKI).date()
        queued = asyncio.run(_send_reminders(settings, day))
        print(f"{queued} reminder emails queued for {day.isoformat()}")
    else:
        app, _ = build_app(settings)
        uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
