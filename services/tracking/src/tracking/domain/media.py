"""Proof-of-delivery media: which kinds and types are accepted, and whether the bytes match."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ProofKind = Literal["photo", "signature"]

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
SIGNATURE_TYPES = {"image/svg+xml": "svg", "image/png": "png"}
ACCEPTED: dict[str, dict[str, str]] = {"photo": PHOTO_TYPES, "signature": SIGNATURE_TYPES}
# What a signature drawn as SVG may not carry: it is shown in browsers.
_ACTIVE_SVG = re.compile(
    rb"<\s*(script|foreignObject|iframe|object|embed)\b|\bon[a-z]+\s*=|javascript:|<!DOCTYPE|<!ENTITY",
    re.IGNORECASE,
)


class MediaRefused(ValueError):
    """The upload is not an accepted type, or its content is not what it claims."""


@dataclass(frozen=True)
class MediaLimits:
    """Largest accepted upload per kind, in bytes."""

    photo_bytes: int = 5 * 1024 * 1024
    signature_bytes: int = 512 * 1024

    def of(self, kind: ProofKind) -> int:
        """The limit of one kind."""
        return self.photo_bytes if kind == "photo" else self.signature_bytes


def media_type(kind: ProofKind, content_type: str) -> str:
    """The accepted media type named by a Content-Type header, else MediaRefused."""
    base = content_type.split(";", 1)[0].strip().lower()
    if base not in ACCEPTED[kind]:
        raise MediaRefused(f"{kind} must be one of {', '.join(ACCEPTED[kind])}, not {base!r}")
    return base


def check_content(kind: ProofKind, content_type: str, data: bytes) -> str:
    """The file extension for bytes that really are `content_type`; else MediaRefused."""
    ok = {
        "image/jpeg": data[:3] == b"\xff\xd8\xff",
        "image/png": data[:8] == b"\x89PNG\r\n\x1a\n",
        "image/webp": data[:4] == b"RIFF" and data[8:12] == b"WEBP",
        "image/svg+xml": _safe_svg(data),
    }[content_type]
    if not ok:
        raise MediaRefused(f"{kind}: the content is not a valid {content_type}")
    return ACCEPTED[kind][content_type]


def _safe_svg(data: bytes) -> bool:
    """An SVG document with no scripts, event handlers, embedded documents or entities."""
    head = data[:1024].lstrip()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
    return head.startswith(b"<svg") and _ACTIVE_SVG.search(data) is None
