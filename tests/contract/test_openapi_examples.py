"""Every request body in every service's OpenAPI document carries an example."""

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


@pytest.mark.parametrize("service", [spec.name for spec in available_services()])
def test_every_request_body_has_an_example(service: str) -> None:
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
    document = app.openapi()
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
