"""`lastmile up` and the e2e platform: the notifier and orders link the tracking service actually
started."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastmile.infra.platform import Infrastructure
from lastmile.services import SERVICES
from lastmile.supervisor import Supervisor


def test_the_notifier_links_the_tracking_port_in_use(tmp_path: Path) -> None:
    supervisor = Supervisor(Infrastructure("127.0.0.1:9092", "postgresql://x"), tmp_path)
    supervisor.urls["tracking"] = "http://127.0.0.1:41234"
    notifier = next(spec for spec in SERVICES if spec.name == "notifier")
    env = supervisor.environment(notifier, 41235)
    assert env["NOTIFIER_TRACKING_BASE_URL"] == "http://127.0.0.1:41234/track/"


def test_orders_links_proofs_where_tracking_will_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor = Supervisor(Infrastructure("127.0.0.1:9092", "postgresql://x"), tmp_path)
    orders = next(spec for spec in SERVICES if spec.name == "orders")
    monkeypatch.setenv("TRACKING_HTTP_PORT", "41236")
    before = supervisor.environment(orders, 41237)  # `lastmile up` starts orders first
    assert before["ORDERS_PROOF_BASE_URL"] == "http://127.0.0.1:41236/v1/proofs/"
    supervisor.urls["tracking"] = "http://127.0.0.1:41234"
    after = supervisor.environment(orders, 41237)
    assert after["ORDERS_PROOF_BASE_URL"] == "http://127.0.0.1:41234/v1/proofs/"
