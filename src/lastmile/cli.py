"""`lastmile`: the operator's command line (up, demo, migrate, tenant create and revoke-key,
dlt, routing, geocode)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from lastmile.demo.hand_off import EARLY_START_S, chosen_vehicle
from lastmile.demo.hand_off import RUN_FILE_KEY as HAND_OFF_KEY
from lastmile.dlt import commands as dlt_commands
from lastmile.geocode import add_geocode_commands, cmd_geocode_prepare
from lastmile.infra.platform import Infrastructure, start_infrastructure
from lastmile.roads import add_routing_commands, cmd_routing_prepare, prepare_at_start
from lastmile.services import available_services
from lastmile.supervisor import CONSOLE, CONSOLE_PORT, Supervisor

STATE_DIR = Path(os.environ.get("LASTMILE_STATE_DIR", ".lastmile"))
RUN_FILE = STATE_DIR / "run.json"


def _write_run_file(infra: Infrastructure, supervisor: Supervisor) -> None:
    run: dict[str, Any] = {
        "services": supervisor.service_urls,
        "console": supervisor.urls.get(CONSOLE),
        "kafka_bootstrap": infra.kafka_bootstrap,
        "database_url": infra.database_url,
        "pids": {**infra.pids, **supervisor.pids},
    }
    with contextlib.suppress(OSError, ValueError):  # the demo's hand-off outlives a rewrite
        run |= {k: v for k, v in json.loads(RUN_FILE.read_text()).items() if k == HAND_OFF_KEY}
    if infra.postgres is not None:
        run["pids"]["postgres"] = _postmaster_pid(infra.postgres.data_dir)
    tmp = RUN_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(run, indent=2))
    tmp.replace(RUN_FILE)


def _postmaster_pid(data_dir: Path) -> int:
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def cmd_up(args: argparse.Namespace) -> int:
    """Start infrastructure and services, write run.json, wait for Ctrl-C or SIGTERM."""
    if not prepare_at_start():  # the services route on it: no map, no start
        return 2
    # A plain flag: a signal handler must not take the lock a threading.Event waits on.
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print("lastmile: starting infrastructure ...", flush=True)
    if args.demo and chosen_vehicle(args.hand_off):
        # The handed-off route is tomorrow's; the phone's fixes may start it today.
        os.environ.setdefault("TRACKING_EARLY_START_S", str(EARLY_START_S))
    infra = start_infrastructure(STATE_DIR)
    supervisor = Supervisor(infra, STATE_DIR / "logs")
    demo: subprocess.Popen[bytes] | None = None
    try:
        for spec in available_services():
            supervisor.start(spec)
        if args.console:
            supervisor.start_console(int(os.environ.get("LASTMILE_CONSOLE_PORT", CONSOLE_PORT)))
        supervisor.wait_ready()
        _write_run_file(infra, supervisor)
        print(f"lastmile is up (state in {RUN_FILE}):", flush=True)
        print(f"  kafka      {infra.kafka_bootstrap}")
        print(f"  postgres   {infra.database_url}")
        for name, url in supervisor.service_urls.items():
            print(f"  {name:<10} {url}  (docs: {url}/docs)")
        if CONSOLE in supervisor.urls:
            print(f"  console    {supervisor.urls[CONSOLE]}  (dispatcher console)")
        if "notifier" in supervisor.urls:
            print(f"  messages   {supervisor.urls['notifier']}/sink  (local SMS/e-mail sink)")
        print("  logs       " + str(STATE_DIR / "logs"))
        if args.demo:
            demo = _start_demo(args)
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping:
            time.sleep(0.5)
            # A crashed service is restarted with back-off, as Kubernetes would; the rest run on.
            if supervisor.supervise():
                _write_run_file(infra, supervisor)
            if demo is not None and demo.poll() is not None:
                print(f"lastmile: the demo day ended ({demo.returncode}); still up", flush=True)
                demo = None
        return 0
    finally:
        print("lastmile: stopping ...", flush=True)
        if demo is not None and demo.poll() is None:
            demo.send_signal(signal.SIGTERM)
            try:
                demo.wait(timeout=10)
            except subprocess.TimeoutExpired:
                demo.kill()
                demo.wait()
        RUN_FILE.unlink(missing_ok=True)
        supervisor.stop()
        infra.stop()


def _start_demo(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """The demo day as a child process (its output goes to this terminal)."""
    command = [sys.executable, "-m", "lastmile.cli", "demo", "--orders", str(args.orders)]
    command += ["--speed", str(args.speed), "--hand-off", args.hand_off or "none"]
    return subprocess.Popen(command, env={**os.environ, "LASTMILE_STATE_DIR": str(STATE_DIR)})  # noqa: S603


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the simulated delivery day against the running platform (run.json) and print figures."""
    from lastmile.demo.cli import run_demo_command

    return run_demo_command(
        RUN_FILE, args.orders, args.speed, args.seed, chosen_vehicle(args.hand_off)
    )


