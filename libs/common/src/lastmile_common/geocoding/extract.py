"""Reading a map extract's addresses (osmium) into an `AddressIndex`."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import osmium

from lastmile_common.geocoding.index import AddressIndex, Spot, house_index_key
from lastmile_common.geocoding.normalize import house_key, place_key, street_key

# Towns an address without addr:city belongs to (the nearest one); smaller places are searchable
# by name but do not name a postal town.
TOWN_KINDS = frozenset({"city", "town", "village"})
NAMED_KINDS = TOWN_KINDS | {"suburb", "quarter", "hamlet", "neighbourhood", "isolated_dwelling"}
GRID_DEG = 0.1


@dataclass(frozen=True, slots=True)
class _Address:
    street: str
    number: str
    city: str
    postcode: str
    lat: float
    lon: float


def _point(obj: Any) -> tuple[float, float] | None:
    """A node's location, or the mean of a way's located nodes (a relation: none)."""
    if isinstance(obj, osmium.osm.Node):
        return (obj.location.lat, obj.location.lon) if obj.location.valid() else None
    if not isinstance(obj, osmium.osm.Way):
        return None  # relations (large sites) are rare address carriers; their nodes count
    located = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
    if not located:
        return None
    return sum(p[0] for p in located) / len(located), sum(p[1] for p in located) / len(located)


def _middle(way: Any) -> tuple[float, float] | None:
    located = [(n.lat, n.lon) for n in way.nodes if n.location.valid()]
    return located[len(located) // 2] if located else None


class _Towns:
    """Nearest-town lookup over a coarse grid (an extract holds thousands of towns)."""

    def __init__(self, towns: list[Spot]) -> None:
        self.cells: dict[tuple[int, int], list[Spot]] = defaultdict(list)
        for town in towns:
            self.cells[self._cell(town.lat, town.lon)].append(town)

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / GRID_DEG), math.floor(lon / GRID_DEG)

    def nearest(self, lat: float, lon: float) -> str:
        """The nearest town's name ("" if the extract has none)."""
        row, col = self._cell(lat, lon)
        for reach in (1, 3, 10):
            near = [
                town
                for dr in range(-reach, reach + 1)
                for dc in range(-reach, reach + 1)
                for town in self.cells.get((row + dr, col + dc), ())
            ]
            if near:
                scale = math.cos(math.radians(lat))
                best = min(near, key=lambda t: (t.lat - lat) ** 2 + ((t.lon - lon) * scale) ** 2)
                return best.name
        return ""


class _Collector:
    """What one pass over the extract keeps: named places, addresses, named roads, countries."""

    def __init__(self) -> None:
        self.places: list[tuple[str, str, float, float]] = []
        self.addresses: list[_Address] = []
        self.roads: list[tuple[str, float, float]] = []
        self.countries: Counter[str] = Counter()

    def take(self, obj: Any) -> None:
        tags = obj.tags
        node = isinstance(obj, osmium.osm.Node)
        if node and tags.get("place") in NAMED_KINDS and "name" in tags and obj.location.valid():
            self.places.append((tags["name"], tags["place"], obj.location.lat, obj.location.lon))
        street = tags.get("addr:street") or tags.get("addr:place")
        if street and "addr:housenumber" in tags and (point := _point(obj)) is not None:
            city, postcode = tags.get("addr:city", ""), tags.get("addr:postcode", "")
            self.addresses.append(
                _Address(street, tags["addr:housenumber"], city, postcode, *point)
            )
            if "addr:country" in tags:
                self.countries[tags["addr:country"].upper()] += 1
        named_road = isinstance(obj, osmium.osm.Way) and "highway" in tags and "name" in tags
        if named_road and (middle := _middle(obj)) is not None:
            self.roads.append((tags["name"], *middle))


def read_extract(extract: Path) -> AddressIndex:
    """Every address, street and named place of `extract` as an index."""
    seen = _Collector()
    for obj in osmium.FileProcessor(str(extract)).with_locations():
        seen.take(obj)
    return _build(seen.places, seen.addresses, seen.roads, tuple(sorted(seen.countries)))


def _build(
    places: list[tuple[str, str, float, float]],
    addresses: list[_Address],
    roads: list[tuple[str, float, float]],
    countries: tuple[str, ...],
) -> AddressIndex:
    towns = _Towns([Spot(name, lat, lon) for name, kind, lat, lon in places if kind in TOWN_KINDS])
    index = AddressIndex(countries)
    for name, _kind, lat, lon in places:
        index.towns.setdefault(place_key(name), Spot(name, lat, lon, town=name))
    _add_addresses(index, addresses, towns)
    for name, lat, lon in roads:
        town = towns.nearest(lat, lon)
        entries = index.streets.setdefault(street_key(name), [])
        if not any(place_key(s.town) == place_key(town) for s in entries):
            entries.append(Spot(name, lat, lon, town=town))
    return index


def _add_addresses(index: AddressIndex, addresses: list[_Address], towns: _Towns) -> None:
    """Houses, then towns, postcodes and streets named only by addresses (at their mean)."""
    groups: dict[tuple[str, str], list[tuple[str, float, float, str, str]]] = defaultdict(list)
    for a in addresses:
        town = a.city or towns.nearest(a.lat, a.lon)
        index.houses.setdefault(house_index_key(street_key(a.street), house_key(a.number)), [])
        index.houses[house_index_key(street_key(a.street), house_key(a.number))].append(
            Spot(f"{a.street} {a.number}", a.lat, a.lon, town=town, postcode=a.postcode)
        )
        groups["town", place_key(town)].append((town, a.lat, a.lon, town, a.postcode))
        if a.postcode:
            groups["postcode", place_key(a.postcode)].append(
                (a.postcode, a.lat, a.lon, town, a.postcode)
            )
        groups["street", f"{street_key(a.street)}|{place_key(town)}"].append(
            (a.street, a.lat, a.lon, town, a.postcode)
        )
    for (kind, key), members in groups.items():
        spot = _mean_spot(members)
        if kind == "town":
            index.towns.setdefault(key, spot)
        elif kind == "postcode":
            index.postcodes[key] = spot
        else:
            index.streets.setdefault(key.split("|")[0], []).append(spot)


def _mean_spot(members: list[tuple[str, float, float, str, str]]) -> Spot:
    """One spot for a group of addresses: their mean point, most common town and postcode."""
    lat = sum(m[1] for m in members) / len(members)
    lon = sum(m[2] for m in members) / len(members)
    town = Counter(m[3] for m in members).most_common(1)[0][0]
    postcodes = Counter(m[4] for m in members if m[4])
    postcode = postcodes.most_common(1)[0][0] if postcodes else ""
    return Spot(members[0][0], lat, lon, town=town, postcode=postcode)
