"""python -m kisalli_feedback serve|migrate|rebuild|verify-read-models|new-key"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import uvicorn

from kisalli_feedback.bootstrap import MIGRATIONS, FeedbackApp, Settings, build
from kisalli_shared.logs import configure_logging
from kisalli_shared.migrations import apply_migrations
from kisalli_shared.sealed import new_key


def main() -> None:
    parser = argparse.ArgumentParser(prog="kisalli_feedback")
    parser.add_argument(
        "command",
        choices=["serve", "migrate", "rebuild", "verify-read-models", "new-key"],
    )
    command = parser.parse_args().command
    if command == "new-key":
        print(new_key())
        return
    settings = Settings()
    configure_logging("feedback", level=settings.log_level, json=settings.log_json)
    if command == "serve":
        # uvicorn's own logging set-up would bring its access log back
        # beside the one line per request configure_logging gives.
        app = build(settings).app
        uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)
    elif command == "migrate":
        print(f"applied {apply_migrations(settings.dsn, MIGRATIONS)} migrations")
    elif command == "rebuild":
        print(f"replayed {asyncio.run(_offline(build(settings), rebuild=True))} events")
    else:
        found = asyncio.run(_offline(build(settings), rebuild=False))
        print(json.dumps(found, indent=2))
        sys.exit(1 if found else 0)


async def _offline(feedback: FeedbackApp, *, rebuild: bool) -> object:
    await feedback.runtime.start(background=False)
    try:
        if rebuild:
            return await feedback.rebuild_read_models()
        return await feedback.read_model_differences()
    finally:
        await feedback.runtime.stop()


if __name__ == "__main__":
    main()
