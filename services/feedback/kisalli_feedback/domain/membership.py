"""Who belongs to a contract on a given day.

Accounts tells us, for each contract, which account is its student and which
its tutor from which date. The tutor on a day is the one assigned latest on
or before that day; before any assignment has begun (a contract signed ahead
of its start) the first assigned tutor already belongs to it. A tutor who is
replaced loses the contract from the day the new one begins, and the new
one sees all of the contract's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kisalli_shared.contracts.common import Role


@dataclass(frozen=True)
class Assignment:
    role: Role
    account_id: str
    effective_from: date


def member_on(assignments: Iterable[Assignment], role: Role, day: date) -> str | None:
    """The account that holds `role` in the contract on `day`."""
    of_role = sorted(
        (a for a in assignments if a.role is role), key=lambda a: a.effective_from
    )
    if not of_role:
        return None
    begun = [a for a in of_role if a.effective_from <= day]
    return (begun[-1] if begun else of_role[0]).account_id
