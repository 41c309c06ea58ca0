"""The address index of one map extract: towns, postcodes, streets and houses by folded key."""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Bump when the index's content or layout changes: cached indexes of older versions are rebuilt.
INDEX_VERSION = 1


@dataclass(frozen=True, slots=True)
class Spot:
    """A named point of the index: a town, a postcode area, a street in a town, or a house."""

    name: str
    lat: float
    lon: float
    town: str = ""
    postcode: str = ""


@dataclass(frozen=True, slots=True)
class AddressIndex:
    """Everything the geocoder searches, keyed by the folded forms of `normalize`."""

    countries: tuple[str, ...]
    towns: dict[str, Spot] = field(default_factory=dict)
    postcodes: dict[str, Spot] = field(default_factory=dict)
    streets: dict[str, list[Spot]] = field(default_factory=dict)
    houses: dict[str, list[Spot]] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write the index as gzipped JSON (atomically: a reader never sees half a file)."""
        staging = path.with_name(f".{path.name}.tmp")
        with gzip.open(staging, "wt", encoding="utf-8") as handle:
            json.dump({"version": INDEX_VERSION, **asdict(self)}, handle, separators=(",", ":"))
        staging.replace(path)

    @classmethod
    def load(cls, path: Path) -> AddressIndex:
        """Read an index written by `save`; ValueError if it is of another version."""
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            raw = json.load(handle)
        if raw.get("version") != INDEX_VERSION:
            raise ValueError(f"{path} is an address index of version {raw.get('version')}")
        return cls(
            countries=tuple(raw["countries"]),
            towns={key: Spot(**spot) for key, spot in raw["towns"].items()},
            postcodes={key: Spot(**spot) for key, spot in raw["postcodes"].items()},
            streets={key: [Spot(**s) for s in spots] for key, spots in raw["streets"].items()},
            houses={key: [Spot(**s) for s in spots] for key, spots in raw["houses"].items()},
        )


def house_index_key(street: str, house: str) -> str:
    """The key of a house in `AddressIndex.houses`: street key and house key."""
    return f"{street}|{house}"
