"""Which vehicle `lastmile up` and `lastmile demo` hand to the driver's app, and run.json."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from lastmile import cli
from lastmile.demo.hand_off import chosen_vehicle, record


def test_lastmile_up_hands_off_the_first_van_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LASTMILE_DEMO_HANDOFF", raising=False)
    assert chosen_vehicle(cli.build_parser().parse_args(["up"]).hand_off) == "van-1"
    assert chosen_vehicle(cli.build_parser().parse_args(["up", "--hand-off", "ev-1"]).hand_off) == (
        "ev-1"
    )
    assert (
        chosen_vehicle(cli.build_parser().parse_args(["up", "--hand-off", "none"]).hand_off) is None
    )
    monkeypatch.setenv("LASTMILE_DEMO_HANDOFF", "none")
    assert chosen_vehicle(cli.build_parser().parse_args(["up"]).hand_off) is None


def test_the_hand_off_outlives_a_rewrite_of_run_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_file = tmp_path / "run.json"
    monkeypatch.setattr(cli, "RUN_FILE", run_file)
    infra = SimpleNamespace(
        kafka_bootstrap="k:1", database_url="postgresql://x", pids={}, postgres=None
    )
    supervisor = SimpleNamespace(service_urls={"tracking": "http://t"}, urls={}, pids={})
    cli._write_run_file(infra, supervisor)  # type: ignore[arg-type]
    link = "http://t/driver/#token=dev_x"
    record(
        run_file,
        {"vehicle_id": "van-1", "device_id": "d1", "device_token": "dev_x", "sign_in_url": link},
    )
    assert "device_token" not in json.loads(run_file.read_text())["hand_off"]
    cli._write_run_file(infra, supervisor)  # type: ignore[arg-type]  # e.g. a service restarted
    assert json.loads(run_file.read_text())["hand_off"]["sign_in_url"] == link
