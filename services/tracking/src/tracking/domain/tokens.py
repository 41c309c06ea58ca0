"""Customer tracking tokens: unguessable, one per order, expiring after the route."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta


def new_token() -> str:
    """A fresh token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def token_expiry(route_end: datetime, ttl_after_route_s: int) -> datetime:
    """When a token stops working: some time after its route's planned end."""
    return route_end + timedelta(seconds=ttl_after_route_s)
