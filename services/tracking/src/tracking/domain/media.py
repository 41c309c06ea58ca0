"""Proof-of-delivery media: which kinds and types are accepted, and whether the bytes match."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from xml.etree import ElementTree

ProofKind = Literal["photo", "signature"]

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
SIGNATURE_TYPES = {"image/svg+xml": "svg", "image/png": "png"}
ACCEPTED: dict[str, dict[str, str]] = {"photo": PHOTO_TYPES, "signature": SIGNATURE_TYPES}
# A signature drawn as SVG is shown in browsers: only these elements and attributes pass (what a
# drawing of strokes needs); anything else (scripts, links, styles, embedded documents, event
# handlers, references to other resources) is refused, however it is spelt.
SVG_NS = "http://www.w3.org/2000/svg"
_SVG_ELEMENTS = frozenset({"svg", "g", "path", "polyline", "line", "circle", "title", "desc"})
_SVG_ATTRIBUTES = frozenset(
    {
        "viewBox", "width", "height", "version", "preserveAspectRatio",
        "d", "points", "x1", "y1", "x2", "y2", "cx", "cy", "r",
        "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "opacity",
    }
)  # fmt: skip
# Paint and sizes: a colour name or #hex, numbers, path data; never url(...) or a scheme.
_SVG_VALUE = re.compile(r"[#\w\s.,+\-%]*")


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
    """A UTF-8 SVG document of allowed elements and attributes only (no DTD, so no entities)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if text.lstrip().startswith("<?xml "):
        text = text[text.index("?>") + 2 :] if "?>" in text else ""
    # DOCTYPE, ENTITY, CDATA, comments, processing instructions (xml-stylesheet): nothing a drawn
    # signature needs.
    if "<!" in text or "<?" in text:
        return False
    try:
        # Safe here: without a DTD (refused above) expat has no entities to expand or fetch.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError:
        return False
    return root.tag == f"{{{SVG_NS}}}svg" and all(_allowed(e) for e in root.iter())


def _allowed(element: ElementTree.Element) -> bool:
    namespace, _, name = element.tag.rpartition("}")
    if namespace != "{" + SVG_NS or name not in _SVG_ELEMENTS:
        return False
    if name not in ("title", "desc") and (element.text or "").strip():
        return False  # text belongs in title and desc only
    return all(
        key in _SVG_ATTRIBUTES and _SVG_VALUE.fullmatch(value) is not None
        for key, value in element.attrib.items()
    )
