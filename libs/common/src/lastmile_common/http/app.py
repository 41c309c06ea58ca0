"""The app factory every service uses: problem handlers, body limit, health, tracing, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import uvicorn
from fastapi import APIRouter, Depends, FastAPI

from lastmile_common.http.control_chars import refuse_control_characters
from lastmile_common.http.health import health_router
from lastmile_common.http.openapi import document_problems
from lastmile_common.http.problems import BodySizeLimit, install_problem_handlers
from lastmile_common.logging import configure_logging
from lastmile_common.revocations import RevokedKeys
from lastmile_common.runtime import Runtime, stop_runtime
from lastmile_common.settings import ServiceSettings
from lastmile_common.telemetry import configure_tracing, instrument_app

RuntimeStarter = Callable[[FastAPI], Awaitable[Runtime]]


def create_service_app(
    service: str,
    settings: ServiceSettings,
    start: RuntimeStarter,
    routers: Sequence[APIRouter],
    *,
    title: str,
    description: str = "",
    body_limit_exempt: tuple[str, ...] = (),
) -> FastAPI:
    """A FastAPI app whose lifespan starts the runtime and stops it on shutdown (SIGTERM)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start(app)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await stop_runtime(runtime)

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
    document_problems(app)

    async def db_ready() -> bool:
        return await app.state.runtime.db_ready()  # type: ignore[no-any-return]

    async def broker_ready() -> bool:
        return await app.state.runtime.broker_ready()  # type: ignore[no-any-return]

    app.include_router(health_router({"database": db_ready, "broker": broker_ready}))
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
