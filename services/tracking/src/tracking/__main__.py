"""`python -m tracking`."""

from tracking.main import main

main()
