"""The problem responses every operation can give, documented once for every service's OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from lastmile_common.http.problems import PROBLEM_JSON, RETRY_AFTER_S


class FieldError(BaseModel):
    """One field at fault: where (`body.recipient.phone`, `query.cursor`) and why."""

    field: str
    message: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem, as every error of the platform is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


# Answers any operation may give, from the shared plumbing rather than from its own route:
# authentication, ids that cannot exist, malformed or invalid input, and outages.
COMMON = {
    "400": "Malformed request: a body that is not JSON, a cursor this API did not give",
    "401": "Missing, invalid or revoked credentials",
    "404": "No such resource for this tenant, or an id that cannot exist",
    "422": "Invalid request: `errors` names each field at fault",
    "503": f"The database or the broker is unavailable: retry after `Retry-After` seconds"
    f" (usually {RETRY_AFTER_S})",
}
# Only operations that take a body can send too much, or conflict with what is stored.
WITH_BODY = {
    "409": "Conflicts with the stored state (a reused id, a key reused with another body)",
    "413": "The request body is larger than the service accepts",
}
SCHEMA_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def document_problems(app: FastAPI) -> None:
    """Make `app.openapi()` declare the problem+json answers on every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            add_problem_responses(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_problem_responses(schema: dict[str, Any]) -> None:
    """Declare the common problem responses (problem+json) on every operation of `schema`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDetails"] = ProblemDetails.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components.update(components["ProblemDetails"].pop("$defs", {}))
    for operation in _operations(schema):
        responses = operation.setdefault("responses", {})
        wanted = COMMON | (WITH_BODY if "requestBody" in operation else {})
        for status, description in wanted.items():
            given = responses.get(status, {"description": description})
            if given["description"] == "Validation Error":  # FastAPI's, says less than ours
                given["description"] = description
            responses[status] = _problem(given, status)
        for status, response in responses.items():
            if status[0] in "45" and status not in wanted:
                responses[status] = _problem(response, status)
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)


def _problem(given: dict[str, Any], status: str) -> dict[str, Any]:
    """The response as problem+json, keeping another media type a route declared (an HTML page
    for people) beside it; FastAPI's default JSON content is replaced."""
    content = {
        media: value
        for media, value in given.get("content", {}).items()
        if media != "application/json"
    }
    response: dict[str, Any] = {
        "description": given["description"],
        "content": content | {PROBLEM_JSON: {"schema": SCHEMA_REF}},
    }
    if status == "503":
        response["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    return response


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    methods = ("get", "put", "post", "delete", "patch")
    return [
        item[method]
        for item in schema.get("paths", {}).values()
        for method in methods
        if method in item
    ]
