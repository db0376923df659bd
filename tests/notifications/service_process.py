"""Runs the notifications service as its own process, so a test can SIGKILL it.

Settings come from the environment, as in production.
"""

from __future__ import annotations

import asyncio

from kisalli_notifications.bootstrap import Settings, build_service


async def main() -> None:
    service = build_service(Settings())
    await service.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
