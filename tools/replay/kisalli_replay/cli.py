"""The analysts' command line: replay, rebuild, catalogue."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Replay Kisälli's event streams.")
