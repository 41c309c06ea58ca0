"""The notifier's command line: `python -m notifier [serve|migrate]`."""

from __future__ import annotations

from collections.abc import Sequence

from lastmile_common.service_main import run_service

from notifier.bootstrap import MIGRATIONS, SERVICE, create_app
from notifier.settings import NotifierSettings


def main(argv: Sequence[str] | None = None) -> None:
    """Serve (default) or migrate."""
    run_service(SERVICE, NotifierSettings, create_app, MIGRATIONS, argv)
