"""A private nginx with the system's own gateway configuration, whose
upstreams are all one port: the ceiling app behind the same proxy setup the
services are behind (the same directives, headers, access log line and
keepalive pool to the upstream).

The placeholders are filled in as deploy/local/run.sh fills them. The access
log goes to a file of its own instead of through honcho.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import ROOT

TEMPLATE = ROOT / "deploy" / "local" / "gateway" / "nginx.conf"
# Those of run.sh's values the ceiling's requests never meet still have to
# make a valid configuration.
LIMITS = {
    "LOGIN_RATE": "1r/s",
    "LOGIN_BURST": "20",
    "LOGIN_RETRY_AFTER": "1",
    "RESET_RATE": "6r/m",
    "RESET_BURST": "5",
    "RESET_RETRY_AFTER": "10",
}
UPSTREAMS = ("ACCOUNTS", "FEEDBACK", "PAYMENTS", "NOTIFICATIONS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def nginx() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).is_file():
        raise SystemExit("nginx is missing; deploy/local/run.sh install installs it")
    return found


def render(prefix: Path, port: int, upstream_port: int) -> str:
    values = {
        # As root, nginx would look for a group named nobody, which Debian
        # calls nogroup.
        "USER": "user nobody nogroup;" if os.geteuid() == 0 else "",
        "PREFIX": str(prefix),
        "GATEWAY_PORT": str(port),
        **{f"{name}_PORT": str(upstream_port) for name in UPSTREAMS},
        **LIMITS,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    settings = "\n".join(line.partition("#")[0] for line in text.splitlines())
    left = set(re.findall(r"@([A-Z_]+)@", settings))
    if left:
        raise SystemExit(
            f"{TEMPLATE} has placeholders this bench does not know: {left}"
        )
    return text


@contextmanager
def private_gateway(upstream_port: int) -> Iterator[str]:
    """Run nginx in front of 127.0.0.1:`upstream_port`; yields its base URL."""
    prefix = Path(tempfile.mkdtemp(prefix="kisalli-ceiling-gateway-"))
    try:
        with _started(prefix, upstream_port) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


@contextmanager
def _started(prefix: Path, upstream_port: int) -> Iterator[int]:
    # Workers run as nobody when started as root.
    prefix.chmod(0o755)
    (prefix / "temp").mkdir()
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(render(prefix, port, upstream_port))
    command = [nginx(), "-p", str(prefix), "-c", str(config), "-e", "stderr"]
    subprocess.run([*command, "-t", "-q"], check=True)
    with (prefix / "access.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_listening(port, process)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the private nginx exited ({process.returncode})")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("the private nginx did not listen in 10 s")
