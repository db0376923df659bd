"""Personal identity codes at rest: sealed with the service's Fernet key."""

from __future__ import annotations

import asyncpg
from cryptography.fernet import Fernet


class PersonalIds:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    async def keep(
        self, conn: asyncpg.Connection, contract_id: str, personal_id: str
    ) -> None:
        await conn.execute(
            "INSERT INTO personal_ids (contract_id, sealed) VALUES ($1, $2)",
            contract_id,
            self._fernet.encrypt(personal_id.encode()),
        )

    async def read(self, conn: asyncpg.Connection, contract_id: str) -> str | None:
        sealed = await conn.fetchval(
            "SELECT sealed FROM personal_ids WHERE contract_id = $1", contract_id
        )
        return None if sealed is None else self._fernet.decrypt(sealed).decode()
