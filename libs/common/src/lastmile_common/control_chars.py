"""Where a value holds a C0 control character that no text of ours allows (PostgreSQL cannot
store U+0000 at all; tab, newline and CR are allowed in text)."""

from __future__ import annotations

import json
import re
from typing import Any

MESSAGE = "control characters are not allowed"
_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A parameter (an id, a filter) allows none at all.
IN_PARAM = re.compile("[\x00-\x1f]")
# How a control character looks inside JSON text (\u0000-\u001f but tab, newline and CR, or
# the \b and \f escapes): a cheap scan of the raw body before any parsing. An escaped
# backslash can make it match by mistake; the parse that follows decides.
_ESCAPED = re.compile(rb"\\(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|[bf])")


def control_character_field(value: Any, path: str) -> str | None:
    """The dotted path (under `path`) of the first string or key in `value` holding a
    forbidden control character, or None."""
    if isinstance(value, str):
        return path if _IN_TEXT.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _IN_TEXT.search(str(key)):
                return _join(path, repr(key))
            if (found := control_character_field(item, _join(path, str(key)))) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := control_character_field(item, _join(path, str(index)))) is not None:
                return found
    return None


def json_control_character_field(raw: bytes, path: str = "body") -> str | None:
    """`control_character_field` of a JSON document, parsing it only if it may hold one."""
    if not _ESCAPED.search(raw):
        return None
    try:
        return control_character_field(json.loads(raw), path)
    except ValueError:
        return None  # malformed JSON: the body's own validation answers 400


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part
