"""Proof media: accepted types per kind, content that must match its type, unsafe SVG."""

from __future__ import annotations

import pytest
from tracking.domain.media import MediaLimits, MediaRefused, check_content, media_type

from ...media import JPEG_HEAD, SIGNATURE_SVG, png


def test_types_accepted_per_kind() -> None:
    assert media_type("photo", "image/JPEG; charset=binary") == "image/jpeg"
    assert media_type("signature", "image/svg+xml") == "image/svg+xml"
    with pytest.raises(MediaRefused, match="photo must be one of"):
        media_type("photo", "image/svg+xml")  # a photo is never an SVG
    with pytest.raises(MediaRefused):
        media_type("signature", "application/pdf")


def test_content_must_be_what_it_claims() -> None:
    assert check_content("photo", "image/png", png()) == "png"
    assert check_content("photo", "image/jpeg", JPEG_HEAD + b"rest") == "jpg"
    assert check_content("photo", "image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    with pytest.raises(MediaRefused, match="not a valid image/jpeg"):
        check_content("photo", "image/jpeg", png())
    with pytest.raises(MediaRefused):
        check_content("photo", "image/png", b"<html>hello</html>")


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg><a href="javascript:alert(1)"><path d="M0 0"/></a></svg>',
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>',
        b"<html><svg/></html>",
    ],
)
def test_active_or_foreign_svg_is_refused(svg: bytes) -> None:
    with pytest.raises(MediaRefused):
        check_content("signature", "image/svg+xml", svg)


def test_a_drawn_signature_passes() -> None:
    assert check_content("signature", "image/svg+xml", SIGNATURE_SVG) == "svg"
    assert check_content("signature", "image/svg+xml", b'<?xml version="1.0"?>\n' + SIGNATURE_SVG)


def test_limits_per_kind() -> None:
    limits = MediaLimits(photo_bytes=5_000_000, signature_bytes=100_000)
    assert (limits.of("photo"), limits.of("signature")) == (5_000_000, 100_000)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg">'


@pytest.mark.parametrize(
    "svg",
    [
        # Spellings a byte filter does not see: character references, other namespaces' links,
        # styles, resources by reference, other encodings.
        SVG + b'<a href="jav&#x61;script:alert(1)"><path d="M0 0"/></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="https://tracker.example/pixel.png"/></svg>',
        SVG + b"<style>path{fill:url(https://tracker.example/a)}</style></svg>",
        SVG + b'<path d="M0 0" fill="url(https://tracker.example/a)"/></svg>',
        SVG + b'<path d="M0 0" style="fill:red"/></svg>',
        SVG + b'<use href="#x"/></svg>',
        SVG + b"<text>hello</text></svg>",
        b'<?xml version="1.0"?><?xml-stylesheet href="https://tracker.example/s.css"?>'
        + SVG
        + b"</svg>",
        SVG + b"<!-- a comment --></svg>",
        b'<svg xmlns="http://example.com/not-svg"><path d="M0 0"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
        SVG + b"<path d='M0 0'",  # not well-formed
    ],
)
def test_only_the_elements_and_attributes_of_a_drawing_pass(svg: bytes) -> None:
    with pytest.raises(MediaRefused):
        check_content("signature", "image/svg+xml", svg)


def test_the_apps_own_signature_passes() -> None:
    # What driver_app/proof.js exports: one path with stroke attributes in a viewBox.
    drawn = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        b'<path d="M10.5 100 L80 60.25 L150 120" fill="none" stroke="#000" stroke-width="3"'
        b' stroke-linecap="round"/></svg>'
    )
    assert check_content("signature", "image/svg+xml", drawn) == "svg"
