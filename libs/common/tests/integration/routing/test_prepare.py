"""Preparation: the cache is keyed by content, and a bad extract is named in the error."""

from __future__ import annotations

import os
import shutil
from datetime import time
from pathlib import Path

import pytest
from lastmile_common.routing import MapDataError, Profile, RoadClass, TimeBucket, TrafficModel
from lastmile_common.routing import prepare as prepare_module
from lastmile_common.routing.embedded import EmbeddedRouter
from lastmile_common.routing.prepare import DATASET_FILE, point_current, prepare_map
from lastmile_common.routing.settings import embedded_map

ONE_BUCKET = TrafficModel(buckets=(TimeBucket(name="day", start=time(0)),))
SLOWER = TrafficModel(
    buckets=(TimeBucket(name="day", start=time(0), factors={RoadClass.PRIMARY: 0.5}),)
)


def _no_tools(name: str) -> Path:
    raise AssertionError(f"{name} ran, but the dataset was in the cache")


def test_an_unchanged_map_is_never_prepared_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    dataset = first.datasets[Profile.CAR, "day"]
    assert dataset.seconds is not None
    assert dataset.path.with_suffix(".osrm.hsgr").is_file()  # contracted (CH)
    stamp = (dataset.path.parent / DATASET_FILE).stat().st_mtime_ns

    monkeypatch.setattr(prepare_module, "osrm_tool", _no_tools)
    again = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    assert again.datasets[Profile.CAR, "day"].path == dataset.path
    assert again.datasets[Profile.CAR, "day"].seconds is None
    assert (dataset.path.parent / DATASET_FILE).stat().st_mtime_ns == stamp
    assert again.sha256 == first.sha256
    assert again.bounds == first.bounds
    # The same bytes under another name are the same map.
    copy = tmp_path / "elsewhere.osm.pbf"
    shutil.copyfile(embedded_map(), copy)
    assert (
        prepare_map(copy, ONE_BUCKET, [Profile.CAR], tmp_path).datasets[Profile.CAR, "day"].path
        == dataset.path
    )


def test_another_speed_table_is_another_dataset(tmp_path: Path) -> None:
    free = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    slow = prepare_map(embedded_map(), SLOWER, [Profile.CAR], tmp_path)
    assert slow.datasets[Profile.CAR, "day"].seconds is not None
    assert slow.datasets[Profile.CAR, "day"].path != free.datasets[Profile.CAR, "day"].path
    assert free.datasets[Profile.CAR, "day"].path.parent.joinpath(DATASET_FILE).is_file()


def test_an_interrupted_preparation_is_done_again(tmp_path: Path) -> None:
    first = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    folder = first.datasets[Profile.CAR, "day"].path.parent
    (folder / DATASET_FILE).unlink()  # as if the process died before finishing
    again = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    assert again.datasets[Profile.CAR, "day"].seconds is not None
    assert (folder / DATASET_FILE).is_file()


def test_a_missing_extract_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.osm.pbf"
    with pytest.raises(MapDataError, match=f"{missing}.*does not exist"):
        prepare_map(missing, ONE_BUCKET, [Profile.CAR], tmp_path / "cache")


def test_a_truncated_extract_is_named_and_leaves_no_dataset(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(embedded_map().read_bytes()[:600_000])
    with pytest.raises(MapDataError, match=f"{truncated}.*osrm-extract failed.*EOF"):
        prepare_map(truncated, ONE_BUCKET, [Profile.CAR], tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob(DATASET_FILE))
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def test_a_file_that_is_not_osm_data_is_named(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.osm.pbf"
    garbage.write_text("not a map")
    with pytest.raises(MapDataError, match=f"{garbage}.*not a readable OSM file"):
        prepare_map(garbage, ONE_BUCKET, [Profile.CAR], tmp_path / "cache")


def test_current_points_at_each_buckets_dataset_and_follows_a_change(tmp_path: Path) -> None:
    free = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    point_current(free, tmp_path)
    link = tmp_path / "current" / "car" / "day"
    assert (link / "map.osrm.hsgr").is_file()
    assert link.resolve() == free.datasets[Profile.CAR, "day"].path.parent.resolve()
    assert not Path(os.readlink(link)).is_absolute()  # the volume may be mounted anywhere

    slow = prepare_map(embedded_map(), SLOWER, [Profile.CAR], tmp_path)
    point_current(slow, tmp_path)
    assert link.resolve() == slow.datasets[Profile.CAR, "day"].path.parent.resolve()
    assert [p.name for p in link.parent.iterdir()] == ["day"]  # no staging link left behind


def test_a_damaged_prepared_dataset_is_named_when_loaded(tmp_path: Path) -> None:
    prepared = prepare_map(embedded_map(), ONE_BUCKET, [Profile.CAR], tmp_path)
    graph = prepared.datasets[Profile.CAR, "day"].path.with_suffix(".osrm.hsgr")
    graph.write_bytes(graph.read_bytes()[:100])
    with pytest.raises(MapDataError, match=f"{graph.parent}.*hsgr"):
        EmbeddedRouter(prepared)
