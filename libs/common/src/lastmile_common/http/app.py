"""The app factory every service uses: problem handlers, body limit, health, tracing, and a
lifespan that runs the plumbing, the service's components and its consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import uvicorn
from fastapi import APIRouter, Depends, FastAPI

from lastmile_common.http.control_chars import refuse_control_characters
from lastmile_common.http.health import ReadinessCheck, health_router
from lastmile_common.http.problems import BodySizeLimit, install_problem_handlers
from lastmile_common.logging import configure_logging
from lastmile_common.revocations import RevokedKeys
from lastmile_common.runtime import Component, Subscriptions, running
from lastmile_common.settings import ServiceSettings
from lastmile_common.telemetry import configure_tracing, instrument_app


def create_service_app(
    service: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    *,
    migrations: str,
    components: Sequence[Component] = (),
    subscriptions: Subscriptions = tuple,
    title: str,
    description: str = "",
    body_limit_exempt: tuple[str, ...] = (),
) -> FastAPI:
    """A FastAPI app whose lifespan runs the pool, producer and relay, then `components` in
    order, then the consumers `subscriptions()` declares; and stops them in reverse (SIGTERM).
    `/readyz` checks the database, the broker and every component."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(
            service,
            settings,
            app.state,
            migrations=migrations,
            components=components,
            subscriptions=subscriptions,
        ):
            yield

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(refuse_control_characters)],
    )
    app.state.settings = settings
    app.state.revoked_keys = RevokedKeys()
    install_problem_handlers(app)

    async def db_ready() -> bool:
        return await app.state.runtime.db_ready()  # type: ignore[no-any-return]

    async def broker_ready() -> bool:
        return await app.state.runtime.broker_ready()  # type: ignore[no-any-return]

    checks: dict[str, ReadinessCheck] = {"database": db_ready, "broker": broker_ready}
    for component in components:
        if component.name in checks:
            raise ValueError(f"two readiness checks named {component.name!r}")
        checks[component.name] = component.ready
    app.include_router(health_router(checks))
    for router in routers:
        app.include_router(router)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, exempt_prefixes=body_limit_exempt
    )
    if settings.otel_exporter_otlp_endpoint:
        instrument_app(app)  # request spans cost ~10% CPU: only when they are exported
    return app


def serve(service: str, settings: ServiceSettings, app: FastAPI | str) -> None:
    """Run the app under uvicorn; SIGTERM triggers the lifespan shutdown (graceful stop).

    `app` is an app, or an import string of an app factory when several workers share the port.
    """
    configure_logging(service, settings.log_level)
    configure_tracing(service, settings.otel_exporter_otlp_endpoint)
    uvicorn.run(
        app,
        factory=isinstance(app, str),
        workers=settings.http_workers if isinstance(app, str) else None,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=20,
        access_log=False,
    )
