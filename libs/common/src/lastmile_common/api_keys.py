"""Tenant API keys: `lm_<tenant>_<secret>_<signature>`. The orders service issues them and keeps
their hashes (revocation); every service can verify the signature without a shared table."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "lm"


@dataclass(frozen=True)
class ApiKey:
    """A parsed, signature-checked key."""

    tenant_id: str
    raw: str

    @property
    def hash(self) -> str:
        """What is stored: never the key itself."""
        return hashlib.sha256(self.raw.encode()).hexdigest()


def _signature(signing_secret: str, tenant_id: str, nonce: str) -> str:
    mac = hmac.new(signing_secret.encode(), f"{tenant_id}.{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def issue(signing_secret: str, tenant_id: str) -> ApiKey:
    """A new key for a tenant (tenant ids are hex UUIDs, so `_` separates safely)."""
    nonce = secrets.token_hex(16)
    raw = f"{PREFIX}_{tenant_id}_{nonce}_{_signature(signing_secret, tenant_id, nonce)}"
    return ApiKey(tenant_id=tenant_id, raw=raw)


def verify(signing_secret: str, raw: str) -> ApiKey | None:
    """The key's tenant if the signature holds, else None."""
    parts = raw.split("_")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    _, tenant_id, nonce, signature = parts
    if not hmac.compare_digest(signature, _signature(signing_secret, tenant_id, nonce)):
        return None
    return ApiKey(tenant_id=tenant_id, raw=raw)
