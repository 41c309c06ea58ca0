"""Placing a written address on the map extract's address index (pure: the index is given)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lastmile_common.events.orders import PostalAddress
from lastmile_common.geo import haversine_m
from lastmile_common.geocoding.index import AddressIndex, Spot, house_index_key
from lastmile_common.geocoding.normalize import house_key, place_key, split_line, street_key
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

Precision = Literal["house", "street", "postcode", "place"]
FINEST_FIRST: tuple[Precision, ...] = ("house", "street", "postcode", "place")
# A street assigned to a neighbouring village (the nearest one, when OSM names no town) still
# belongs to the town an integrator writes, if it lies this close to that town or postcode.
NEAR_M = 3_000.0


class AddressNotPlaced(Exception):
    """The geocoder cannot place the address precisely enough; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an address is, how precisely, and what it was matched to."""

    lat: float
    lon: float
    precision: Precision
    matched: str


def typo_limit(key: str) -> int:
    """Edits tolerated in a name: one in a short name, two in a longer one."""
    return 1 if len(key) <= 6 else 2


@dataclass(frozen=True, slots=True)
class _Area:
    """The town and postcode an address names, as found in the index."""

    towns: frozenset[str]
    postcode: Spot | None
    centre: Spot


class Geocoder:
    """Finds addresses in one extract's index; coarser than `min_precision` is refused."""

    def __init__(self, index: AddressIndex, min_precision: Precision = "street") -> None:
        self.index = index
        self.allowed = FINEST_FIRST[: FINEST_FIRST.index(min_precision) + 1]
        self._town_keys = list(index.towns)
        self._street_keys = list(index.streets)

    def place(self, address: PostalAddress) -> Placement:
        """The address's position; AddressNotPlaced if it is not on the map or too vague."""
        if self.index.countries and address.country not in self.index.countries:
            raise AddressNotPlaced(f"the map holds no addresses in {address.country}")
        area = self._area(address)
        street_text, number = split_line(address.line1)
        street = self._street(street_key(street_text), area)
        if street is not None:
            house = self._house(street_key(street.name), number, street) if number else None
            placed = house or Placement(street.lat, street.lon, "street", _label(street))
        else:
            spot = area.postcode or area.centre
            precision: Precision = "postcode" if area.postcode else "place"
            placed = Placement(spot.lat, spot.lon, precision, _label(spot))
        if placed.precision not in self.allowed:
            where = f"{address.postal_code} {address.city}".strip()
            raise AddressNotPlaced(
                f"no street of {address.line1!r} in {where}; found only its {placed.precision}"
            )
        return placed

    def _area(self, address: PostalAddress) -> _Area:
        key = place_key(address.city)
        towns = frozenset(found for found, _distance in _similar(key, self._town_keys, 5))
        postcode = self.index.postcodes.get(place_key(address.postal_code))
        if not towns and postcode is None:
            raise AddressNotPlaced(
                f"town {address.city!r} ({address.postal_code or 'no postcode'}) is not on the map"
            )
        centre = postcode or self.index.towns[min(towns, key=lambda t: (len(t) != len(key), t))]
        return _Area(towns, postcode, centre)

    def _street(self, key: str, area: _Area) -> Spot | None:
        """The street of that name (within a typo or two) in the named area, nearest first."""
        if not key:
            return None
        best: tuple[float, float, Spot] | None = None
        for found, distance in _similar(key, self._street_keys, 20):
            for spot in self.index.streets[found]:
                metres = _metres_outside(spot, area)
                if metres is not None and (best is None or (distance, metres) < best[:2]):
                    best = (distance, metres, spot)
        return None if best is None else best[2]

    def _house(self, key: str, number: str, street: Spot) -> Placement | None:
        """The house of that number on the street, in or nearest the street's town."""
        houses = self.index.houses.get(house_index_key(key, house_key(number)), [])
        near = [h for h in houses if haversine_m(h.lat, h.lon, street.lat, street.lon) <= NEAR_M]
        if not near:
            return None
        house = min(near, key=lambda h: haversine_m(h.lat, h.lon, street.lat, street.lon))
        return Placement(house.lat, house.lon, "house", _label(house))


class NoGeocoder:
    """A deployment without an address index: every address needs its coordinates."""

    def place(self, address: PostalAddress) -> Placement:
        """Never places: says that coordinates are required here."""
        raise AddressNotPlaced("geocoding is off on this deployment: send address.location")


def _similar(key: str, keys: list[str], limit: int) -> list[tuple[str, int]]:
    """The keys within `typo_limit` edits of `key`, fewest edits first."""
    found = process.extract(
        key, keys, scorer=Levenshtein.distance, score_cutoff=typo_limit(key), limit=limit
    )
    return [(choice, int(distance)) for choice, distance, _at in found]


def _metres_outside(spot: Spot, area: _Area) -> float | None:
    """0 if the street is in the named town or postcode, else its distance to the area's centre
    when within NEAR_M; None: elsewhere."""
    if place_key(spot.town) in area.towns:
        return 0.0
    if area.postcode is not None and spot.postcode == area.postcode.name:
        return 0.0
    metres = haversine_m(spot.lat, spot.lon, area.centre.lat, area.centre.lon)
    return metres if metres <= NEAR_M else None


def _label(spot: Spot) -> str:
    return ", ".join(part for part in (spot.name, f"{spot.postcode} {spot.town}".strip()) if part)
