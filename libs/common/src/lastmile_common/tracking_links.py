"""Customer tracking links: a token derived from an order id and the platform's link secret.

Tracking owns the page and the token scheme; the notifier derives the same token from the
same secret, so a customer's first message (the confirmation) carries a link that works before
tracking has seen the order on any route. Only holders of the secret can make a token; a token
names its order, nothing else (the page shows no other order's data).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

DEV_SECRET = "dev-tracking-link-secret-change-me"
_MAC_BYTES = 12  # 96 bits: 16 URL-safe characters
_MAC_CHARS = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, order_id: str) -> bytes:
    message = b"lastmile-tracking-link:" + order_id.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()[:_MAC_BYTES]


def _canonical_uuid(order_id: str) -> uuid.UUID | None:
    try:
        parsed = uuid.UUID(order_id)
    except ValueError:
        return None
    return parsed if str(parsed) == order_id else None


def link_token(secret: str, order_id: str) -> str:
    """The order's tracking token: `u` + UUID bytes (or `t` + the id's text) + MAC, URL-safe."""
    parsed = _canonical_uuid(order_id)
    payload = "u" + _b64(parsed.bytes) if parsed else "t" + _b64(order_id.encode())
    return payload + _b64(_mac(secret, order_id))


def order_of(secret: str, token: str) -> str | None:
    """The order id a token was derived for, or None when it was not made with `secret`."""
    if len(token) <= _MAC_CHARS + 1 or token[0] not in "ut":
        return None
    body, mac = token[1:-_MAC_CHARS], token[-_MAC_CHARS:]
    try:
        raw = _unb64(body)
        order_id = str(uuid.UUID(bytes=raw)) if token[0] == "u" else raw.decode()
        given = _unb64(mac)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(given, _mac(secret, order_id)):
        return None
    return order_id
