"""`python -m planner [serve|migrate]`."""

from lastmile_common.service_main import run_service

from planner.bootstrap import MIGRATIONS, SERVICE, create_app
from planner.settings import PlannerSettings


def main() -> None:
    """Serve the planner API, consumers and background loops, or apply migrations."""
    run_service(SERVICE, PlannerSettings, create_app, MIGRATIONS)
