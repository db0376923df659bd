"""kisalli-faults: drive contracts through a system of the run's own while
killing and restarting its parts, then check what must hold."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from kisalli_demo.client import DemoError
from kisalli_faults.calls import FlowError
from kisalli_faults.faults import Plan
from kisalli_faults.run import Options, Run
from kisalli_faults.system import Ports, Stack, StackError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kisalli-faults",
        description="Start a whole system of its own (state folder and ports"
        " apart from any other), drive contracts through the gateway while"
        " SIGKILLing services and restarting Kafka and PostgreSQL, then check"
        " that nothing was lost or done twice. Stops by itself.",
    )
    parser.add_argument(
        "--contracts", type=int, default=20, help="contracts to drive (default 20)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="contracts driven at once"
    )
    parser.add_argument(
        "--batch-every",
        type=int,
        default=5,
        help="a payment run after every this many processed contracts",
    )
    parser.add_argument("--kills", type=int, default=8, help="service SIGKILLs")
    parser.add_argument(
        "--payment-kills",
        type=int,
        default=2,
        help="SIGKILLs of payments just after a payment run is asked for",
    )
    parser.add_argument("--kafka-restarts", type=int, default=2)
    parser.add_argument("--postgres-restarts", type=int, default=2)
    parser.add_argument(
        "--fault-interval",
        type=float,
        default=10.0,
        help="mean seconds between faults",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=1200.0,
        help="seconds the flows and faults may take at most",
    )
    parser.add_argument("--settle-timeout", type=float, default=180.0)
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=180.0,
        help="seconds a flow waits for an email or another service's event",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="the system's state folder (default: a new temporary one)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the state folder (and stop the stack without wiping it)",
    )
    parser.add_argument("--report-json", type=Path, help="write the figures here")
    defaults = Ports()
    ports = parser.add_argument_group("ports")
    for name in Ports.names():
        ports.add_argument(
            f"--{name.replace('_', '-')}-port",
            dest=f"port_{name}",
            type=int,
            default=defaults.of(name),
            metavar="PORT",
            help="(default %(default)s)",
        )
    return parser


def _terminate(signum: int, _frame: object) -> None:
    # Unwinds like Ctrl-C, so the children and the stack are stopped.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    ports = Ports(**{name: getattr(args, f"port_{name}") for name in Ports.names()})
    state = args.state_dir or Path(tempfile.mkdtemp(prefix="kisalli-faults-"))
    state.mkdir(parents=True, exist_ok=True)
    stack = Stack(state.resolve(), ports)
    options = Options(
        contracts=args.contracts,
        workers=args.workers,
        batch_every=max(1, args.batch_every),
        duration=args.duration,
        settle_timeout=args.settle_timeout,
        wait_timeout=args.wait_timeout,
        plan=Plan(
            args.kills,
            args.kafka_restarts,
            args.postgres_restarts,
            args.fault_interval,
            args.payment_kills,
        ),
        seed=args.seed,
    )
    run = Run(options, stack, lambda line: print(line, flush=True))
    outcome = None
    try:
        outcome = run.execute()
    except (StackError, FlowError, DemoError) as exc:
        print(f"kisalli-faults: {exc}", file=sys.stderr)
    finally:
        # A failed run keeps its folder, logs and data for a look.
        keep = args.keep or outcome is None or not outcome.ok
        try:
            stack.down(wipe=not keep)
        except StackError as exc:
            print(f"kisalli-faults: {exc}", file=sys.stderr)
        if keep:
            print(f"kisalli-faults: state and logs kept in {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)
    if outcome is None:
        return 2
    print("\n".join(outcome.lines()))
    if args.report_json:
        outcome.write_json(args.report_json)
    return 0 if outcome.ok else 1
