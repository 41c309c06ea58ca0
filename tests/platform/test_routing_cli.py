"""`lastmile routing prepare` and `lastmile up` with a bad map: the error names the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lastmile import cli
from lastmile.testing.roads import TEST_CACHE


def test_routing_prepare_prints_the_datasets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTING_CACHE_DIR", str(TEST_CACHE))
    assert cli.main(["routing", "prepare"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["attribution"] == "© OpenStreetMap contributors"
    assert out["extract"].endswith("data/osm/liechtenstein.osm.pbf")
    pairs = {(d["profile"], d["bucket"]) for d in out["datasets"]}
    buckets = {"night", "morning_rush", "midday", "evening_rush"}
    assert pairs == {(p, b) for p in ("car", "bicycle") for b in buckets}
    assert all(Path(d["path"]).with_suffix(".osrm.hsgr").is_file() for d in out["datasets"])
    current = TEST_CACHE / "current"
    assert (current / "car" / "morning_rush" / "map.osrm.hsgr").is_file()
    assert (current / "bicycle" / "night").resolve() == Path(out["datasets"][-1]["path"]).parent
    # Bicycles ride at free flow: one dataset serves every bucket.
    assert len({d["path"] for d in out["datasets"] if d["profile"] == "bicycle"}) == 1
    assert len({d["path"] for d in out["datasets"] if d["profile"] == "car"}) == 4


def test_routing_prepare_names_a_missing_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "atlantis.osm.pbf"
    assert cli.main(["routing", "prepare", "--map", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_up_refuses_to_start_on_a_corrupt_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    monkeypatch.setenv("ROUTING_MAP_FILE", str(corrupt))
    monkeypatch.setenv("ROUTING_CACHE_DIR", str(tmp_path / "cache"))

    def no_infrastructure(*_: object, **__: object) -> None:
        raise AssertionError("infrastructure started despite a corrupt map")

    monkeypatch.setattr(cli, "start_infrastructure", no_infrastructure)
    assert cli.main(["up", "--no-demo", "--no-console"]) == 2
    err = capsys.readouterr().err
    assert "cannot start" in err
    assert str(corrupt) in err
