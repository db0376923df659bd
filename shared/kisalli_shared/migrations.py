"""Per-service SQL migrations, applied with yoyo at start.

Every service applies the shared event-store migrations first, then its own.
yoyo holds a lock while it migrates, so replicas starting together are safe.
"""

from __future__ import annotations

from pathlib import Path

from yoyo import get_backend, read_migrations

SHARED = Path(__file__).parent / "migrations"


def apply_migrations(dsn: str, *service_dirs: Path) -> int:
    """Apply what is missing; return how many migrations ran."""
    backend = get_backend(_yoyo_url(dsn))
    migrations = read_migrations(str(SHARED), *map(str, service_dirs))
    try:
        with backend.lock():
            missing = backend.to_apply(migrations)
            backend.apply_migrations(missing)
    finally:
        backend.connection.close()
    return len(missing)


def _yoyo_url(dsn: str) -> str:
    # yoyo picks its driver from the scheme; psycopg 3 is the one we install.
    scheme, rest = dsn.split("://", 1)
    if scheme in {"postgres", "postgresql"}:
        scheme = "postgresql+psycopg"
    return f"{scheme}://{rest}"
