"""Wiring: settings, the service runtime, the delivery and reminder loops, the app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import structlog
from fastapi import FastAPI

from kisalli_notifications.adapters.smtp import SmtpMailer
from kisalli_notifications.adapters.templates import Renderer
from kisalli_notifications.domain.delivery import RetryPolicy
from kisalli_notifications.domain.reminders import Policy
from kisalli_notifications.entrypoints import emails_api
from kisalli_notifications.entrypoints.handlers import EventHandlers
from kisalli_notifications.entrypoints.secret_links import SecretLinkAwareConsumer
from kisalli_notifications.service_layer import reminders
from kisalli_notifications.service_layer.delivery import Delivery, DeliveryConfig
from kisalli_shared.auth import TokenVerifier
from kisalli_shared.consumer import EventConsumer
from kisalli_shared.contracts import registry_of
from kisalli_shared.contracts.accounts import SECRET_LINKS, SECRET_LINKS_TOPIC_CONFIG
from kisalli_shared.runtime import ServiceRuntime, ServiceSpec
from kisalli_shared.settings import ServiceSettings
from kisalli_shared.web import create_app

log = structlog.get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


class Settings(ServiceSettings):
    port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_start_tls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "noreply@kisalli.fi"
    mail_from_name: str = "Kisälli"
    # Shared with accounts alone; opens the sealed activation and reset links.
    secret_link_key: str = ""
    secret_link_key_file: Path | None = None
    delivery_enabled: bool = True
    delivery_batch_size: int = 50
    delivery_poll_interval: float = 0.5
    delivery_lease_seconds: float = 60.0
    retry_first_delay: float = 2.0
    retry_max_delay: float = 900.0
    retry_max_attempts: int = 100
    reminders_enabled: bool = True
    reminders_every_seconds: float = 3600.0
    reminder_days_before_due: int = 14
    reminder_late_every_days: int = 7
    reminder_student_after_days: int = 3
    reminder_student_every_days: int = 7

    def link_key(self) -> str:
        if self.secret_link_key:
            return self.secret_link_key
        if self.secret_link_key_file and self.secret_link_key_file.exists():
            return self.secret_link_key_file.read_text().strip()
        return ""

    def reminder_policy(self) -> Policy:
        return Policy(
            days_before_due=self.reminder_days_before_due,
            late_every_days=self.reminder_late_every_days,
            student_after_days=self.reminder_student_after_days,
            student_every_days=self.reminder_student_every_days,
        )


class NotificationsRuntime(ServiceRuntime):
    def consumer(self) -> EventConsumer:
        base = super().consumer()
        return SecretLinkAwareConsumer(
            group_id=base.group_id,
            topics=base.topics,
            bootstrap=base.bootstrap,
            pool=base.pool,
            registry=base.registry,
            handlers=base.handlers,
            producer=base.producer,
        )


def build_spec() -> ServiceSpec:
    return ServiceSpec(
        name="notifications",
        registry=registry_of("accounts", "feedback", "payments", "notifications"),
        migrations=MIGRATIONS,
        subscribes_to=["accounts", "feedback", "payments"],
        extra_subscriptions=[SECRET_LINKS],
        # Made here too, with its short retention, so that whichever of
        # accounts and notifications starts first, the topic never keeps
        # sealed links longer than an hour.
        extra_topics={SECRET_LINKS: SECRET_LINKS_TOPIC_CONFIG},
    )


@dataclass
class NotificationsService:
    settings: Settings
    runtime: ServiceRuntime
    renderer: Renderer = field(default_factory=Renderer)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def public_base_url(self) -> str:
        return self.settings.public_base_url.rstrip("/")

    def mailer(self) -> SmtpMailer:
        s = self.settings
        return SmtpMailer(
            host=s.smtp_host,
            port=s.smtp_port,
            sender=s.mail_from,
            sender_name=s.mail_from_name,
            timeout=s.smtp_timeout,
            start_tls=s.smtp_start_tls,
            username=s.smtp_username,
            password=s.smtp_password,
        )

    def delivery(self) -> Delivery:
        s = self.settings
        return Delivery(
            pool=self.runtime.pool,
            store=self.runtime.store,
            mailer=self.mailer(),
            renderer=self.renderer,
            config=DeliveryConfig(
                secret_link_key=s.link_key(),
                batch_size=s.delivery_batch_size,
                lease_seconds=s.delivery_lease_seconds,
                poll_interval=s.delivery_poll_interval,
                retry=RetryPolicy(
                    s.retry_first_delay, s.retry_max_delay, s.retry_max_attempts
                ),
            ),
        )

    async def send_reminders(self, today: date) -> int:
        """Queue the reminders due on `today`; safe to run any number of times."""
        return await reminders.send_reminders(
            self.runtime.pool,
            self.runtime.store,
            today,
            public_base_url=self.public_base_url,
            policy=self.settings.reminder_policy(),
        )

    async def start(self) -> None:
        await self.runtime.start()
        if self.settings.delivery_enabled:
            self._spawn("delivery", self.delivery().run)
        if self.settings.reminders_enabled:
            self._spawn(
                "reminders",
                lambda: reminders.remind_daily(
                    self.runtime.pool,
                    self.runtime.store,
                    public_base_url=self.public_base_url,
                    policy=self.settings.reminder_policy(),
                    every=self.settings.reminders_every_seconds,
                ),
            )

    def _spawn(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            while True:
                try:
                    await loop()
                    return
                except Exception:
                    log.exception("background_task_crashed", task=name)
                    await asyncio.sleep(1.0)

        self._tasks.append(asyncio.create_task(guarded(), name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.runtime.stop()


def build_service(settings: Settings) -> NotificationsService:
    spec = build_spec()
    runtime = NotificationsRuntime(spec, settings)
    if not settings.link_key():
        log.warning("secret_link_key_missing")
    spec.handlers = EventHandlers(
        store=lambda: runtime.store,
        registry=spec.registry,
        public_base_url=settings.public_base_url,
        secret_link_key=settings.link_key(),
    ).table()
    return NotificationsService(settings, runtime)


def build_app(
    settings: Settings, verifier: TokenVerifier | None = None
) -> tuple[FastAPI, NotificationsService]:
    service = build_service(settings)
    token_verifier = verifier or TokenVerifier(jwks_url=settings.jwks_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = create_app(
        title="Kisälli notifications",
        description="Every email the system sends, and what became of each.",
        lifespan=lifespan,
        readiness={
            "database": service.runtime.check_database,
            "kafka": service.runtime.check_kafka,
        },
    )
    app.state.runtime = service.runtime
    app.state.service = service
    app.state.token_verifier = token_verifier
    app.include_router(emails_api.router)
    return app, service
