"""Customer tracking tokens expire some time after their route (the token is derived from the
order id with the shared link secret: `lastmile_common.tracking_links`)."""

from __future__ import annotations

from datetime import datetime, timedelta


def token_expiry(route_end: datetime, ttl_after_route_s: int) -> datetime:
    """When a token stops working: some time after its route's planned end."""
    return route_end + timedelta(seconds=ttl_after_route_s)
