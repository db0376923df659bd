"""Wiring: settings, the runtime, the service and the HTTP app."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr

from kisalli_feedback.adapters.idempotency import IdempotencyKeys
from kisalli_feedback.adapters.personal_ids import PersonalIds
from kisalli_feedback.adapters.projections import PROJECTED_TABLES, project
from kisalli_feedback.adapters.read_models import ReadModels
from kisalli_feedback.adapters.repository import Repository
from kisalli_feedback.domain.calendar import helsinki_today
from kisalli_feedback.entrypoints.handlers import HANDLERS
from kisalli_feedback.entrypoints.http import contracts, feedback, queues
from kisalli_feedback.entrypoints.http.errors import add_refusal_handlers
from kisalli_feedback.service_layer.services import FeedbackService
from kisalli_shared.auth import TokenVerifier
from kisalli_shared.contracts import registry_of
from kisalli_shared.readmodels import Projection, differences, rebuild
from kisalli_shared.runtime import ServiceRuntime, ServiceSpec
from kisalli_shared.settings import ServiceSettings
from kisalli_shared.web import create_app

NAME = "feedback"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Settings(ServiceSettings):
    port: int = 8002
    # The Fernet key that seals personal identity codes at rest
    # (python -m kisalli_feedback new-key makes one). Required: there is no
    # safe default.
    personal_id_key: SecretStr
    # Temporary personal identity codes (individual number 900-999) are not
    # codes of real people; demo data may use them.
    allow_temporary_personal_ids: bool = False


def spec() -> ServiceSpec:
    return ServiceSpec(
        name=NAME,
        registry=registry_of("feedback", "accounts"),
        migrations=MIGRATIONS,
        handlers=HANDLERS,
        subscribes_to=["accounts"],
    )


@dataclass
class FeedbackApp:
    runtime: ServiceRuntime
    app: FastAPI

    @property
    def service(self) -> FeedbackService:
        factory: ServiceFactory = self.app.state.services
        return factory()

    async def rebuild_read_models(self) -> int:
        return await rebuild(self.runtime.pool, projection())

    async def read_model_differences(self) -> dict[str, dict[str, list[str]]]:
        return await differences(self.runtime.pool, projection())


def projection() -> Projection:
    return Projection(
        source=f"kisalli/{NAME}",
        registry=spec().registry,
        tables=PROJECTED_TABLES,
        project=project,
    )


def build(
    settings: Settings,
    *,
    verifier: TokenVerifier | None = None,
    today: Callable[[], date] = helsinki_today,
) -> FeedbackApp:
    runtime = ServiceRuntime(spec(), settings)
    app = create_app(
        title="Kisälli feedback",
        description="Apprenticeship contracts, the feedback schedule and "
        "feedback documents: interim feedback, the final assessment and the "
        "employer's certificate.",
        lifespan=runtime.lifespan,
        readiness={"database": runtime.check_database, "kafka": runtime.check_kafka},
    )
    add_refusal_handlers(app)
    for module in (contracts, feedback, queues):
        app.include_router(module.router)
    app.state.verifier = verifier or TokenVerifier(jwks_url=settings.jwks_url)
    app.state.today = today
    key = settings.personal_id_key.get_secret_value()
    app.state.services = ServiceFactory(runtime, settings, key)
    return FeedbackApp(runtime, app)


class ServiceFactory:
    """Gives the FeedbackService; made on first use, once the pool exists."""

    def __init__(self, runtime: ServiceRuntime, settings: Settings, key: str) -> None:
        self._runtime = runtime
        self._settings = settings
        self._key = key
        self._built: FeedbackService | None = None
        self._pool: object = None

    def __call__(self) -> FeedbackService:
        pool = self._runtime.pool
        if self._built is None or self._pool is not pool:
            self._pool = pool
            self._built = FeedbackService(
                repository=Repository(self._runtime.store, self._runtime.spec.registry),
                reads=ReadModels(pool),
                personal_ids=PersonalIds(self._key),
                idempotency=IdempotencyKeys(
                    hashlib.sha256(b"idempotency:" + self._key.encode()).digest()
                ),
                allow_temporary_personal_ids=(
                    self._settings.allow_temporary_personal_ids
                ),
            )
        return self._built
