"""Bearer API-key authentication, scoping every request to the caller's tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lastmile_common.api_keys import ApiKey, verify
from lastmile_common.http.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="A tenant API key from `lastmile tenant create`")


async def caller_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiKey:
    """The verified API key of the request, or 401 problem+json."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <api key>")
    secret = request.app.state.settings.api_key_secret.get_secret_value()
    key = verify(secret, credentials.credentials)
    if key is None:
        raise Problem(401, "Unauthorized", "the API key is not valid")
    return key


CallerKey = Annotated[ApiKey, Depends(caller_key)]
