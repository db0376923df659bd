"""The analysts' command line: replay, rebuild, catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from confluent_kafka import KafkaException

from kisalli_replay.decoding import Decoder, UndecodableRecord
from kisalli_replay.reading import TopicMissing
from kisalli_replay.replay import Replay, run
from kisalli_replay.sinks import Format, open_sink
from kisalli_replay.topics import (
    SecretTopicRefused,
    Window,
    parse_offset,
    parse_time,
    topics_named,
)

if TYPE_CHECKING:
    from kisalli_replay.pseudonyms import Pseudonymiser

app = typer.Typer(no_args_is_help=True, help="Replay Kisälli's event streams.")


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg="red")
    return typer.Exit(code)


Time = Annotated[
    datetime | None,
    typer.Option(parser=parse_time, help="ISO 8601 time; UTC unless it says"),
]


# The event models and rich take longer to import than a small replay takes
# to run, so they are imported only when a replay needs them.


def warn_of_unknown_types(types: list[str]) -> None:
    if not types:
        return
    from kisalli_replay.pseudonyms import REGISTRY

    for unknown in sorted(set(types) - {m.type_name() for m in REGISTRY.models()}):
        typer.secho(f"warning: no event type {unknown} is known", err=True, fg="yellow")


def pseudonymiser(key: str) -> Pseudonymiser:
    from kisalli_replay.pseudonyms import Pseudonymiser

    return Pseudonymiser(key)


Counted = Callable[[int], None]


@contextmanager
def progress_bar(quiet: bool) -> Iterator[tuple[Counted, Counted]]:
    """Callbacks for the total, then for each batch, of records replayed."""
    if quiet:
        yield (lambda total: None), (lambda count: None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
    )

    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress("{task.description}", *columns, transient=True) as progress:
        task = progress.add_task("replaying", total=None)
        yield (
            lambda total: progress.update(task, total=total),
            lambda count: progress.advance(task, count),
        )


@app.command()
def replay(
    topics: Annotated[
        list[str],
        typer.Argument(
            help="Services (accounts, feedback, payments, notifications) or topics."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    format: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Default: from the output's suffix."),
    ] = None,
    since: Time = None,
    until: Time = None,
    offset: Annotated[
        list[str] | None,
        typer.Option(help="Start a partition at an offset: [TOPIC:]PARTITION:OFFSET."),
    ] = None,
    type: Annotated[
        list[str] | None, typer.Option("--type", help="Only events of this type.")
    ] = None,
    office: Annotated[
        list[str] | None,
        typer.Option(help="Only events whose data.office_id is this office."),
    ] = None,
    pseudonym_key: Annotated[
        str | None,
        typer.Option(
            envvar="KISALLI_PSEUDONYM_KEY",
            help="Pseudonymise personal fields with HMAC-SHA256 under this key.",
        ),
    ] = None,
    prefix: Annotated[str, typer.Option(help="Topic prefix of services.")] = "kisalli",
    bootstrap: Annotated[
        str, typer.Option(envvar="KAFKA_BOOTSTRAP_SERVERS")
    ] = "127.0.0.1:9092",
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Replay topics from the beginning, a time or offsets, up to now or a time.

    Records from --since (inclusive) to --until (exclusive) by record time.
    With --office, events that name no office are left out.
    """
    try:
        named = topics_named(topics, prefix)
        window = Window(since, until, dict(map(parse_offset, offset or [])))
        chosen = format or Format.of(output)
    except (SecretTopicRefused, ValueError) as problem:
        raise fail(str(problem)) from None
    warn_of_unknown_types(type or [])

    decoder = Decoder(
        types=type or [],
        offices=office or [],
        pseudonymiser=pseudonymiser(pseudonym_key) if pseudonym_key else None,
    )
    sink = open_sink(chosen, output, decoder.schema)
    with progress_bar(quiet) as (on_start, on_batch):
        try:
            tally = run(
                Replay(named, bootstrap, window),
                decoder,
                sink,
                on_start=on_start,
                on_batch=on_batch,
            )
        except (TopicMissing, KafkaException, UndecodableRecord) as problem:
            sink.close()
            output.unlink(missing_ok=True)  # half a replay would mislead
            raise fail(str(problem) or repr(problem)) from None
        else:
            sink.close()
        finally:
            decoder.close()
    typer.echo(f"{tally.written} of {tally.read} events written to {output}", err=True)


@app.command()
def rebuild(
    service: Annotated[
        str, typer.Argument(help="The service whose read models to rebuild.")
    ],
    database_url: Annotated[
        str, typer.Option(envvar="DATABASE_URL", help="The service's database.")
    ],
    dry_run: Annotated[
        bool, typer.Option(help="Print the differences from the live read model only.")
    ] = False,
) -> None:
    """Rebuild a service's read models by replaying its events through its code."""
    from kisalli_replay.rebuild import RebuildMissing, run_rebuild

    if not re.fullmatch(r"[a-z][a-z0-9_]*", service):
        raise fail(f"{service!r} is not a service name")
    try:
        report = run_rebuild(service, database_url, dry_run=dry_run)
    except RebuildMissing as missing:
        raise fail(str(missing)) from None
    for line in report.differences:
        typer.echo(line)
    verb = "would change" if dry_run else "changed"
    typer.echo(
        f"{service}: {report.replayed} events replayed;"
        f" {len(report.differences)} read-model rows {verb}",
        err=True,
    )


@app.command()
def catalogue(
    directory: Annotated[Path, typer.Argument(help="Where to write.")] = Path(
        "docs/events"
    ),
) -> None:
    """Generate the event catalogue: JSON Schemas, AsyncAPI, README."""
    from kisalli_replay import catalogue as catalogue_files  # slow to import

    written = catalogue_files.write(directory)
    typer.echo(f"{len(written)} files written to {directory}", err=True)
