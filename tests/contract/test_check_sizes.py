"""scripts/check_sizes.py: long modules and functions fail `make lint` unless a comment says why."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_sizes", ROOT / "scripts/check_sizes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _function(lines: int, comment: str = "") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 1))
    return f"{comment}def long():\n{body}"


def test_a_long_function_fails_unless_a_comment_says_why(tmp_path: Path) -> None:
    check = _checker()
    path = tmp_path / "m.py"
    path.write_text(_function(60))
    assert check.problems(path) == []
    path.write_text(_function(61))
    assert [p.split(": ", 1)[1] for p in check.problems(path)] == ["long() has 61 lines (max 60)"]
    path.write_text(_function(61, "# size: a table read top to bottom\n"))
    assert check.problems(path) == []
    path.write_text(_function(61, "# size:\n"))  # a mark without a reason excuses nothing
    assert len(check.problems(path)) == 1


def test_a_long_module_fails_unless_its_head_says_why(tmp_path: Path) -> None:
    check = _checker()
    path = tmp_path / "m.py"
    path.write_text("x = 1\n" * 301)
    assert [p.split(": ", 1)[1] for p in check.problems(path)] == ["module has 301 lines (max 300)"]
    path.write_text("# size: generated data\n" + "x = 1\n" * 300)
    assert check.problems(path) == []


def test_the_workspace_passes() -> None:
    check = _checker()
    problems = [p for path in check.python_files(ROOT) for p in check.problems(path)]
    assert problems == []
