"""`python -m notifier`."""

from notifier.main import main

main()
