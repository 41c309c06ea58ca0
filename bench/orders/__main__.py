"""`python -m bench.orders [--concurrency N] [--orders N] [--json]`: the orders benchmark."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
from typing import Any

from bench.orders.collector import CreatedCollector
from bench.orders.cpu import CpuMeter, postmaster_pid
from bench.orders.harness import infrastructure, new_tenant, orders_process
from bench.orders.load import http_run, intake_run
from bench.orders.stats import median_of, table
from lastmile.infra.platform import Infrastructure
from lastmile.testing.processes import wait_ready

WARMUP_ORDERS = 300
HTTP_COLUMNS = (
    ("concurrency", "conc", ".0f"),
    ("orders_per_s", "orders/s", ".0f"),
    ("http_per_s", "http 201/s", ".0f"),
    ("p50_ms", "p50 ms", ".1f"),
    ("p90_ms", "p90 ms", ".1f"),
    ("p99_ms", "p99 ms", ".1f"),
    ("lag_p50_ms", "lag p50", ".1f"),
    ("lag_p99_ms", "lag p99", ".1f"),
    ("cpu_service_pct", "svc cpu%", ".0f"),
    ("cpu_loadgen_pct", "gen cpu%", ".0f"),
    ("cpu_postgres_pct", "pg cpu%", ".0f"),
    ("cpu_broker_pct", "kafka cpu%", ".0f"),
    ("cpu_other_pct", "other cpu%", ".0f"),
    ("svc_ms_per_order", "svc ms/ord", ".2f"),
    ("stack_ms_per_order", "stack ms/ord", ".2f"),
)


def log(message: str) -> None:
    """Progress on stderr, so --json output stays clean."""
    print(message, file=sys.stderr, flush=True)


async def repeated_http(
    infra: Infrastructure,
    port: int,
    collector: CreatedCollector,
    cpu: CpuMeter,
    reps: int,
    concurrency: int,
    orders: int,
) -> dict[str, Any]:
    """Median over `reps` HTTP runs, each with its own tenant."""
    runs = []
    for rep in range(reps):
        tenant, key = await new_tenant(infra.database_url, f"bench-c{concurrency}-{rep}")
        run = await http_run(
            port, key, tenant, collector, cpu, concurrency=concurrency, orders=orders
        )
        log(
            f"  http c={concurrency} rep {rep + 1}: {run['orders_per_s']:.0f} orders/s, "
            f"p99 {run['p99_ms']:.1f} ms, errors {run['errors']:.0f}"
        )
        runs.append(run)
    return {**median_of(runs), "runs": runs}


def knee(sweep: list[dict[str, Any]]) -> dict[str, Any]:
    """The lowest concurrency reaching 95% of the best throughput: more only adds latency."""
    best = max(point["orders_per_s"] for point in sweep)
    return next(point for point in sweep if point["orders_per_s"] >= 0.95 * best)


async def run_all(
    infra: Infrastructure, process: subprocess.Popen[bytes], port: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Warm up, then the fixed-concurrency runs, the sweep and the Kafka intake runs."""
    await wait_ready(process, port)
    log(f"orders ready on port {port} (pid {process.pid})")
    cpu = CpuMeter(
        process.pid,
        postmaster_pid(infra.postgres.data_dir) if infra.postgres else None,
        infra.broker.process.pid if infra.broker else None,
    )
    collector = CreatedCollector(infra.kafka_bootstrap)
    await collector.start()
    try:
        tenant, key = await new_tenant(infra.database_url, "bench-warmup")
        await http_run(port, key, tenant, collector, cpu, concurrency=16, orders=WARMUP_ORDERS)
        log(f"fixed concurrency {args.concurrency}, {args.orders} orders x {args.reps}")
        fixed = await repeated_http(
            infra, port, collector, cpu, args.reps, args.concurrency, args.orders
        )
        log(f"sweep {args.sweep}, {args.sweep_orders} orders x {args.reps}")
        sweep = [
            await repeated_http(infra, port, collector, cpu, args.reps, level, args.sweep_orders)
            for level in args.sweep
        ]
        intake_runs = []
        for rep in range(args.reps if args.intake_orders else 0):
            tenant, _ = await new_tenant(infra.database_url, f"bench-intake-{rep}")
            run = await intake_run(
                infra.kafka_bootstrap, tenant, collector, cpu, orders=args.intake_orders
            )
            log(f"  intake rep {rep + 1}: {run['orders_per_s']:.0f} orders/s")
            intake_runs.append(run)
    finally:
        await collector.stop()
    intake = {**median_of(intake_runs), "runs": intake_runs} if intake_runs else None
    return {"fixed": fixed, "sweep": sweep, "knee": knee(sweep), "intake": intake}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": os.getloadavg(),
    }


def print_text(results: dict[str, Any], args: argparse.Namespace) -> None:
    """Human-readable tables."""
    m = results["machine"]
    print(
        f"\nmachine: {m['nproc']} cores, Python {m['python']}, load avg {m['loadavg'][0]:.2f}"
        " (the load generator, orders, PostgreSQL and the broker share these cores)"
    )
    print(
        f"\nHTTP create at concurrency {args.concurrency} ({args.orders} orders, median of "
        f"{args.reps}); orders/s = order.created readable on orders.v1:"
    )
    print(table([results["fixed"]], HTTP_COLUMNS))
    print(f"\nconcurrency sweep ({args.sweep_orders} orders per point, median of {args.reps}):")
    print(table(results["sweep"], HTTP_COLUMNS))
    k = results["knee"]
    print(
        f"knee: concurrency {k['concurrency']:.0f} -> {k['orders_per_s']:.0f} orders/s, "
        f"p99 {k['p99_ms']:.1f} ms (target >= 1000 orders/s, p99 < 50 ms)"
    )
    if results["intake"]:
        i = results["intake"]
        print(
            f"\nKafka intake: {i['orders']:.0f} order.submitted on orders.inbound.v1 -> "
            f"{i['orders_per_s']:.0f} orders/s to orders.v1 (publish took {i['publish_s']:.2f} s;"
            f" svc cpu {i['cpu_service_pct']:.0f}% = {i['svc_ms_per_order']:.2f} ms/order,"
            f" other users {i['cpu_other_pct']:.0f}%, median of {len(i['runs'])})"
        )


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.orders", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=32, help="workers for the fixed run")
    parser.add_argument("--orders", type=int, default=600, help="orders per fixed run")
    parser.add_argument(
        "--sweep",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 4, 16, 32, 64],
        help="concurrency levels, comma separated",
    )
    parser.add_argument(
        "--sweep-orders", type=int, default=None, help="orders per sweep point (default: --orders)"
    )
    parser.add_argument(
        "--intake-orders",
        type=int,
        default=None,
        help="order.submitted events per intake run (default: --orders; 0 skips)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (ORDERS_HTTP_WORKERS)"
    )
    parser.add_argument("--reps", type=int, default=3, help="repetitions (medians are printed)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    args.sweep_orders = args.sweep_orders or max(1, args.orders // 2)
    args.intake_orders = args.orders if args.intake_orders is None else args.intake_orders
    return args


def main(argv: list[str] | None = None) -> None:
    """Start everything, measure, stop everything, print."""
    args = parse(argv)
    log("starting the embedded broker and PostgreSQL ...")
    with infrastructure() as infra, orders_process(infra, args.workers) as (process, port):
        results = asyncio.run(run_all(infra, process, port, args))
    results["machine"] = machine()
    results["args"] = {k: v for k, v in vars(args).items() if k != "json"}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_text(results, args)


if __name__ == "__main__":
    main()
