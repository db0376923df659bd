"""The Procfile's processes, each a child of ours, started and killed by pid.

honcho stops every process when one of them dies, so a run that kills
services on purpose supervises them itself: one child per Procfile line,
run with the settings file's variables, its output in a log of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kisalli_faults.system import LOCAL, REPO, SERVICES, Stack

PROCFILE = LOCAL / "Procfile"
STOP_SECONDS = 15.0


def read_procfile(path: Path = PROCFILE) -> dict[str, str]:
    """Process name to command, in the file's order."""
    commands = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if sep:
            commands[name.strip()] = command.strip()
    return commands


@dataclass
class Supervisor:
    stack: Stack
    commands: dict[str, str] = field(default_factory=read_procfile)
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Exits we did not cause, by process name.
    unexpected_exits: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def environment(self) -> dict[str, str]:
        venv = REPO / ".venv" / "bin"
        env = {**os.environ, **self.stack.settings()}
        env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
        return env

    def start_all(self, timeout: float = 180.0) -> None:
        for name in self.commands:
            self.start(name)
        self.wait_ready(list(self.commands), timeout)

    def start(self, name: str) -> None:
        with self._lock:
            self._start(name)

    def _start(self, name: str) -> None:
        log = (self.stack.logs / f"{name}.log").open("ab")
        # Each child leads a session of its own: a Ctrl-C meant for the run
        # reaches the run, which stops its children itself.
        self.children[name] = subprocess.Popen(  # noqa: S603
            ["bash", "-c", self.commands[name]],  # noqa: S607 (the Procfile's line)
            cwd=REPO,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def kill_and_start(self, name: str, down_for: float) -> None:
        """SIGKILL the process, reap it, and start it again after a pause.

        One step under the lock, so that two faults meeting one process
        never leave two of it running.
        """
        with self._lock:
            child = self.children[name]
            child.send_signal(signal.SIGKILL)
            child.wait()
            time.sleep(down_for)
            self._start(name)

    def revive(self) -> list[str]:
        """Start again what exited without our asking; name it."""
        with self._lock:
            gone = [n for n, c in self.children.items() if c.poll() is not None]
            for name in gone:
                self.unexpected_exits[name] += 1
                self._start(name)
        return gone

    def stop_all(self) -> None:
        """TERM each child by its pid, then KILL what is left."""
        with self._lock:
            children = list(self.children.values())
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                child.wait()

    def ready(self, name: str) -> bool:
        ports = self.stack.ports
        if name in SERVICES:
            url = f"http://127.0.0.1:{ports.of(name)}/readyz"
        elif name == "mail":
            url = f"http://127.0.0.1:{ports.mail_http}/messages"
        else:
            url = f"http://127.0.0.1:{ports.gateway}/healthz"
        try:
            return httpx.get(url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, names: list[str], timeout: float) -> list[str]:
        """Wait until each answers; the names still silent at the timeout."""
        deadline = time.monotonic() + timeout
        waiting = list(names)
        while waiting and time.monotonic() < deadline:
            waiting = [name for name in waiting if not self.ready(name)]
            if waiting:
                time.sleep(0.5)
        return waiting
