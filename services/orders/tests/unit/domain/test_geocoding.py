"""The geocoder on the shipped extract (data/osm/liechtenstein.osm.pbf): real addresses of
Liechtenstein, misspelled, and addresses that are not on the map."""

from __future__ import annotations

import pytest
from lastmile_common.events.orders import PostalAddress
from lastmile_common.geo import haversine_m
from lastmile_common.geocoding.index import AddressIndex, house_index_key
from lastmile_common.geocoding.normalize import house_key, street_key
from lastmile_common.geocoding.prepare import prepare_index
from lastmile_common.geocoding.settings import GeocodingSettings
from orders.domain.geocoding import AddressNotPlaced, Geocoder

# Addresses as OpenStreetMap maps them (street, number, postcode, town), found with osmium.
REAL = [
    ("Landstrasse 19", "9494", "Schaan"),
    ("Städtle 43", "9490", "Vaduz"),
    ("Josef Murr Weg 4", "9493", "Mauren"),
    ("Zollstr. 16", "9489", "Vaduz"),
]
# The same houses as people write them: case, umlauts, ß, "str.", hyphens, one or two typos.
MISSPELLED = [
    ("landstraße 19", "", "schan", REAL[0]),
    ("Lanstrasse 19", "9494", "Schaan", REAL[0]),
    ("LANDSTR. 19", "", "SCHAAN", REAL[0]),
    ("Staedtle 43", "", "VADUZ", REAL[1]),
    ("Stadtle 43", "9490", "Vaduz", REAL[1]),
    ("Josef-Murr-Weg 4", "", "Mauren", REAL[2]),
    ("JosefMurrWeg 4", "", "Mauern", REAL[2]),
    ("Zoll-Strasse 16", "9489", "Vaduz", REAL[3]),
    ("Zollstrase 16", "", "Vaduz", REAL[3]),
]


@pytest.fixture(scope="module")
def index() -> AddressIndex:
    settings = GeocodingSettings()
    return prepare_index(settings.map_file, settings.cache_dir).index


def _address(line1: str, postcode: str, town: str, country: str = "LI") -> PostalAddress:
    return PostalAddress(line1=line1, postal_code=postcode, city=town, country=country)


def _mapped(index: AddressIndex, line1: str) -> tuple[float, float]:
    """Where the extract puts the house (its first mapping)."""
    street, number = line1.rsplit(" ", 1)
    house = index.houses[house_index_key(street_key(street), house_key(number))][0]
    return house.lat, house.lon


@pytest.mark.parametrize(("line1", "postcode", "town"), REAL)
def test_real_addresses_are_placed_at_the_house(
    index: AddressIndex, line1: str, postcode: str, town: str
) -> None:
    placed = Geocoder(index).place(_address(line1, postcode, town))
    assert placed.precision == "house"
    assert haversine_m(placed.lat, placed.lon, *_mapped(index, line1)) < 60
    assert town in placed.matched


@pytest.mark.parametrize(("line1", "postcode", "town", "real"), MISSPELLED)
def test_misspelled_addresses_find_the_same_house(
    index: AddressIndex, line1: str, postcode: str, town: str, real: tuple[str, str, str]
) -> None:
    geocoder = Geocoder(index)
    placed = geocoder.place(_address(line1, postcode, town))
    expected = geocoder.place(_address(*real))
    assert placed.precision == "house"
    assert (placed.lat, placed.lon) == (expected.lat, expected.lon)


def test_an_unknown_house_number_is_placed_on_its_street(index: AddressIndex) -> None:
    placed = Geocoder(index).place(_address("Landstrasse 9999", "", "Schaan"))
    assert placed.precision == "street" and placed.matched.startswith("Landstrasse")


@pytest.mark.parametrize(
    ("line1", "postcode", "town", "country", "why"),
    [
        ("Nowhere Street 5", "9490", "Vaduz", "LI", "no street"),
        ("Landstrasse 19", "", "Berlin", "LI", "not on the map"),
        ("Torstraße 1", "10119", "Berlin", "DE", "no addresses in DE"),
        ("Xyzabcstrasse 3", "", "Schaan", "LI", "no street"),
    ],
)
def test_addresses_not_on_the_map_are_refused(
    index: AddressIndex, line1: str, postcode: str, town: str, country: str, why: str
) -> None:
    with pytest.raises(AddressNotPlaced, match=why):
        Geocoder(index).place(_address(line1, postcode, town, country))


def test_coarser_placements_only_when_allowed(index: AddressIndex) -> None:
    unknown_street = _address("Nowhere Street 5", "9490", "Vaduz")
    placed = Geocoder(index, min_precision="place").place(unknown_street)
    assert placed.precision == "postcode" and "9490" in placed.matched
    town_only = Geocoder(index, min_precision="place").place(_address("Nowhere 5", "", "Vaduz"))
    assert town_only.precision == "place"


def test_nearly_every_address_of_the_extract_finds_itself(index: AddressIndex) -> None:
    """Measured 2026-11-30: 993 of 999; the rest are OSM oddities (one house mapped twice far
    apart, a number list "76, 76a, 76b", a stray quote)."""
    geocoder = Geocoder(index)
    houses = [house for spots in index.houses.values() for house in spots]
    found = 0
    for house in houses:
        try:
            placed = geocoder.place(_address(house.name, house.postcode, house.town))
        except AddressNotPlaced:
            continue
        near = haversine_m(placed.lat, placed.lon, house.lat, house.lon) < 60
        found += placed.precision == "house" and near
    assert found >= 0.99 * len(houses)
