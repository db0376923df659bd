"""Run the mail catcher: python -m kisalli_notifications.mailcatcher --help"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path

from kisalli_notifications.mailcatcher import MailCatcher


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kisalli_notifications.mailcatcher")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("MAILCATCHER_DIR", "deploy/local/.state/mail")),
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args(argv)

    catcher = MailCatcher(
        args.state_dir,
        host=args.host,
        smtp_port=args.smtp_port,
        http_port=args.http_port,
    )
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    catcher.start()
    print(
        f"mail catcher: SMTP on {args.host}:{catcher.smtp_port},"
        f" messages at {catcher.api_url}/messages, files in {args.state_dir}",
        flush=True,
    )
    stopping.wait()
    catcher.stop()


if __name__ == "__main__":
    main()
