"""Wiring: settings → channels, consumer subscriptions, the dispatcher component and the app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from lastmile_common.http.app import create_service_app
from lastmile_common.runtime import Runtime
from starlette.datastructures import State

from notifier.adapters.mail_search import MailpitSearch
from notifier.adapters.send_journal import SendJournal
from notifier.adapters.sink import SinkBox
from notifier.adapters.smtp import SmtpChannel
from notifier.adapters.store import PostgresStore, transactions
from notifier.channels_factory import build_buckets, build_channels
from notifier.domain.masking import redact
from notifier.domain.signing import unsubscribe_token
from notifier.entrypoints import api, consumers, sink, webhooks
from notifier.service_layer.deps import Deps
from notifier.service_layer.dispatcher import Dispatcher, DispatchSettings
from notifier.service_layer.new_orders import NewOrderBatch
from notifier.service_layer.recovery import RelayLookup, decide_from_journal, unknown_resolver
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


class LogRedaction:
    """Masks contacts in every log handler's output, from before the consumers start."""

    name = "log-redaction"

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        """Install the filter on the handlers logging configured."""
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, RedactContacts) for f in handler.filters):
                handler.addFilter(RedactContacts())
        yield

    async def ready(self) -> bool:
        """Every handler redacts."""
        return all(
            any(isinstance(f, RedactContacts) for f in handler.filters)
            for handler in logging.getLogger().handlers
        )


class Dispatching:
    """The dispatcher (`app.state.dispatcher`), the send journal's verdicts on a previous run's
    e-mails and the resolver of unknown outcomes."""

    name = "dispatcher"

    def __init__(self, settings: NotifierSettings, box: SinkBox) -> None:
        self._settings, self._box = settings, box
        self._dispatcher: Dispatcher | None = None

    @asynccontextmanager
    async def run(self, runtime: Runtime, state: State) -> AsyncIterator[None]:
        """Start dispatching; on exit finish the sends in flight."""
        settings = self._settings
        journal = _journal(settings)
        channels = build_channels(settings, self._box, journal)
        tx = transactions(runtime.pool)
        dispatcher = Dispatcher(
            tx,
            channels,
            build_buckets(settings),
            _dispatch_settings(settings),
            _unsubscribe_url(settings),
            on_claimed=journal.claimed if journal is not None else None,
        )
        await dispatcher.start()
        state.dispatcher = self._dispatcher = dispatcher
        email = channels["email"]
        relay = _relay_lookup(settings, email)
        if journal is not None and isinstance(email, SmtpChannel):
            marks = journal.previous_marks()
            await decide_from_journal(tx, marks, email.domain, relay_searchable=relay is not None)
            journal.forget_previous()
        resolver = unknown_resolver(
            tx, channels, settings.unknown_settle_s, settings.unknown_check_interval_s, relay
        )
        try:
            yield
        finally:
            if resolver is not None:
                await resolver.stop()
            if relay is not None and isinstance(relay.search, MailpitSearch):
                await relay.search.close()
            await dispatcher.stop()
            if journal is not None:
                journal.close()

    async def ready(self) -> bool:
        """The dispatch loop is alive."""
        return self._dispatcher is not None and self._dispatcher.healthy


def build_deps(settings: NotifierSettings) -> Deps:
    """What the consumers' handlers share: links, the tenant cache and the new-order batch."""
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


def create_app(settings: NotifierSettings) -> FastAPI:
    """The notifier app: the dispatcher runs beside the consumers, the relay and the API."""
    deps = build_deps(settings)
    box = SinkBox(settings.sink_max_messages)
    app = create_service_app(
        SERVICE,
        settings,
        [api.router, webhooks.router, sink.router],
        migrations=MIGRATIONS,
        components=[LogRedaction(), Dispatching(settings, box)],
        subscriptions=lambda: consumers.subscriptions(settings, deps),
        title="lastmile notifier",
        description="Customer SMS and e-mail about orders, each sent exactly once.",
    )
    app.state.sink = box
    app.state.deps = deps
    return app


def _dispatch_settings(settings: NotifierSettings) -> DispatchSettings:
    return DispatchSettings(
        batch_size=settings.dispatch_batch_size,
        concurrency=settings.dispatch_concurrency,
        poll_interval_s=settings.dispatch_poll_interval_s,
        max_attempts=settings.max_send_attempts,
        backoff_initial_s=settings.retry_backoff_initial_s,
        backoff_max_s=settings.retry_backoff_max_s,
        sending_lease_s=settings.sending_lease_s,
    )


def _unsubscribe_url(settings: NotifierSettings) -> Callable[[str, str], str]:
    secret = settings.unsubscribe_secret.get_secret_value()
    base = settings.public_base_url.rstrip("/")

    def unsubscribe_url(tenant_id: str, email: str) -> str:
        return f"{base}/unsubscribe/{unsubscribe_token(secret, tenant_id, email)}"

    return unsubscribe_url


def _relay_lookup(settings: NotifierSettings, email: object) -> RelayLookup | None:
    """The relay's message search, when one is configured for the SMTP channel."""
    if not settings.email_search_url or not isinstance(email, SmtpChannel):
        return None
    auth = None
    if settings.email_search_username:
        password = settings.email_search_password
        auth = (settings.email_search_username, password.get_secret_value() if password else "")
    search = MailpitSearch(settings.email_search_url, auth=auth, timeout_s=settings.smtp_timeout_s)
    return RelayLookup(search, email.domain)


def _journal(settings: NotifierSettings) -> SendJournal | None:
    return SendJournal(Path(settings.send_journal_dir)) if settings.send_journal_dir else None
