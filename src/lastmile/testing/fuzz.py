"""API fuzzing with schemathesis against a running service's OpenAPI document, for the suite.

The run is reproducible (deterministic generation) and bounded so that it fits CI time: the
examples and coverage phases reach every operation whatever the bound, the fuzzing phase
generates `LASTMILE_FUZZ_EXAMPLES` cases per operation (5 unless set; raise it for a deeper run).
One worker: with two, operations run concurrently and the order of their requests (and so the
run) is no longer the same each time. It fails on any 5xx, on a response that breaks its schema, on a
status code, content type or header the document does not declare, and when an operation the
document lists was not tested.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lastmile.infra.platform import Infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process, wait_ready

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
SEED = 20261130
DEFAULT_EXAMPLES = 5
WORKERS = 1
_OPERATIONS = re.compile(r"Selected: (\d+)/\d+\s+Tested: (\d+)")


def examples_per_operation() -> int:
    """Cases per operation in the fuzzing phase: `LASTMILE_FUZZ_EXAMPLES`, else 5."""
    return int(os.environ.get("LASTMILE_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


@dataclass(frozen=True)
class FuzzRun:
    """One schemathesis run: its exit code and its report (stdout and stderr)."""

    returncode: int
    report: str

    @property
    def passed(self) -> bool:
        """Every check held on every generated request, and every selected operation was tested."""
        return self.returncode == 0 and self.every_operation_tested

    @property
    def every_operation_tested(self) -> bool:
        """The summary says as many operations were tested as were selected."""
        found = _OPERATIONS.search(self.report)
        return found is not None and found.group(1) == found.group(2)


def fuzz(
    base_url: str,
    *,
    headers: Mapping[str, str],
    max_examples: int | None = None,
    include_paths: Sequence[str] = (),
    exclude_paths: Sequence[str] = (),
    phases: str = "examples,coverage,fuzzing",
    report_dir: Path | None = None,
) -> FuzzRun:
    """Run schemathesis on `base_url`/openapi.json with `headers` on every request."""
    command = st_command(
        base_url,
        headers=headers,
        max_examples=max_examples,
        include_paths=include_paths,
        exclude_paths=exclude_paths,
        phases=phases,
        report_dir=report_dir,
    )
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "lastmile.testing.fuzz_hooks"}
    result = subprocess.run(  # noqa: S603 - our environment's own schemathesis
        command, capture_output=True, text=True, check=False, env=env
    )
    return FuzzRun(result.returncode, result.stdout + result.stderr)


def st_command(
    base_url: str,
    *,
    headers: Mapping[str, str],
    max_examples: int | None,
    include_paths: Sequence[str],
    exclude_paths: Sequence[str],
    phases: str,
    report_dir: Path | None,
) -> list[str]:
    """The `st run` command line of one fuzzing run."""
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples or examples_per_operation()),
        "--workers",
        str(WORKERS),
        "--seed",
        str(SEED),
        "--generation-deterministic",
        "--request-timeout",
        "10",
        "--suppress-health-check",
        "all",
        "--continue-on-failure",
        "--no-color",
        "--warnings",
        "off",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    for path in include_paths:
        command += ["--include-path", path]
    for path in exclude_paths:
        command += ["--exclude-path", path]
    if report_dir is not None:
        command += ["--report", "junit", "--report-dir", str(report_dir)]
    return command


@asynccontextmanager
async def serving(
    service: str, infra: Infrastructure, settings: Mapping[str, str] | None = None
) -> AsyncIterator[str]:
    """`python -m <service>` on a free port, ready; yields its base URL."""
    port = free_port()
    with service_process(service, infra, port, settings=settings) as process:
        await wait_ready(process, port)
        yield f"http://127.0.0.1:{port}"


async def fuzz_service(
    service: str,
    infra: Infrastructure,
    *,
    settings: Mapping[str, str] | None = None,
    **options: Any,
) -> FuzzRun:
    """Start `python -m <service>` and fuzz it once (`options` as for `fuzz`)."""
    async with serving(service, infra, settings) as base_url:
        return await asyncio.to_thread(fuzz, base_url, **options)
