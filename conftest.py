"""Root pytest configuration: the shared real-infrastructure fixtures."""

pytest_plugins = ["lastmile.testing.fixtures", "lastmile.testing.roads"]
