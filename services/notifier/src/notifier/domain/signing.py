"""Signatures: Twilio's request signature and our signed unsubscribe tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """HMAC-SHA1 of the full URL followed by the POST params sorted by name, base64."""
    payload = url + "".join(f"{name}{value}" for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str
) -> bool:
    """Whether a request's X-Twilio-Signature matches, compared in constant time."""
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.encode())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(secret: str, tenant_id: str, email: str) -> str:
    """A URL-safe token naming the tenant and address, signed so it cannot be forged."""
    body = _b64(f"{tenant_id}\n{email}".encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()[:16]
    return f"{body}.{_b64(mac)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, str] | None:
    """The (tenant, email) of a valid token, else None."""
    body, sep, mac = token.partition(".")
    if not sep:
        return None
    expected = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()[:16])
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        return None
    try:
        tenant_id, _, email = _unb64(body).decode().partition("\n")
    except (ValueError, UnicodeDecodeError):
        return None
    return (tenant_id, email) if tenant_id and email else None
