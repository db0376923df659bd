"""Running `kisalli-replay` in this process, as a user would, output captured."""

from __future__ import annotations

import asyncio
import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from kisalli_replay.cli import main


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(*args: str | Path) -> Result:
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exit:  # argparse refusing the arguments
            code = exit.code if isinstance(exit.code, int) else 2
    return Result(code, stdout.getvalue(), stderr.getvalue())


async def rebuild_as_analyst(
    service: str, database: str, *options: str
) -> tuple[str, str]:
    """`kisalli-replay rebuild <service>` in a process of its own, as an
    analyst runs it beside a running service; its (stdout, stderr)."""
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kisalli_replay",
        "rebuild",
        service,
        "--database-url",
        database,
        *options,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(command.communicate(), timeout=60)
    assert command.returncode == 0, err.decode()
    return out.decode(), err.decode()
