"""Every service's OpenAPI document: each request body carries an example, and each operation
declares the problem+json answers the shared plumbing gives (401, 404, 422, 503, ...)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from lastmile_common.settings import ServiceSettings

from lastmile.services import available_services


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = _resolve(document, media.get("schema", {}))
    if "example" in schema or "examples" in schema:
        return True
    # Optional bodies are `anyOf: [model, null]`: look at the model.
    return any(
        "examples" in _resolve(document, option) or "example" in _resolve(document, option)
        for option in schema.get("anyOf", [])
        if "$ref" in option
    )


def _document(service: str) -> dict[str, Any]:
    bootstrap = importlib.import_module(f"{service}.bootstrap")
    settings_module = importlib.import_module(f"{service}.settings")
    settings_class = next(
        value
        for value in vars(settings_module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
    )
    app = bootstrap.create_app(settings_class())
    return app.openapi()  # type: ignore[no-any-return]


@pytest.mark.parametrize("service", [spec.name for spec in available_services()])
def test_every_request_body_has_an_example(service: str) -> None:
    document = _document(service)
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if not body:
                continue
            for media_type, media in body.get("content", {}).items():
                if not _has_example(document, media):
                    missing.append(f"{method.upper()} {path} ({media_type})")
    assert not missing, "request bodies without an example: " + ", ".join(missing)


@pytest.mark.parametrize("service", [spec.name for spec in available_services()])
def test_every_operation_documents_its_problem_answers(service: str) -> None:
    document = _document(service)
    wrong = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "401", "404", "422", "503"}
            if "requestBody" in operation:
                expected |= {"409", "413"}
            errors = {s for s in responses if s[0] in "45"}
            for status in sorted(expected - errors):
                wrong.append(f"{method.upper()} {path}: no {status}")
            for status in sorted(errors):
                if "application/problem+json" not in responses[status].get("content", {}):
                    wrong.append(f"{method.upper()} {path}: {status} is not problem+json")
    assert not wrong, "\n".join(wrong)
    assert "HTTPValidationError" not in document["components"]["schemas"]
