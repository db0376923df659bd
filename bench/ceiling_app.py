"""The ceiling for one write over HTTP: FastAPI, asyncpg, one INSERT.

No authentication, no event store, no outbox, no read model: what is left
when a service does nothing but take a JSON body and store it. Served as the
services are (uvicorn.run: one worker, uvicorn's default loop and HTTP
parser) with a pool as large as theirs.

    CEILING_DSN=postgresql://... python -m bench.ceiling_app --port 8090
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Request

from kisalli_shared.settings import ServiceSettings

TABLE = "ceiling_rows"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " row_id bigserial PRIMARY KEY,"
    " body jsonb NOT NULL,"
    " stored_at timestamptz NOT NULL DEFAULT now())"
)
INSERT = f"INSERT INTO {TABLE} (body) VALUES ($1::jsonb) RETURNING row_id"


def create_app(dsn: str, pool_size: int) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with asyncpg.create_pool(dsn, min_size=1, max_size=pool_size) as pool:
            await pool.execute(CREATE_TABLE)
            app.state.pool = pool
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/rows", status_code=201)
    async def store_row(body: dict[str, Any], request: Request) -> dict[str, int]:
        pool: asyncpg.Pool = request.app.state.pool
        row_id: int = await pool.fetchval(INSERT, json.dumps(body))
        return {"row_id": row_id}

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--pool-size",
        type=int,
        default=ServiceSettings.model_fields["database_pool_size"].default,
    )
    args = parser.parse_args()
    app = create_app(os.environ["CEILING_DSN"], args.pool_size)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
