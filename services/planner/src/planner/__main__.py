"""Entry point of `python -m planner`."""

from planner.main import main

main()
