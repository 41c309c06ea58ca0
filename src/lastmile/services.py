"""The platform's services, their default ports and environment prefixes."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    """A service process the launcher can start."""

    name: str
    port: int
    prefix: str

    @property
    def available(self) -> bool:
        """True if the service is installed and runnable (`python -m <name>`)."""
        try:
            return importlib.util.find_spec(f"{self.name}.__main__") is not None
        except ModuleNotFoundError:
            return False


SERVICES = (
    ServiceSpec("orders", 8001, "ORDERS_"),
    ServiceSpec("planner", 8002, "PLANNER_"),
    ServiceSpec("tracking", 8003, "TRACKING_"),
    ServiceSpec("notifier", 8004, "NOTIFIER_"),
)


def available_services() -> list[ServiceSpec]:
    """The services this installation can run."""
    return [spec for spec in SERVICES if spec.available]
