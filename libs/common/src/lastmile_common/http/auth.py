"""Bearer API-key authentication, scoping every request to the caller's tenant: the signature
proves who issued the key, the service's list of revoked keys says whether it still holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lastmile_common.api_keys import ApiKey, verify
from lastmile_common.http.problems import Problem
from lastmile_common.revocations import RevokedKeys

_bearer = HTTPBearer(auto_error=False, description="A tenant API key from `lastmile tenant create`")


async def verified_key(request: Request, raw: str) -> ApiKey:
    """The key if its signature holds and it was not revoked, else 401 problem+json."""
    key = verify(request.app.state.settings.api_key_secret.get_secret_value(), raw)
    if key is None:
        raise Problem(401, "Unauthorized", "the API key is not valid")
    revoked: RevokedKeys = request.app.state.revoked_keys
    if await revoked.is_revoked(request.app.state.runtime.pool, key.hash):
        raise Problem(401, "Unauthorized", "the API key was revoked")
    return key


async def caller_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiKey:
    """The verified API key of the request, or 401 problem+json."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <api key>")
    return await verified_key(request, credentials.credentials)


CallerKey = Annotated[ApiKey, Depends(caller_key)]
