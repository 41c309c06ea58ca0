"""`python -m orders [serve|migrate]`."""

from lastmile_common.service_main import run_service

from orders.bootstrap import MIGRATIONS, SERVICE, create_app
from orders.settings import OrdersSettings


def main() -> None:
    """Serve the orders API and consumers, or apply migrations."""
    run_service(SERVICE, OrdersSettings, create_app, MIGRATIONS)
