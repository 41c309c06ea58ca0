"""How addresses are compared: folded case, accents and umlauts, street suffixes, spacing."""

from __future__ import annotations

import re
import unicodedata

# German-speaking writers spell an umlaut either way ("Städtle", "Staedtle"); both fold to "a".
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
# "Zollstr.", "Zollstrase" (a common typo) and "Zoll Str" end in "strasse"; "St." (saint) stays.
_STREET_SUFFIX = re.compile(r"str(?:ase)?(?=\s|$)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_HOUSE_AT_END = re.compile(
    r"^(?P<street>.*?\D)[\s,]*(?P<number>\d+\s*[a-z]?(?:\s*[-/]\s*\d+[a-z]?)?)$"
)
_HOUSE_AT_START = re.compile(r"^(?P<number>\d+\s*[a-z]?)[\s,]+(?P<street>\D.*)$")


def fold(text: str) -> str:
    """Lower case, ß as ss, accents and umlauts dropped, punctuation as single spaces."""
    text = text.casefold().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for digraph, vowel in _DIGRAPHS:
        text = text.replace(digraph, vowel)
    return _NOT_WORD.sub(" ", text).strip()


def street_key(name: str) -> str:
    """A street name's key: "Zollstr.", "Zoll-Strasse" and "zollstraße" all give "zollstrasse"."""
    words = fold(name)
    return _STREET_SUFFIX.sub("strasse", words).replace(" ", "")


def place_key(name: str) -> str:
    """A town's or a postcode's key (folded, without spaces or hyphens)."""
    return fold(name).replace(" ", "")


def house_key(number: str) -> str:
    """A house number's key: "12 A" and "12a" are the same house."""
    return fold(number).replace(" ", "")


def split_line(line: str) -> tuple[str, str | None]:
    """A street line as (street, house number); the number may come last or first."""
    text = line.strip().strip(",").casefold()
    for pattern in (_HOUSE_AT_END, _HOUSE_AT_START):
        match = pattern.match(text)
        if match:
            return match["street"].strip(" ,"), match["number"]
    return text, None
