"""scripts/find-python: make's way to a Python >= 3.12 when the default python3 is older."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "find-python"


def _fake_python(folder: Path, name: str, minor: int) -> Path:
    """A stand-in interpreter that answers the version check as Python 3.<minor> would."""
    path = folder / name
    path.write_text(
        "#!/bin/sh\n"
        f'case "$2" in *version_info*) [ {minor} -ge 12 ]; exit $? ;; esac\n'
        f'echo "{path}"\n'
    )
    path.chmod(0o755)
    return path


def _run(path_dirs: list[Path], home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.pathsep.join([*map(str, path_dirs), "/usr/bin", "/bin"]), "HOME": str(home)}
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)


def test_an_older_default_python3_is_passed_over_for_a_312(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_python(bin_dir, "python3", 11)
    wanted = _fake_python(bin_dir, "python3.12", 12)
    result = _run([bin_dir], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(wanted)


def test_a_pyenv_install_is_found_when_nothing_on_the_path_is_new_enough(tmp_path: Path) -> None:
    versions = tmp_path / ".pyenv" / "versions" / "3.13.0" / "bin"
    versions.mkdir(parents=True)
    wanted = _fake_python(versions, "python3", 13)
    result = _run([], tmp_path)
    assert result.returncode == 0, result.stderr
    # The machine's own /usr/bin/python3 may itself be new enough, and it comes first.
    assert result.stdout.strip() in (str(wanted), *_system_pythons())


def test_no_interpreter_stops_with_one_line_saying_what_to_install(tmp_path: Path) -> None:
    if _system_pythons():
        pytest.skip("this machine's /usr/bin/python3 is already 3.12+: nothing to refuse")
    result = _run([], tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Python 3.12 or newer" in lines[0]
    assert "install" in lines[0]


def _system_pythons() -> tuple[str, ...]:
    """System interpreters (/usr/bin) that are 3.12 or newer, which the script may rightly pick."""
    found = []
    for name in ("python3", "python3.12", "python3.13", "python3.14"):
        path = Path("/usr/bin") / name
        if not path.exists():
            continue
        check = subprocess.run(
            [str(path), "-c", "import sys; sys.exit(sys.version_info < (3, 12))"], check=False
        )
        if check.returncode == 0:
            found.append(str(path))
    return tuple(found)
