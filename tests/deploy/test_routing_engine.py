"""The osrm pods' own commands, run here on a tiny prepared map: the init container lets go once the
dataset is there, the server starts with the Deployment's arguments, its probes answer 200, and
SIGTERM stops it within the grace period."""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SITE = re.compile(r"^/app/\.venv/lib/python\d+\.\d+/site-packages/")
OSRM = Path(sys.executable).parent.parent / "lib"


def _grid_osm(path: Path) -> None:
    """A 4 x 4 grid of residential streets (about 100 m apart) as OSM XML."""
    nodes, ways = [], []
    ids = {}
    for row in range(4):
        for col in range(4):
            ids[row, col] = 1 + row * 4 + col
            lat, lon = 47.10 + row * 0.001, 9.50 + col * 0.0013
            nodes.append(f'<node id="{ids[row, col]}" version="1" lat="{lat}" lon="{lon}"/>')
    way_id = 100
    for line in range(4):
        for cells in ([(line, c) for c in range(4)], [(r, line) for r in range(4)]):
            refs = "".join(f'<nd ref="{ids[cell]}"/>' for cell in cells)
            tag = '<tag k="highway" v="residential"/>'
            ways.append(f'<way id="{way_id}" version="1">{refs}{tag}</way>')
            way_id += 1
    body = "\n".join(nodes + ways)
    path.write_text(f'<?xml version="1.0"?>\n<osm version="0.6">\n{body}\n</osm>\n')


def _local(binary: str) -> str:
    """The image's path of a wheel binary, in this environment's site-packages."""
    site = next(OSRM.glob("python*/site-packages"))
    return str(site / SITE.sub("", binary))


def _prepare(dataset: Path, tmp_path: Path, osrm_bin: Path) -> None:
    osm = tmp_path / "grid.osm"
    _grid_osm(osm)
    profile = osrm_bin.parent / "share" / "profiles" / "car.lua"
    dataset.parent.mkdir(parents=True)
    for command in (
        [osrm_bin / "osrm-extract", "-p", profile, osm, "-o", dataset],
        [osrm_bin / "osrm-contract", dataset],
    ):
        subprocess.run(command, check=True, capture_output=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def _resolve(text: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion in command and args."""
    return re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], text)


def test_the_osrm_pod_commands_serve_a_prepared_dataset(rendered, k8s, tmp_path):
    deployment = k8s.named(rendered["prod"], "Deployment", "osrm-car-morning-rush")
    spec = deployment["spec"]["template"]["spec"]
    (wait,) = spec["initContainers"]
    (server,) = spec["containers"]
    binary = _local(server["command"][0])
    env = {v["name"]: v["value"] for v in server["env"]}
    mount = next(m["mountPath"] for m in server["volumeMounts"] if m["name"] == "routing-data")
    dataset = tmp_path / "volume" / Path(env["ROUTING_DATASET"]).relative_to(mount)
    env["ROUTING_DATASET"] = str(dataset)

    waiting = subprocess.Popen(  # the init container, before the Job has written anything
        [_resolve(part, env) for part in wait["command"] + wait["args"]],
        stdout=subprocess.PIPE,
    )
    try:
        # Its first "waiting for" line says it looked, found nothing and is sleeping (no exit
        # can follow for a polling period); end of output instead means it exited.
        assert waiting.stdout is not None
        assert waiting.stdout.readline().startswith(b"waiting for "), "it did not wait"
        assert waiting.poll() is None, "the init container must wait for the dataset"
        _prepare(dataset, tmp_path, Path(binary).parent)
        # It polls every 5 s: let go within one period.
        assert waiting.wait(timeout=10) == 0
    finally:
        waiting.kill()

    port = _free_port()
    args = [_resolve(a, env) for a in server["args"]]
    args = [f"--port={port}" if a.startswith("--port=") else a for a in args]
    args = ["--ip=127.0.0.1" if a.startswith("--ip=") else a for a in args]
    process = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        probe = server["startupProbe"]["httpGet"]["path"]
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = _get(port, probe)
            except OSError:
                time.sleep(0.2)
        assert status == 200, "the startup probe never passed"
        for kind in ("livenessProbe", "readinessProbe"):
            assert _get(port, server[kind]["httpGet"]["path"]) == 200, kind
        process.terminate()
        grace = (
            spec["terminationGracePeriodSeconds"]
            - server["lifecycle"]["preStop"]["sleep"]["seconds"]
        )
        assert process.wait(timeout=grace) is not None
    finally:
        process.kill()
        process.wait()


def test_the_prepare_job_leaves_every_served_dataset_where_its_server_reads_it(
    rendered, k8s, tmp_path
):
    """The Job's own command and settings, on a tiny map: each osrm Deployment finds its files."""
    if importlib.util.find_spec("lastmile_common.routing") is None:
        pytest.skip("lastmile_common.routing is not on this branch yet")
    objs = rendered["prod"]
    job = k8s.named(objs, "Job", "routing-prepare")["spec"]["template"]["spec"]
    (prepare,) = job["containers"]
    mount = next(m["mountPath"] for m in prepare["volumeMounts"] if m["name"] == "routing-data")
    env = {name: value for name, (value, _) in k8s.container_env(objs, prepare).items()}
    volume = tmp_path / "volume"
    env["ROUTING_CACHE_DIR"] = str(volume / Path(env["ROUTING_CACHE_DIR"]).relative_to(mount))
    grid = volume / "maps" / "grid.osm"  # OSM XML: the tools read the format from the name
    grid.parent.mkdir(parents=True)
    _grid_osm(grid)
    env["ROUTING_MAP_FILE"] = str(grid)
    env.pop("ROUTING_BOUNDS")  # the services' copy of the real map's box, not the grid's
    command = [sys.executable, *prepare["command"][1:], *prepare.get("args", [])]
    done = subprocess.run(
        command,
        env={**{k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH")}, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (Path(env["ROUTING_CACHE_DIR"]) / "current").exists()
    for deployment in k8s.of_kind(objs, "Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        served = {v["name"]: v.get("value") for v in container.get("env", [])}.get(
            "ROUTING_DATASET"
        )
        if served is None:
            continue
        on_volume = volume / Path(served).relative_to(mount)
        assert Path(f"{on_volume}.hsgr").is_file(), f"{deployment['metadata']['name']}: {served}"
