"""The demo day's orders: deterministic for a seed, realistic in mix, with a few impossible ones."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lastmile.demo.places import DEPOT_ID, TIME_ZONE, random_place

Intake = Literal["shopify", "kafka", "import", "api"]

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Felix",
    "Greta",
    "Hannah",
    "Ilias",
    "Jonas",
    "Katrin",
    "Leon",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Umut",
    "Vera",
    "Wolfgang",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Mehmet",
    "Lena",
    "Jakob",
    "Sofia",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Yilmaz",
    "Kaya",
    "Nowak",
    "Lange",
]
# (start hour, end hour) in local time; weights follow a typical parcel day.
WINDOWS = (
    ((8, 18), 40),
    ((8, 12), 20),
    ((12, 16), 15),
    ((14, 18), 15),
    ((10, 12), 5),
    ((16, 18), 5),
)
PARCELS = (
    ("BOOK", "Books", 0.8, 0.004),
    ("SHOE", "Shoes", 1.2, 0.012),
    ("TEE", "Clothing", 0.4, 0.003),
    ("KIT", "Kitchenware", 3.5, 0.03),
    ("PHONE", "Phone", 0.3, 0.001),
    ("WINE", "Wine, 6 bottles", 9.0, 0.02),
)


@dataclass(frozen=True)
class DemoOrder:
    """One order of the day, how it reaches the platform, and why it cannot be planned if so."""

    body: dict[str, Any]
    intake: Intake
    impossible: str | None = None
    late: bool = False

    @property
    def external_id(self) -> str:
        """The integrator's id of the order."""
        return str(self.body["external_id"])


@dataclass(frozen=True)
class DemoDay:
    """A service date and its orders."""

    service_date: date
    orders: tuple[DemoOrder, ...]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(TIME_ZONE))

    def at(self, hour: float) -> datetime:
        """A local time of the service date as an aware datetime."""
        base = datetime.combine(self.service_date, time(0), self.tz)
        return base + timedelta(hours=hour)


def _window(day: DemoDay, start: float, end: float) -> dict[str, str]:
    return {"start": day.at(start).isoformat(), "end": day.at(end).isoformat()}


def _recipient(rng: random.Random, index: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    handle = f"{first}.{last}".lower().translate(str.maketrans("üöäß", "uoas"))
    channels = rng.choices((["sms", "email"], ["sms"], ["email"]), weights=(60, 20, 20))[0]
    return {
        "name": f"{first} {last}",
        "phone": f"+49151{20_000_000 + index * 7919 % 9_000_000:08d}",
        "email": f"{handle}.{index}@example.com",
        "channels": channels,
        "locale": rng.choices(("de", "en"), weights=(70, 30))[0],
    }


def _order(
    rng: random.Random, day: DemoDay, index: int, intake: Intake, depot_id: str
) -> dict[str, Any]:
    place = random_place(rng)
    (start, end), _weight = rng.choices(WINDOWS, weights=[w for _, w in WINDOWS])[0]
    sku, description, weight, volume = rng.choice(PARCELS)
    quantity = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
    skills: list[str] = []
    if rng.random() < 0.05:
        skills.append("refrigerated")
        sku, description, weight, volume = "FRESH", "Grocery box (chilled)", 7.0, 0.04
    if rng.random() < 0.03:
        skills.append("two_person")
        sku, description, weight, volume = "SOFA", "Armchair", 38.0, 0.6
    light = weight * quantity <= 2.0 and not skills
    return {
        "external_id": f"{intake.upper()}-{day.service_date:%m%d}-{index:04d}",
        "depot_id": depot_id,
        "recipient": _recipient(rng, index),
        "address": {
            "line1": place.line1,
            "city": place.district,
            "postal_code": place.postal_code,
            "country": "LI",
            "location": {"lat": place.lat, "lon": place.lon},
        },
        "windows": [_window(day, start, end)],
        "items": [
            {
                "sku": sku,
                "description": description,
                "quantity": quantity,
                "weight_kg": weight,
                "volume_m3": volume,
            }
        ],
        "service_time_s": rng.choice((90, 120, 180, 240)) + (300 if "two_person" in skills else 0),
        "skills": skills,
        "priority": rng.choices(("normal", "high", "low"), weights=(85, 10, 5))[0],
        "drone_eligible": light and rng.random() < 0.3,
        "notes": rng.choice(("", "", "", "Ring twice", "Leave with neighbour", "Hinterhaus")),
    }


def _impossible(
    day: DemoDay, rng: random.Random, index: int, kind: str, depot_id: str
) -> DemoOrder:
    body = _order(rng, day, index, "api", depot_id)
    body["external_id"] = f"API-{day.service_date:%m%d}-X{index:03d}"
    body["skills"] = []
    body["drone_eligible"] = False
    if kind == "too_heavy":
        body["items"] = [{"sku": "SAFE", "description": "Steel safe", "quantity": 1,
                          "weight_kg": 1800.0, "volume_m3": 1.2}]  # fmt: skip
    elif kind == "skill_missing":
        body["skills"] = ["crane"]
    elif kind == "window_unreachable":
        body["windows"] = [_window(day, 4.0, 4.5)]
    return DemoOrder(body, "api", impossible=kind)


def make_day(
    service_date: date, orders: int = 300, seed: int = 7, depot_id: str = DEPOT_ID
) -> DemoDay:
    """The day's orders: about 35% Shopify, 30% Kafka, 30% bulk import, the rest API and late."""
    rng = random.Random(seed)
    day = DemoDay(service_date, ())
    made: list[DemoOrder] = []
    kinds = ("too_heavy", "skill_missing", "window_unreachable")
    normal = max(1, orders - len(kinds) - 2)
    for index in range(normal):
        intake: Intake = rng.choices(("shopify", "kafka", "import", "api"), (35, 30, 30, 5))[0]
        made.append(DemoOrder(_order(rng, day, index, intake, depot_id), intake))
    for number, kind in enumerate(kinds):
        made.append(_impossible(day, rng, 900 + number, kind, depot_id))
    for number in range(2):  # placed after the cut-off: they trigger a re-plan
        body = _order(rng, day, 950 + number, "api", depot_id)
        body["windows"] = [_window(day, 14, 18)]
        body["skills"], body["drone_eligible"] = [], False
        made.append(DemoOrder(body, "api", late=True))
    return DemoDay(service_date, tuple(made))
