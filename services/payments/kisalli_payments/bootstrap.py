"""Wiring: settings, the runtime, the services and the HTTP app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import FastAPI

from kisalli_payments.adapters.debtors import DebtorAccounts
from kisalli_payments.adapters.projections import PROJECTED_TABLES, project
from kisalli_payments.domain.batch import Debtor
from kisalli_payments.domain.calendar import helsinki_today
from kisalli_payments.entrypoints.handlers import handlers
from kisalli_payments.entrypoints.http import batches, compensations, payees, rates
from kisalli_payments.service_layer.services import Services
from kisalli_shared.auth import TokenVerifier
from kisalli_shared.contracts import registry_of
from kisalli_shared.readmodels import Projection
from kisalli_shared.runtime import ServiceRuntime, ServiceSpec
from kisalli_shared.settings import ServiceSettings
from kisalli_shared.web import create_app

NAME = "payments"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    port: int = 8003
    # The offices' own accounts: a JSON file {office_id: {name, iban, bic}},
    # and one account for offices the file does not name.
    debtor_accounts_file: Path | None = None
    debtor_name: str | None = None
    debtor_iban: str | None = None
    debtor_bic: str | None = None
    # Where bank files are written for the bank to fetch; unset, files are
    # only downloaded through the API.
    bank_file_dir: Path | None = None

    def debtors(self) -> DebtorAccounts:
        fallback = None
        if self.debtor_name and self.debtor_iban:
            fallback = Debtor(self.debtor_name, self.debtor_iban, self.debtor_bic)
        return DebtorAccounts.load(self.debtor_accounts_file, fallback)


@dataclass
class PaymentsApp:
    runtime: ServiceRuntime
    app: FastAPI
    services: Services


# Payments' own events and the feedback events it keeps contracts from.
REGISTRY = ("payments", "feedback")


def projection() -> Projection:
    """The tables the projection writes; payment_contracts is not among them
    (it comes from the feedback topic), nor are idempotency keys."""
    return Projection(
        source=f"kisalli/{NAME}",
        registry=registry_of(*REGISTRY),
        tables=PROJECTED_TABLES,
        project=project,
    )


def build(
    settings: Settings,
    *,
    verifier: TokenVerifier | None = None,
    today: Callable[[], date] = helsinki_today,
) -> PaymentsApp:
    spec = ServiceSpec(
        name=NAME,
        registry=registry_of(*REGISTRY),
        migrations=MIGRATIONS,
        subscribes_to=["feedback"],
    )
    runtime = ServiceRuntime(spec, settings)
    services = Services(
        runtime,
        settings.debtors(),
        today,
        projection(),
        bank_file_dir=settings.bank_file_dir,
    )
    spec.handlers = handlers(lambda: services.recorder)
    app = create_app(
        title="Kisälli payments",
        description="Training compensation for processed feedback, rate tables, "
        "and payment batches paid by SEPA credit transfer files (pain.001.001.09).",
        lifespan=runtime.lifespan,
        readiness={"database": runtime.check_database, "kafka": runtime.check_kafka},
    )
    for module in (rates, compensations, payees, batches):
        app.include_router(module.router)
    app.state.verifier = verifier or TokenVerifier(jwks_url=settings.jwks_url)
    app.state.services = services
    return PaymentsApp(runtime, app, services)
