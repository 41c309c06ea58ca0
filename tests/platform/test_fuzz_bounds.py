"""The suite's fuzzing runs: bounded for CI, and failing when an operation went untested."""

from __future__ import annotations

import pytest

from lastmile.testing.fuzz import FuzzRun, st_command

SUMMARY = """API Operations:
  Selected: {selected}/12
  Tested: {tested}

Test cases:
  548 generated, 548 passed
"""


def test_a_run_that_left_an_operation_untested_has_not_passed() -> None:
    assert FuzzRun(0, SUMMARY.format(selected=12, tested=12)).passed
    assert not FuzzRun(0, SUMMARY.format(selected=12, tested=11)).passed
    assert not FuzzRun(0, "no summary: schemathesis stopped early").passed
    assert not FuzzRun(1, SUMMARY.format(selected=12, tested=12)).passed


def _options(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_examples_per_operation_are_few_in_ci_and_a_setting_for_deeper_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = {
        "headers": {"Authorization": "Bearer k"},
        "include_paths": (),
        "exclude_paths": ("/v1/stream",),
        "phases": "examples,coverage,fuzzing",
        "report_dir": None,
    }
    monkeypatch.delenv("LASTMILE_FUZZ_EXAMPLES", raising=False)
    command = st_command("http://127.0.0.1:1", max_examples=None, **options)  # type: ignore[arg-type]
    assert _options(command, "--max-examples") == "5"
    assert _options(command, "--workers") == "1"
    assert "--generation-deterministic" in command
    assert _options(command, "--phases") == "examples,coverage,fuzzing"
    monkeypatch.setenv("LASTMILE_FUZZ_EXAMPLES", "50")
    command = st_command("http://127.0.0.1:1", max_examples=None, **options)  # type: ignore[arg-type]
    assert _options(command, "--max-examples") == "50"
