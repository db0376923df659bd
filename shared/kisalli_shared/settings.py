"""Settings every service reads from its environment."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    # The server, and usually the service's own database in it. Where several
    # services share one server (the local stack), DATABASE_NAME picks each
    # service's database.
    database_url: str = "postgresql://kisalli:kisalli@127.0.0.1:55432/postgres"
    database_name: str | None = None
    database_pool_size: int = 10
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_partitions: int = 3
    # Topics a service finds missing are made with this many replicas; on a
    # real cluster the operator usually makes them first.
    topic_replication_factor: int = 1
    # Topic names and consumer groups start with this; tests give each test
    # a prefix of its own.
    topic_prefix: str = "kisalli"
    log_level: str = "INFO"
    log_json: bool = True
    # Where this service fetches the public keys that access tokens are
    # checked against.
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    # Links in emails are built from this, never from request headers.
    public_base_url: str = "http://127.0.0.1:8080"
    # Where the HTTP API listens: every address in a container, where the
    # network policy decides who comes in; the local system sets 127.0.0.1
    # so that only its gateway, with its limits, is the way in.
    host: str = "0.0.0.0"  # noqa: S104

    @property
    def dsn(self) -> str:
        if not self.database_name:
            return self.database_url
        return with_database(self.database_url, self.database_name)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))
