"""The tenants context: api_key.revoked."""

from pydantic import Field

from lastmile_common.events.base import EventData, UtcDatetime


class ApiKeyRevoked(EventData):
    """A tenant's API key was revoked: every service refuses it from now on."""

    key_hash: str = Field(
        pattern="^[0-9a-f]{64}$", description="SHA-256 of the key (hex); never the key itself"
    )
    revoked_at: UtcDatetime
