"""Real streets of Berlin Mitte and Prenzlauer Berg, and the demo depot.

Source of the coordinates: OpenStreetMap (www.openstreetmap.org, © OpenStreetMap contributors,
ODbL). Each street is the straight segment between two points read off the OSM map at its ends
(accurate to a few tens of metres); addresses are drawn along that segment, a few metres to
either side, so every generated address lies on the real street it names.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Street:
    """A street as a segment between two WGS84 points, with its postal code."""

    name: str
    postal_code: str
    district: str
    start: tuple[float, float]
    end: tuple[float, float]
    max_number: int


@dataclass(frozen=True)
class Place:
    """A generated address on a real street."""

    line1: str
    postal_code: str
    district: str
    lat: float
    lon: float


DEPOT_ID = "berlin-westhafen"
DEPOT_NAME = "Berlin Westhafen hub"
DEPOT_ADDRESS = "Westhafenstraße 1, 13353 Berlin"
DEPOT_LOCATION = (52.5367, 13.3447)
TIME_ZONE = "Europe/Berlin"

STREETS: tuple[Street, ...] = (
    Street("Torstraße", "10119", "Mitte", (52.5276, 13.3878), (52.5290, 13.4130), 230),
    Street("Invalidenstraße", "10115", "Mitte", (52.5285, 13.3720), (52.5317, 13.3985), 160),
    Street("Chausseestraße", "10115", "Mitte", (52.5276, 13.3871), (52.5383, 13.3745), 130),
    Street("Linienstraße", "10119", "Mitte", (52.5268, 13.3902), (52.5281, 13.4098), 160),
    Street("Oranienburger Straße", "10178", "Mitte", (52.5253, 13.3880), (52.5233, 13.4018), 90),
    Street("Friedrichstraße", "10117", "Mitte", (52.5265, 13.3880), (52.5075, 13.3903), 240),
    Street("Brunnenstraße", "10119", "Mitte", (52.5302, 13.4013), (52.5440, 13.3942), 200),
    Street("Bernauer Straße", "13355", "Mitte", (52.5330, 13.3880), (52.5405, 13.4036), 120),
    Street("Alte Schönhauser Straße", "10119", "Mitte", (52.5247, 13.4061), (52.5291, 13.4103), 60),
    Street("Karl-Marx-Allee", "10178", "Mitte", (52.5215, 13.4155), (52.5180, 13.4400), 140),
    Street(
        "Schönhauser Allee", "10435", "Prenzlauer Berg", (52.5330, 13.4118), (52.5490, 13.4135), 190
    ),
    Street(
        "Kastanienallee", "10435", "Prenzlauer Berg", (52.5318, 13.4030), (52.5405, 13.4097), 100
    ),
    Street(
        "Prenzlauer Allee", "10405", "Prenzlauer Berg", (52.5292, 13.4170), (52.5450, 13.4262), 230
    ),
    Street(
        "Danziger Straße", "10435", "Prenzlauer Berg", (52.5405, 13.4125), (52.5362, 13.4380), 110
    ),
    Street(
        "Kollwitzstraße", "10405", "Prenzlauer Berg", (52.5322, 13.4150), (52.5400, 13.4185), 100
    ),
    Street(
        "Wörther Straße", "10405", "Prenzlauer Berg", (52.5362, 13.4140), (52.5378, 13.4245), 50
    ),
    Street(
        "Stargarder Straße", "10437", "Prenzlauer Berg", (52.5468, 13.4128), (52.5440, 13.4262), 80
    ),
    Street(
        "Greifswalder Straße",
        "10405",
        "Prenzlauer Berg",
        (52.5275, 13.4240),
        (52.5440, 13.4400),
        220,
    ),
    Street("Dunckerstraße", "10437", "Prenzlauer Berg", (52.5400, 13.4200), (52.5485, 13.4215), 90),
    Street(
        "Lychener Straße", "10437", "Prenzlauer Berg", (52.5400, 13.4155), (52.5480, 13.4178), 120
    ),
)


def offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    """A point some metres north and east of another."""
    lat, lon = point
    return (
        lat + north_m / 111_195.0,
        lon + east_m / (111_195.0 * math.cos(math.radians(lat))),
    )


def random_place(rng: random.Random) -> Place:
    """An address on one of the streets: a house number and a point along the segment."""
    street = rng.choice(STREETS)
    share = rng.random()
    lat = street.start[0] + share * (street.end[0] - street.start[0])
    lon = street.start[1] + share * (street.end[1] - street.start[1])
    # Houses stand a few metres off the centre line, on either side.
    lat, lon = offset((lat, lon), rng.uniform(-12, 12), rng.uniform(-12, 12))
    number = max(1, round(share * street.max_number)) + rng.choice((0, 1))
    return Place(
        f"{street.name} {number}", street.postal_code, street.district, round(lat, 6), round(lon, 6)
    )
