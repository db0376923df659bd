"""Queries on the read models: what the API lists and shows."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg

from kisalli_feedback.domain.membership import Assignment
from kisalli_shared.contracts.common import Role

Row = dict[str, Any]

# The account that holds a role on a day, as domain.membership.member_on
# decides it: the latest assignment begun by then, else the first one.
_MEMBER_ON = """
SELECT m.account_id FROM contract_members m
WHERE m.contract_id = {contract} AND m.role = {role}
ORDER BY (m.effective_from <= {day}) DESC,
         CASE WHEN m.effective_from <= {day} THEN m.effective_from END DESC,
         m.effective_from ASC
LIMIT 1
"""


def _row(record: asyncpg.Record | None) -> Row | None:
    if record is None:
        return None
    row = dict(record)
    if isinstance(row.get("content"), str):
        row["content"] = json.loads(row["content"])
    return row


class ReadModels:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def assignments(self, contract_id: str) -> list[Assignment]:
        rows = await self.pool.fetch(
            "SELECT role, account_id, effective_from FROM contract_members"
            " WHERE contract_id = $1",
            contract_id,
        )
        return [
            Assignment(Role(r["role"]), r["account_id"], r["effective_from"])
            for r in rows
            if r["role"] in {Role.TUTOR.value, Role.STUDENT.value}
        ]

    async def refused_members(self, contract_id: str) -> list[tuple[str, str]]:
        """(role, reason) of members accounts would not give the contract."""
        rows = await self.pool.fetch(
            "SELECT role, reason FROM contract_member_refusals"
            " WHERE contract_id = $1 ORDER BY role",
            contract_id,
        )
        return [(r["role"], r["reason"]) for r in rows]

    async def contract(self, contract_id: str) -> Row | None:
        return _row(
            await self.pool.fetchrow(
                "SELECT * FROM contract_view WHERE contract_id = $1", contract_id
            )
        )

    async def contracts_of_office(
        self, office_id: str, limit: int, offset: int
    ) -> list[Row]:
        rows = await self.pool.fetch(
            "SELECT * FROM contract_view WHERE office_id = $1"
            " ORDER BY start_date, contract_id LIMIT $2 OFFSET $3",
            office_id,
            limit,
            offset,
        )
        return [dict(r) for r in rows]

    async def contracts_of_member(
        self, account_id: str, role: Role, today: date, limit: int, offset: int
    ) -> list[Row]:
        member_on = _MEMBER_ON.format(contract="c.contract_id", role="$2", day="$3")
        rows = await self.pool.fetch(
            "SELECT c.* FROM contract_view c"
            " WHERE c.contract_id IN (SELECT contract_id FROM contract_members"
            "   WHERE account_id = $1 AND role = $2)"
            f" AND ({member_on}) = $1"
            " ORDER BY c.start_date, c.contract_id LIMIT $4 OFFSET $5",
            account_id,
            role.value,
            today,
            limit,
            offset,
        )
        return [dict(r) for r in rows]

    async def schedule_items(self, contract_ids: list[str]) -> list[Row]:
        rows = await self.pool.fetch(
            "SELECT * FROM schedule_items WHERE contract_id = ANY($1::text[])"
            " ORDER BY contract_id, due_date, period_index, kind",
            contract_ids,
        )
        return [dict(r) for r in rows]

    async def feedback(self, feedback_id: str) -> Row | None:
        return _row(
            await self.pool.fetchrow(
                "SELECT * FROM feedback_view WHERE feedback_id = $1", feedback_id
            )
        )

    async def feedback_of_contract(
        self, contract_id: str, states: list[str], limit: int, offset: int
    ) -> list[Row]:
        rows = await self.pool.fetch(
            "SELECT * FROM feedback_view WHERE contract_id = $1"
            " AND state = ANY($2::text[])"
            " ORDER BY period_index, kind LIMIT $3 OFFSET $4",
            contract_id,
            states,
            limit,
            offset,
        )
        return [r for r in map(_row, rows) if r is not None]

    async def feedback_for_student(
        self, account_id: str, states: list[str], today: date, limit: int, offset: int
    ) -> list[Row]:
        member_on = _MEMBER_ON.format(
            contract="f.contract_id", role="'student'", day="$3"
        )
        rows = await self.pool.fetch(
            "SELECT f.* FROM feedback_view f"
            " WHERE f.contract_id IN (SELECT contract_id FROM contract_members"
            "   WHERE account_id = $1 AND role = 'student')"
            f" AND ({member_on}) = $1 AND f.state = ANY($2::text[])"
            " ORDER BY f.submitted_at, f.feedback_id LIMIT $4 OFFSET $5",
            account_id,
            states,
            today,
            limit,
            offset,
        )
        return [r for r in map(_row, rows) if r is not None]

    async def office_queue(self, office_id: str, limit: int, offset: int) -> list[Row]:
        rows = await self.pool.fetch(
            "SELECT * FROM feedback_view WHERE office_id = $1"
            " AND state = 'acknowledged'"
            " ORDER BY acknowledged_at, feedback_id LIMIT $2 OFFSET $3",
            office_id,
            limit,
            offset,
        )
        return [r for r in map(_row, rows) if r is not None]
