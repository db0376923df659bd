"""A real SMTP server that keeps what it receives, for the local stack and tests.

Messages are stored one file each in a maildir-like folder (written to
tmp/, then renamed into new/, so a reader never sees half a message) and
are read back through a small JSON API:

    GET    /messages        summaries, oldest first (?full=1: whole messages)
    GET    /messages/{id}   one message: headers, text and HTML parts, raw
    DELETE /messages        forget every message
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

_ID = re.compile(r"^[0-9]+-[0-9a-f]{12}$")


class Maildir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.new = root / "new"
        self.tmp = root / "tmp"
        self.new.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        # A delivered message never changes, so its summary is parsed once:
        # clients poll the listing, and parsing thousands of messages on
        # every poll took a whole core from the system beside it.
        self._summaries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def summaries(self) -> list[dict[str, Any]]:
        """A summary of every message, oldest first."""
        listing = []
        for message_id in self.ids():
            with self._lock:
                known = self._summaries.get(message_id)
            if known is None:
                raw = self.raw(message_id)
                if raw is None:
                    continue
                known = describe(message_id, raw, full=False)
                with self._lock:
                    self._summaries[message_id] = known
            listing.append(known)
        return listing

    def deliver(self, raw: bytes) -> str:
        message_id = f"{time.time_ns()}-{uuid.uuid4().hex[:12]}"
        partial = self.tmp / message_id
        partial.write_bytes(raw)
        partial.rename(self.new / f"{message_id}.eml")
        return message_id

    def ids(self) -> list[str]:
        return sorted(path.stem for path in self.new.glob("*.eml"))

    def raw(self, message_id: str) -> bytes | None:
        if not _ID.match(message_id):
            return None
        path = self.new / f"{message_id}.eml"
        return path.read_bytes() if path.exists() else None

    def clear(self) -> int:
        paths = list(self.new.glob("*.eml"))
        for path in paths:
            path.unlink(missing_ok=True)
        with self._lock:
            self._summaries.clear()
        return len(paths)


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    return None if body is None else str(body.get_content())


def describe(message_id: str, raw: bytes, *, full: bool) -> dict[str, Any]:
    parser = BytesParser(_class=EmailMessage, policy=policy.default)
    message = parser.parsebytes(raw, headersonly=not full)
    assert isinstance(message, EmailMessage)
    summary: dict[str, Any] = {
        "id": message_id,
        # Plain strings: header objects keep their whole parse tree, and
        # summaries are kept for every message.
        "envelope_to": [str(to) for to in message.get_all("X-Envelope-To", [])],
        "from": str(message.get("From", "")),
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
        "date": str(message.get("Date", "")),
        "message_id": str(message.get("Message-ID", "")),
        "language": str(message.get("Content-Language", "")),
    }
    if full:
        summary["headers"] = {k: str(v) for k, v in message.items()}
        summary["text"] = _part(message, "plain")
        summary["html"] = _part(message, "html")
        summary["raw"] = raw.decode("utf-8", errors="replace")
    return summary


class _SmtpHandler:
    def __init__(self, maildir: Maildir) -> None:
        self.maildir = maildir

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        # Who the message was handed to, as the SMTP envelope said.
        stamp = "".join(f"X-Envelope-To: {rcpt}\r\n" for rcpt in envelope.rcpt_tos)
        content = envelope.original_content or b""
        self.maildir.deliver(stamp.encode() + content)
        return "250 Message accepted for delivery"


def _http_handler(maildir: Maildir) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            path = path.rstrip("/")
            if path == "/messages":
                if "full=1" not in query.split("&"):
                    self._json(200, maildir.summaries())
                    return
                listing = []
                for message_id in maildir.ids():
                    raw = maildir.raw(message_id)
                    if raw is not None:
                        listing.append(describe(message_id, raw, full=True))
                self._json(200, listing)
                return
            if path.startswith("/messages/"):
                message_id = path.removeprefix("/messages/")
                raw = maildir.raw(message_id)
                if raw is not None:
                    self._json(200, describe(message_id, raw, full=True))
                    return
            self._json(404, {"title": "Not found", "status": 404})

        def do_DELETE(self) -> None:
            if self.path.rstrip("/") == "/messages":
                self._json(200, {"deleted": maildir.clear()})
                return
            self._json(404, {"title": "Not found", "status": 404})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per poll would drown everything else

    return Handler


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class MailCatcher:
    def __init__(
        self,
        state_dir: Path,
        *,
        host: str = "127.0.0.1",
        smtp_port: int = 1025,
        http_port: int = 8025,
    ) -> None:
        self.maildir = Maildir(state_dir)
        self.host = host
        self.smtp_port = smtp_port or free_port(host)
        self.http_port = http_port
        self._controller: Controller | None = None
        self._http: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    def start_smtp(self) -> None:
        controller = Controller(
            _SmtpHandler(self.maildir),
            hostname=self.host,
            port=self.smtp_port,
            ready_timeout=10.0,
        )
        controller.start()
        self._controller = controller

    def stop_smtp(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def start(self) -> None:
        self.start_smtp()
        self._http = ThreadingHTTPServer(
            (self.host, self.http_port), _http_handler(self.maildir)
        )
        self.http_port = self._http.server_address[1]
        self._http_thread = threading.Thread(
            target=self._http.serve_forever, name="mailcatcher-http", daemon=True
        )
        self._http_thread.start()

    def stop(self) -> None:
        self.stop_smtp()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._http_thread is not None:
            self._http_thread.join()
            self._http_thread = None
