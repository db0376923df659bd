"""The run's office: its first staff account, from the accounts command line."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Mapping

from kisalli_faults.calls import FlowError, Ledger
from kisalli_faults.flows import Office
from kisalli_faults.people import Person
from kisalli_faults.system import REPO

_CREATED = re.compile(r"\(([0-9a-f-]{36})\)")


def open_office(environment: Mapping[str, str], ledger: Ledger) -> Office:
    """A new office and its staff account, made with `python -m
    kisalli_accounts create-office-staff`; the activation email follows."""
    run = uuid.uuid4().hex[:8]
    staff = Person("Outi Toimisto", f"staff-{run}@faults.kisalli.example")
    office = Office(run, f"toimisto-faults-{run}", staff)
    command = [
        sys.executable,
        "-m",
        "kisalli_accounts",
        "create-office-staff",
        f"--office-id={office.office_id}",
        f"--username=staff-{run}",
        f"--email={staff.email}",
        f"--name={staff.name}",
    ]
    env = {**environment, "DATABASE_NAME": "kisalli_accounts"}
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        command, env=env, capture_output=True, text=True, check=False, cwd=REPO
    )
    created = _CREATED.search(done.stdout)
    if done.returncode != 0 or created is None:
        raise FlowError(f"create-office-staff failed: {done.stderr.strip()[-300:]}")
    account = f"account-{created.group(1)}"
    ledger.record("create office staff", "accounts", account, "AccountCreated")
    return office
