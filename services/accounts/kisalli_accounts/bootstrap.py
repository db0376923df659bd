"""Wires the accounts service: settings, keys, runtime, HTTP app, handlers."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field, SecretStr

from kisalli_accounts.adapters.hashing import PasswordHashing
from kisalli_accounts.adapters.keys import load_sealing_key, load_signing_key
from kisalli_accounts.adapters.secret_links import SecretLinkSender
from kisalli_accounts.adapters.signing import TokenSigner
from kisalli_accounts.entrypoints import handlers
from kisalli_accounts.entrypoints.http import (
    accounts,
    errors,
    keys,
    password_resets,
    sessions,
)
from kisalli_accounts.entrypoints.http.dependencies import Network
from kisalli_accounts.service_layer.context import Context, Policy, utc_now
from kisalli_shared.contracts import registry_of
from kisalli_shared.contracts.accounts import (
    SECRET_LINK_KEY_FILE,
    SECRET_LINKS,
    SECRET_LINKS_TOPIC_CONFIG,
    secret_links_topic,
)
from kisalli_shared.runtime import ServiceRuntime, ServiceSpec
from kisalli_shared.settings import ServiceSettings
from kisalli_shared.web import create_app

MIGRATIONS = Path(__file__).parent / "migrations"
SIGNING_KEY_FILE = "signing-key.pem"


class Settings(ServiceSettings):
    port: int = 8001
    # A PEM file with the ES256 (P-256) signing key; when unset, one is made
    # once under the state directory and kept there.
    accounts_signing_key_file: Path | None = None
    accounts_state_dir: Path = Path("deploy/local/.state/accounts")
    # The Fernet key that seals links for notifications; when unset, it is
    # made once as <state dir>/secret-link.key, which notifications reads.
    secret_link_key: SecretStr | None = None
    access_token_minutes: int = 15
    session_days: int = 30
    activation_link_days: int = 14
    reset_link_minutes: int = 30
    login_lock_after_failures: int = 5
    login_lock_minutes: int = 15
    login_slowdown_seconds: float = 0.25
    reset_answer_seconds: float = 0.5
    resets_per_account: int = 3
    resets_per_address: int = 20
    # Peers whose X-Forwarded-For is believed: the gateway's addresses.
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"]
    )
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    def signing_key_path(self) -> Path:
        return self.accounts_signing_key_file or (
            self.accounts_state_dir / SIGNING_KEY_FILE
        )

    def sealing_key(self) -> str:
        if self.secret_link_key is not None:
            return self.secret_link_key.get_secret_value()
        return load_sealing_key(self.accounts_state_dir / SECRET_LINK_KEY_FILE)

    def policy(self) -> Policy:
        return Policy(
            session_lifetime=timedelta(days=self.session_days),
            activation_valid_for=timedelta(days=self.activation_link_days),
            reset_valid_for=timedelta(minutes=self.reset_link_minutes),
            lock_after_failures=self.login_lock_after_failures,
            lock_for=timedelta(minutes=self.login_lock_minutes),
            slowdown_per_failure=self.login_slowdown_seconds,
            resets_per_account=self.resets_per_account,
            resets_per_address=self.resets_per_address,
            reset_answer_seconds=self.reset_answer_seconds,
        )


@dataclass
class AccountsService:
    settings: Settings
    runtime: ServiceRuntime
    signer: TokenSigner
    hashing: PasswordHashing
    links: SecretLinkSender
    trusted_proxies: list[Network] = field(default_factory=list)
    clock: Callable[[], datetime] = utc_now
    app: FastAPI = field(init=False)

    @property
    def context(self) -> Context:
        return Context(
            store=self.runtime.store,
            hashing=self.hashing,
            signer=self.signer,
            links=self.links,
            policy=self.settings.policy(),
            clock=self.clock,
        )


def build(settings: Settings | None = None) -> AccountsService:
    settings = settings or Settings()
    signer = TokenSigner(
        load_signing_key(settings.signing_key_path()),
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    hashing = PasswordHashing(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    links = SecretLinkSender(
        key=settings.sealing_key(),
        topic=secret_links_topic(settings.topic_prefix),
        public_base_url=settings.public_base_url,
    )
    spec = ServiceSpec(
        name="accounts",
        registry=registry_of("accounts", "feedback"),
        migrations=MIGRATIONS,
        subscribes_to=["feedback"],
        extra_topics={SECRET_LINKS: dict(SECRET_LINKS_TOPIC_CONFIG)},
    )
    runtime = ServiceRuntime(spec, settings)
    service = AccountsService(
        settings=settings,
        runtime=runtime,
        signer=signer,
        hashing=hashing,
        links=links,
        trusted_proxies=[
            ipaddress.ip_network(cidr, strict=False)
            for cidr in settings.trusted_proxies
        ],
    )
    spec.handlers = handlers.handlers(lambda: service.context)
    service.app = _app(service)
    return service


def _app(service: AccountsService) -> FastAPI:
    runtime = service.runtime
    app = create_app(
        title="Kisälli accounts",
        description="Accounts, credentials, sessions and password resets.",
        lifespan=runtime.lifespan,
        readiness={"database": runtime.check_database, "kafka": runtime.check_kafka},
    )
    app.state.accounts = service
    errors.install(app)
    for router in (sessions, accounts, password_resets, keys):
        app.include_router(router.router)
    return app
