"""What the office holds, as its staff see it: counts, and the logins table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kisalli_demo.client import Api


@dataclass(frozen=True)
class Census:
    accounts: int
    activated: int
    contracts: int
    ended_early: int
    tutor_changes: int
    feedback: dict[str, int]

    def lines(self) -> list[str]:
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.feedback.items()))
        return [
            f"accounts: {self.accounts} ({self.activated} can log in)",
            f"contracts: {self.contracts} ({self.ended_early} ended early,"
            f" {self.tutor_changes} with a tutor change)",
            f"interim feedback: {states or 'none'}",
        ]


def _state(document: dict[str, Any]) -> str:
    if document["state"] == "draft" and document["returned_by"]:
        return f"returned by {document['returned_by']}"
    return str(document["state"])


def take_census(api: Api, token: str) -> Census:
    accounts = api.pages("accounts", "/accounts", token)
    contracts = api.pages("feedback", "/contracts", token)
    states: Counter[str] = Counter()
    changes = 0
    for contract in contracts:
        path = f"/contracts/{contract['contract_id']}"
        detail = api.call("GET", "feedback", path, token=token)
        changes += len(detail["tutors"]) > 1
        for document in api.pages("feedback", f"{path}/feedback", token):
            states[_state(document)] += 1
    return Census(
        accounts=len(accounts),
        activated=sum(1 for a in accounts if a["activated"]),
        contracts=len(contracts),
        ended_early=sum(1 for c in contracts if c["ended_early"]),
        tutor_changes=changes,
        feedback=dict(states),
    )


_ROLE_ORDER = {"office_staff": 0, "tutor": 1, "student": 2}


def logins_table(api: Api, token: str, password: str) -> str:
    """Every account the office manages, with the demo password."""
    accounts = sorted(
        api.pages("accounts", "/accounts", token),
        key=lambda a: (_ROLE_ORDER.get(a["role"], 9), a["username"]),
    )
    rows = [("role", "username", "name", "language", "password")]
    rows += [
        (a["role"], a["username"], a["name"], a["language"], password) for a in accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
