"""python -m kisalli_payments serve|migrate|rebuild|pay|write-files

`pay` is the scheduled job: a batch for every office with something to pay,
then every bank file not yet written. `write-files` only does the latter
(after a crash, say); running either again never pays a line twice.
"""

from __future__ import annotations

import argparse
import asyncio

import structlog
import uvicorn

from kisalli_payments.bootstrap import MIGRATIONS, PaymentsApp, Settings, build
from kisalli_payments.service_layer.paying import (
    BatchOrder,
    NoDebtorAccount,
    NothingToPay,
)
from kisalli_shared.eventstore import Causation
from kisalli_shared.logs import configure_logging
from kisalli_shared.migrations import apply_migrations

log = structlog.get_logger(__name__)


def main() -> None:
    parser = argparse.ArgumentParser(prog="kisalli_payments")
    parser.add_argument(
        "command", choices=["serve", "migrate", "rebuild", "pay", "write-files"]
    )
    command = parser.parse_args().command
    settings = Settings()
    configure_logging("payments", level=settings.log_level, json=settings.log_json)
    if command == "serve":
        # uvicorn's own logging set-up would bring its access log back
        # beside the one line per request configure_logging gives.
        app = build(settings).app
        uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)
    elif command == "migrate":
        print(f"applied {apply_migrations(settings.dsn, MIGRATIONS)} migrations")
    else:
        print(asyncio.run(_offline(build(settings), command)))


async def _offline(payments: PaymentsApp, command: str) -> str:
    await payments.runtime.start(background=False)
    try:
        services = payments.services
        if command == "rebuild":
            return f"replayed {await services.rebuild_read_models()} events"
        if command == "pay":
            await pay_every_office(payments)
        written = await services.paying.write_bank_files()
        return "\n".join(str(path) for path in written)
    finally:
        await payments.runtime.stop()


async def pay_every_office(payments: PaymentsApp) -> list[str]:
    """Make a batch for each office with payable compensations."""
    services = payments.services
    offices = await services.runtime.pool.fetch(
        "SELECT DISTINCT office_id FROM compensations WHERE status = 'payable'"
        " ORDER BY office_id"
    )
    made = []
    for row in offices:
        order = BatchOrder(row["office_id"], "scheduled-job", services.today())
        try:
            batch_id, _ = await services.paying.create_batch(order, Causation.new())
        except (NothingToPay, NoDebtorAccount) as exc:
            log.warning("office_not_paid", office_id=row["office_id"], why=repr(exc))
            continue
        made.append(batch_id)
    return made


if __name__ == "__main__":
    main()