def _database_url() -> tuple[str, Infrastructure | None]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    if RUN_FILE.exists():
        return str(json.loads(RUN_FILE.read_text())["database_url"]), None
    from lastmile.infra.postgres import start_postgres

    server = start_postgres(STATE_DIR / "pgdata")
    return server.url, Infrastructure(kafka_bootstrap="", database_url=server.url, postgres=server)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply every service's migrations (what a Kubernetes Job runs before a rollout)."""
    url, started = _database_url()
    try:
        env = {**os.environ, "DATABASE_URL": url}
        for spec in available_services():
            subprocess.run([sys.executable, "-m", spec.name, "migrate"], env=env, check=True)  # noqa: S603
    finally:
        if started is not None:
            started.stop()
    return 0


def cmd_tenant_create(args: argparse.Namespace) -> int:
    """Create a tenant and print its id and API key as JSON."""
    import asyncpg
    from lastmile_common.db.migrations import migrate
    from orders.adapters.tenants import create_tenant
    from orders.settings import OrdersSettings

    url, started = _database_url()
    secret = OrdersSettings().api_key_secret.get_secret_value()

    async def run() -> tuple[str, str]:
        conn = await asyncpg.connect(url, server_settings={"search_path": "orders"})
        try:
            await migrate(conn, "orders", "orders.migrations")
            return await create_tenant(conn, args.name, secret)
        finally:
            await conn.close()

    try:
        tenant_id, api_key = asyncio.run(run())
    finally:
        if started is not None:
            started.stop()
    print(json.dumps({"tenant_id": tenant_id, "name": args.name, "api_key": api_key}))
    return 0


def cmd_tenant_revoke_key(args: argparse.Namespace) -> int:
    """Revoke an API key; every service refuses it within seconds. Prints JSON."""
    from lastmile_common.api_keys import ApiKey
    from lastmile_common.db.pool import create_pool
    from orders.adapters.tenants import revoke_key

    url, started = _database_url()

    async def run() -> str | None:
        pool = await create_pool(url, "orders", min_size=1, max_size=1)  # JSON codecs: the outbox
        try:
            async with pool.acquire() as conn:
                return await revoke_key(conn, ApiKey(tenant_id="", raw=args.api_key).hash)
        finally:
            await pool.close()

    try:
        tenant_id = asyncio.run(run())
    finally:
        if started is not None:
            started.stop()
    print(json.dumps({"revoked": tenant_id is not None, "tenant_id": tenant_id}))
    return 0 if tenant_id is not None else 1


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="lastmile", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the platform (embedded infrastructure by default)")
    up.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("LASTMILE_DEMO", "1") not in ("0", "false", "no"),
        help="run the simulated delivery day once the platform is up (default: on)",
    )
    up.add_argument(
        "--console",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve the dispatcher console (LASTMILE_CONSOLE_PORT, default 8000)",
    )
    demo = commands.add_parser(
        "demo", help="run the simulated delivery day against a running platform"
    )
    for parser_ in (up, demo):
        parser_.add_argument("--orders", type=int, default=300, help="orders in the demo day")
        parser_.add_argument(
            "--speed", type=float, default=60.0, help="simulated seconds per real second"
        )
        parser_.add_argument(
            "--hand-off",
            metavar="VEHICLE",
            default=os.environ.get("LASTMILE_DEMO_HANDOFF", "van-1"),
            help="vehicle left to the driver's app (its sign-in link is printed); 'none': all "
            "simulated (default: LASTMILE_DEMO_HANDOFF, else van-1)",
        )
    demo.add_argument("--seed", type=int, default=7, help="random seed of the day")
    commands.add_parser("migrate", help="apply every service's database migrations")
    tenant = commands.add_parser("tenant", help="manage tenants")
    tenant_commands = tenant.add_subparsers(dest="tenant_command", required=True)
    create = tenant_commands.add_parser("create", help="create a tenant and print its API key")
    create.add_argument("name")
    revoke = tenant_commands.add_parser(
        "revoke-key", help="revoke an API key on every service (within seconds)"
    )
    revoke.add_argument("api_key")
    dlt_commands.add_parser(commands)
    add_routing_commands(commands)
    add_geocode_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lastmile` command."""
    args = build_parser().parse_args(argv)
    handlers = {"up": cmd_up, "migrate": cmd_migrate, "demo": cmd_demo}
    if args.command == "tenant":
        if args.tenant_command == "revoke-key":
            return cmd_tenant_revoke_key(args)
        return cmd_tenant_create(args)
    if args.command == "dlt":
        return dlt_commands.run(args, RUN_FILE)
    if args.command == "routing":
        return cmd_routing_prepare(args)
    if args.command == "geocode":
        return cmd_geocode_prepare(args)
    return handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
