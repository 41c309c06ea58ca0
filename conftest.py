"""Root pytest configuration: the shared real-infrastructure fixtures, and the test layers.

A test is `integration` when it lives under a `tests/integration/` folder or uses the real
broker and database (the `infra` fixture); `make unit` runs the rest, `make integration` these.
A test under `tests/unit/` that asks for `infra` is a layout mistake and stops the run.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["lastmile.testing.fixtures", "lastmile.testing.roads"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark integration tests by where they live and what they use; keep unit tests on fakes."""
    misplaced = []
    for item in items:
        parts = item.path.relative_to(config.rootpath).parts
        uses_infra = "infra" in getattr(item, "fixturenames", ())
        if "unit" in parts and "tests" in parts and uses_infra:
            misplaced.append(item.nodeid)
        if uses_infra or "integration" in parts:
            item.add_marker(pytest.mark.integration)
    if misplaced:
        raise pytest.UsageError(
            "unit tests run on fakes; move these to tests/integration: " + ", ".join(misplaced)
        )
