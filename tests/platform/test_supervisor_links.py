"""`lastmile up` and the e2e platform: the notifier links the tracking service actually started."""

from __future__ import annotations

from pathlib import Path

from lastmile.infra.platform import Infrastructure
from lastmile.services import SERVICES
from lastmile.supervisor import Supervisor


def test_the_notifier_links_the_tracking_port_in_use(tmp_path: Path) -> None:
    supervisor = Supervisor(Infrastructure("127.0.0.1:9092", "postgresql://x"), tmp_path)
    supervisor.urls["tracking"] = "http://127.0.0.1:41234"
    notifier = next(spec for spec in SERVICES if spec.name == "notifier")
    env = supervisor.environment(notifier, 41235)
    assert env["NOTIFIER_TRACKING_BASE_URL"] == "http://127.0.0.1:41234/track/"
