"""The side-by-side of issue 12: one generated day of 300 orders on the map, planned on straight
lines and planned on roads, both replayed on roads (km, hours, stops late).

Not measured yet: it needs the planner on roads (the planner's integration of the routing
interface, a separate piece of issue 12). `side_by_side` is where it goes; until then it says so.
"""

from __future__ import annotations

from typing import Any

from lastmile_common.routing import Router


def side_by_side(router: Router) -> dict[str, Any]:
    """Straight-line plan vs road plan, both replayed on `router`'s roads (pending)."""
    return {
        "status": "pending: needs the planner on roads",
        "orders": 300,
        "straight_line_plan": None,
        "road_plan": None,
    }
