"""`python -m lastmile.console`: serve the dispatcher console (what `lastmile up` starts)."""

from __future__ import annotations

import json
import os

import uvicorn

from lastmile.console.app import create_app


def main() -> None:
    """Serve on LASTMILE_CONSOLE_HTTP_PORT, reading KAFKA_BOOTSTRAP_SERVERS."""
    services = json.loads(os.environ.get("LASTMILE_CONSOLE_SERVICES", "{}"))
    app = create_app(os.environ["KAFKA_BOOTSTRAP_SERVERS"], services)
    host = os.environ.get("LASTMILE_CONSOLE_HTTP_HOST", "127.0.0.1")
    port = int(os.environ.get("LASTMILE_CONSOLE_HTTP_PORT", "8000"))
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
