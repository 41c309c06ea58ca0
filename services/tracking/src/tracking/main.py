"""The tracking process: `python -m tracking [serve|migrate]`."""

from __future__ import annotations

from lastmile_common.service_main import run_service

from tracking.bootstrap import MIGRATIONS, SERVICE, create_app
from tracking.settings import TrackingSettings


def main() -> None:
    """Serve the tracking API and consumers, or apply its migrations."""
    run_service(SERVICE, TrackingSettings, create_app, MIGRATIONS)


if __name__ == "__main__":
    main()
