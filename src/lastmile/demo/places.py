"""Real streets of Vaduz, Schaan and Triesen (Liechtenstein, the embedded map), and the demo depot.

Source of the coordinates: OpenStreetMap (www.openstreetmap.org, © OpenStreetMap contributors,
ODbL), read from data/osm/liechtenstein.osm.pbf: each street is the segment between the end
nodes of one of its ways, chosen where the way runs straight (no node more than ~25 m off the
segment). Addresses are drawn along that segment, a few metres to either side, so every
generated address lies on the real street it names and on the map the platform routes on.
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


DEPOT_ID = "schaan-hub"
DEPOT_NAME = "Schaan hub"
DEPOT_ADDRESS = "Wiesengass 1, 9494 Schaan"
DEPOT_LOCATION = (47.1641, 9.5014)
TIME_ZONE = "Europe/Vaduz"

VADUZ, SCHAAN, TRIESEN = "Vaduz", "Schaan", "Triesen"

STREETS: tuple[Street, ...] = (
    Street("Kirchstrasse", "9490", VADUZ, (47.1366, 9.5155), (47.1368, 9.5221), 50),
    Street("Rätikonstrasse", "9490", VADUZ, (47.1328, 9.5190), (47.1367, 9.5189), 45),
    Street("Wuhrstrasse", "9490", VADUZ, (47.1327, 9.5141), (47.1365, 9.5134), 45),
    Street("Am Schrägen Weg", "9490", VADUZ, (47.1402, 9.5186), (47.1367, 9.5164), 40),
    Street("Lettstrasse", "9490", VADUZ, (47.1401, 9.5151), (47.1404, 9.5193), 35),
    Street("Rheinstrasse", "9490", VADUZ, (47.1328, 9.5128), (47.1394, 9.5101), 75),
    Street("Mühleweg", "9490", VADUZ, (47.1546, 9.5146), (47.1496, 9.5150), 55),
    Street("Wingertstrasse", "9490", VADUZ, (47.1453, 9.5205), (47.1481, 9.5222), 35),
    Street("Kanalstrasse", "9490", VADUZ, (47.1265, 9.5212), (47.1236, 9.5216), 30),
    Street("Sägagass", "9494", SCHAAN, (47.1621, 9.5162), (47.1579, 9.5163), 45),
    Street("Tanzplatz", "9494", SCHAAN, (47.1627, 9.5096), (47.1597, 9.5098), 35),
    Street("Im Pardiel", "9494", SCHAAN, (47.1681, 9.5039), (47.1639, 9.5053), 50),
    Street("Im Rösle", "9494", SCHAAN, (47.1681, 9.5039), (47.1727, 9.5025), 50),
    Street("Duxgass", "9494", SCHAAN, (47.1667, 9.5237), (47.1663, 9.5193), 35),
    Street("In der Egerta", "9494", SCHAAN, (47.1667, 9.5064), (47.1639, 9.5071), 35),
    Street("Wiesengass", "9494", SCHAAN, (47.1641, 9.5014), (47.1643, 9.4947), 50),
    Street("Messinastrasse", "9495", TRIESEN, (47.1195, 9.5202), (47.1227, 9.5193), 40),
    Street("Meierhofstrasse", "9495", TRIESEN, (47.1225, 9.5285), (47.1263, 9.5261), 45),
    Street("St. Wolfgangstrasse", "9495", TRIESEN, (47.1178, 9.5261), (47.1226, 9.5259), 55),
    Street("Im Sand", "9495", TRIESEN, (47.1144, 9.5223), (47.1096, 9.5226), 55),
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
