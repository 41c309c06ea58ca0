"""Wiring: settings → channels, consumer subscription, dispatcher and HTTP app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.runtime import Runtime, start_runtime

from notifier.adapters.send_journal import SendJournal
from notifier.adapters.sink import SinkBox
from notifier.adapters.smtp import SmtpChannel
from notifier.adapters.store import PostgresStore, transactions
from notifier.channels_factory import build_buckets, build_channels
from notifier.domain.masking import redact
from notifier.domain.signing import unsubscribe_token
from notifier.entrypoints import api, sink, webhooks
from notifier.entrypoints.consumers import KEYS, subscription
from notifier.service_layer.deps import Deps
from notifier.service_layer.dispatcher import Dispatcher, DispatchSettings
from notifier.service_layer.new_orders import NewOrderBatch
from notifier.service_layer.recovery import decide_from_journal, unknown_resolver
from notifier.service_layer.tenant_cache import TenantCache
from notifier.settings import NotifierSettings

SERVICE = "notifier"
MIGRATIONS = "notifier.migrations"


class RedactContacts(logging.Filter):
    """Masks phone numbers and e-mail addresses in every log line, whoever logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in list(record.__dict__.items()):
            if isinstance(value, str) and name not in ("msg", "message"):
                record.__dict__[name] = redact(value)
        return True


def _deps(settings: NotifierSettings) -> Deps:
    cache = TenantCache()
    return Deps(
        tracking_base_url=settings.tracking_base_url,
        tracking_link_secret=settings.tracking_link_secret.get_secret_value(),
        public_base_url=settings.public_base_url,
        unsubscribe_secret=settings.unsubscribe_secret.get_secret_value(),
        require_tenant_settings=settings.require_tenant_settings,
        cache=cache,
        batch=NewOrderBatch(cache, PostgresStore),
    )


# size: the lifespan override goes when the app factory takes components (issue 13)
def create_app(settings: NotifierSettings) -> FastAPI:
    """The notifier app: its lifespan runs the consumers, the relay and the dispatcher."""

    deps = _deps(settings)

    async def start(app: FastAPI) -> Runtime:
        return await start_runtime(
            SERVICE, settings, MIGRATIONS, [subscription(deps, settings.consumer_group), KEYS]
        )

    app = create_service_app(
        SERVICE,
        settings,
        start,
        [api.router, webhooks.router, sink.router],
        title="lastmile notifier",
        description="Customer SMS and e-mail about orders, each sent exactly once.",
    )
    box = SinkBox(settings.sink_max_messages)
    app.state.sink = box
    app.state.deps = deps
    inner = app.router.lifespan_context
    secret = settings.unsubscribe_secret.get_secret_value()
    base = settings.public_base_url.rstrip("/")

    def unsubscribe_url(tenant_id: str, email: str) -> str:
        return f"{base}/unsubscribe/{unsubscribe_token(secret, tenant_id, email)}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _install_redaction()
        async with inner(app):
            journal = _journal(settings)
            channels = build_channels(settings, box, journal)
            tx = transactions(app.state.runtime.pool)
            dispatcher = Dispatcher(
                tx,
                channels,
                build_buckets(settings),
                DispatchSettings(
                    batch_size=settings.dispatch_batch_size,
                    concurrency=settings.dispatch_concurrency,
                    poll_interval_s=settings.dispatch_poll_interval_s,
                    max_attempts=settings.max_send_attempts,
                    backoff_initial_s=settings.retry_backoff_initial_s,
                    backoff_max_s=settings.retry_backoff_max_s,
                    sending_lease_s=settings.sending_lease_s,
                ),
                unsubscribe_url,
                on_claimed=journal.claimed if journal is not None else None,
            )
            await dispatcher.start()
            app.state.dispatcher = dispatcher
            email = channels["email"]
            if journal is not None and isinstance(email, SmtpChannel):
                await decide_from_journal(tx, journal.previous_marks(), email.domain)
                journal.forget_previous()
            resolver = unknown_resolver(
                tx, channels, settings.unknown_settle_s, settings.unknown_check_interval_s
            )
            try:
                yield
            finally:
                if resolver is not None:
                    await resolver.stop()
                await dispatcher.stop()
                if journal is not None:
                    journal.close()

    app.router.lifespan_context = lifespan
    return app


def _journal(settings: NotifierSettings) -> SendJournal | None:
    return SendJournal(Path(settings.send_journal_dir)) if settings.send_journal_dir else None


def _install_redaction() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactContacts) for f in handler.filters):
            handler.addFilter(RedactContacts())
