"""RFC 9457 problem details for every error a client can cause, naming the field at fault."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lastmile_common.outage import unavailable_dependency

PROBLEM_JSON = "application/problem+json"
# What a client is told to wait before retrying while the database or broker is unavailable.
RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error answered as problem+json: status, title, detail and optional invalid params."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        errors: list[dict[str, Any]] | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.headers = headers
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.type = type_


def problem_response(
    status: int,
    title: str,
    detail: str = "",
    instance: str = "",
    errors: list[dict[str, Any]] | None = None,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as `{"field": "body.recipient.phone", "message": ...}` entries."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        out.append({"field": ".".join(loc) or "body", "message": error.get("msg", "invalid")})
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Answer validation errors, HTTP errors, Problems and outages as problem+json."""
    app.add_middleware(OutageAsUnavailable)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(list(exc.errors()))
        first = errors[0]["field"] if errors else "body"
        malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
        status = 400 if malformed else 422
        title = "Malformed JSON body" if malformed else "Invalid request"
        return problem_response(
            status,
            title,
            f"{first}: {errors[0]['message']}" if errors else "",
            request.url.path,
            errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code,
            _title(exc.status_code),
            str(exc.detail),
            request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.title, exc.detail, request.url.path, exc.errors, exc.type, exc.headers
        )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class OutageAsUnavailable:
    """Answers a request that failed because the database or the broker is unavailable with
    503 problem+json and `Retry-After`, never 500: the request was not at fault."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            dependency = unavailable_dependency(exc)
            if dependency is None or started:
                raise
            log.warning(
                "%s unavailable: %s %s answered 503", dependency, scope["method"], scope["path"]
            )
            response = problem_response(
                503,
                "Service Unavailable",
                f"the {dependency} is unavailable; retry in a few seconds",
                scope["path"],
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
            await response(scope, receive, send)


class BodySizeLimit:
    """Refuses request bodies over a limit with 413, counting streamed chunks too."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._too_large(send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        response = problem_response(
            413, "Content Too Large", f"request body exceeds {self.max_bytes} bytes"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(response.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})


class _TooLarge(Exception):
    pass
