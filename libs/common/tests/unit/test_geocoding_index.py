"""The address index: built once per extract content, read back the same; name folding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lastmile_common.geocoding.commands import main
from lastmile_common.geocoding.index import AddressIndex
from lastmile_common.geocoding.normalize import house_key, place_key, split_line, street_key
from lastmile_common.geocoding.settings import GeocodingSettings


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Zollstrasse", "zollstrasse"),
        ("Zollstr.", "zollstrasse"),
        ("Zoll-Straße", "zollstrasse"),
        ("zoll str", "zollstrasse"),
        ("Städtle", "stadtle"),
        ("Staedtle", "stadtle"),
        ("Josef-Murr-Weg", "josefmurrweg"),
        ("St. Florinsgasse", "stflorinsgasse"),
    ],
)
def test_street_names_fold_to_one_key(written: str, key: str) -> None:
    assert street_key(written) == key


def test_lines_split_into_street_and_number() -> None:
    assert split_line("Landstrasse 19") == ("landstrasse", "19")
    assert split_line("19 Landstrasse") == ("landstrasse", "19")
    assert split_line("Im Rietle 12 a") == ("im rietle", "12 a")
    assert split_line("Kirchstrasse") == ("kirchstrasse", None)
    assert house_key("12 A") == house_key("12a")
    assert place_key("Gamprin-Bendern") == "gamprinbendern"


def test_the_index_is_built_once_per_extract_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    extract = tmp_path / "region.osm.pbf"
    shutil.copyfile(GeocodingSettings().map_file, extract)
    monkeypatch.setenv("LASTMILE_STATE_DIR", str(tmp_path / "state"))
    assert main(["prepare", "--map", str(extract)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["prepare", "--map", str(extract)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert first["prepared_seconds"] is not None and again["prepared_seconds"] is None
    assert first["houses"] == again["houses"] > 900 and "LI" in first["countries"]
    current = tmp_path / "state" / "geocoding" / "current.json.gz"
    assert current.resolve() == Path(first["index"])
    assert (
        AddressIndex.load(current).houses.keys()
        == AddressIndex.load(Path(again["index"])).houses.keys()
    )


def test_an_unreadable_extract_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prepare", "--map", str(tmp_path / "missing.osm.pbf")]) == 2
    assert "missing.osm.pbf" in capsys.readouterr().err
