"""Entry point of `python -m orders`."""

from orders.main import main

main()
