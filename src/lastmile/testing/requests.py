"""Assertions on how a service answers a request it must refuse."""

from __future__ import annotations

from typing import Any

import httpx

NUL = "\x00"


async def assert_refused(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    status: int,
    field: str | None = None,
    **request: Any,
) -> None:
    """`method url` answers `status` as problem+json, naming `field` when one is given."""
    response = await client.request(method, url, **request)
    assert response.status_code == status, (method, url, response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json", response.text
    if field is not None:
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text
