"""The analysts' command line: replay, rebuild, catalogue.

argparse, as the services' commands: a replay of a million events takes a
few seconds, and a command line library that builds validators for its
options at start took a fifth of that.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kisalli_replay.sinks import Format
from kisalli_replay.topics import (
    SecretTopicRefused,
    Window,
    parse_offset,
    parse_time,
    topics_named,
)

if TYPE_CHECKING:
    from kisalli_replay.pseudonyms import Pseudonymiser

SERVICES = "accounts, feedback, payments, notifications"


class Failed(Exception):
    """Ends the command with `error: ...` on stderr and exit status 2."""


def say(message: str) -> None:
    print(message, file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kisalli-replay", description="Replay Kisälli's event streams."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _replay_options(
        commands.add_parser(
            "replay",
            help="replay topics into a file",
            description="Replay topics from the beginning, a time or offsets, up"
            " to now or a time. Records from --since (inclusive) to --until"
            " (exclusive) by record time. With --office, events that name no"
            " office are left out.",
        )
    )

    rebuild = commands.add_parser(
        "rebuild",
        help="rebuild a service's read models",
        description="Rebuild a service's read models by replaying its events"
        " through its code.",
    )
    rebuild.add_argument("service", help="the service whose read models to rebuild")
    rebuild.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        required="DATABASE_URL" not in os.environ,
        help="the service's database (default: $DATABASE_URL)",
    )
    rebuild.add_argument(
        "--dry-run",
        action="store_true",
        help="print the differences from the live read model only",
    )

    catalogue = commands.add_parser(
        "catalogue",
        help="generate the event catalogue",
        description="Generate the event catalogue: JSON Schemas, AsyncAPI, README.",
    )
    catalogue.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=Path("docs/events"),
        help="where to write (default %(default)s)",
    )
    return parser


def _replay_options(replay: argparse.ArgumentParser) -> None:
    replay.add_argument("topics", nargs="+", help=f"services ({SERVICES}) or topics")
    replay.add_argument(
        "-o", "--output", type=Path, required=True, help="the file to write"
    )
    replay.add_argument(
        "-f",
        "--format",
        type=Format,
        choices=list(Format),
        help="default: from the output's suffix",
    )
    time = "ISO 8601 time; UTC unless it says"
    replay.add_argument("--since", type=parse_time, help=time)
    replay.add_argument("--until", type=parse_time, help=time)
    replay.add_argument(
        "--offset",
        action="append",
        default=[],
        metavar="[TOPIC:]PARTITION:OFFSET",
        help="start a partition at an offset (repeatable)",
    )
    replay.add_argument(
        "--type",
        action="append",
        default=[],
        help="only events of this type (repeatable)",
    )
    replay.add_argument(
        "--office",
        action="append",
        default=[],
        help="only events whose data.office_id is this office (repeatable)",
    )
    replay.add_argument(
        "--pseudonym-key",
        default=os.environ.get("KISALLI_PSEUDONYM_KEY"),
        help="pseudonymise personal fields with HMAC-SHA256 under this key"
        " (default: $KISALLI_PSEUDONYM_KEY)",
    )
    replay.add_argument(
        "--prefix", default="kisalli", help="topic prefix of services (%(default)s)"
    )
    replay.add_argument(
        "--bootstrap",
        default=os.environ.get(
            "KAFKA_BOOTSTRAP_SERVERS",
            f"127.0.0.1:{os.environ.get('KISALLI_KAFKA_PORT', '9092')}",
        ),
        help="Kafka (default: $KAFKA_BOOTSTRAP_SERVERS, or the local stack's"
        " broker: 127.0.0.1:$KISALLI_KAFKA_PORT, 9092 unless moved)",
    )
    replay.add_argument("--quiet", action="store_true", help="no progress bar")


def replay(options: argparse.Namespace) -> None:
    # Imported here: `rebuild` and `catalogue` need none of it.
    from confluent_kafka import KafkaException

    from kisalli_replay.decoding import Decoder, UndecodableRecord
    from kisalli_replay.reading import TopicMissing
    from kisalli_replay.replay import Replay, run
    from kisalli_replay.sinks import open_sink

    output: Path = options.output
    try:
        named = topics_named(options.topics, options.prefix)
        offsets = dict(map(parse_offset, options.offset))
        chosen = options.format or Format.of(output)
    except (SecretTopicRefused, ValueError) as problem:
        raise Failed(str(problem)) from None
    warn_of_unknown_types(options.type)

    key = options.pseudonym_key
    decoder = Decoder(
        types=options.type,
        offices=options.office,
        pseudonymiser=pseudonymiser(key) if key else None,
    )
    sink = open_sink(chosen, output, decoder.schema)
    with progress_bar(options.quiet) as (on_start, on_batch):
        try:
            tally = run(
                Replay(
                    named,
                    options.bootstrap,
                    Window(options.since, options.until, offsets),
                ),
                decoder,
                sink,
                on_start=on_start,
                on_batch=on_batch,
            )
        except (TopicMissing, KafkaException, UndecodableRecord) as problem:
            sink.close()
            output.unlink(missing_ok=True)  # half a replay would mislead
            raise Failed(str(problem) or repr(problem)) from None
        else:
            sink.close()
        finally:
            decoder.close()
    say(f"{tally.written} of {tally.read} events written to {output}")


# The event models and rich take longer to import than a small replay takes
# to run, so they are imported only when a replay needs them.


def warn_of_unknown_types(types: list[str]) -> None:
    if not types:
        return
    from kisalli_replay.pseudonyms import REGISTRY

    for unknown in sorted(set(types) - {m.type_name() for m in REGISTRY.models()}):
        say(f"warning: no event type {unknown} is known")


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


def rebuild(options: argparse.Namespace) -> None:
    from kisalli_replay.rebuild import RebuildMissing, run_rebuild

    service: str = options.service
    if not re.fullmatch(r"[a-z][a-z0-9_]*", service):
        raise Failed(f"{service!r} is not a service name")
    try:
        report = run_rebuild(service, options.database_url, dry_run=options.dry_run)
    except RebuildMissing as missing:
        raise Failed(str(missing)) from None
    for line in report.differences:
        print(line)
    verb = "would change" if options.dry_run else "changed"
    say(
        f"{service}: {report.replayed} events replayed;"
        f" {len(report.differences)} read-model rows {verb}"
    )


def catalogue(options: argparse.Namespace) -> None:
    from kisalli_replay import catalogue as catalogue_files  # slow to import

    written = catalogue_files.write(options.directory)
    say(f"{len(written)} files written to {options.directory}")


COMMANDS = {"replay": replay, "rebuild": rebuild, "catalogue": catalogue}


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; the exit status."""
    options = _parser().parse_args(argv)
    try:
        COMMANDS[options.command](options)
    except Failed as failure:
        say(f"error: {failure}")
        return 2
    return 0


def app() -> None:
    """The `kisalli-replay` script."""
    sys.exit(main())
