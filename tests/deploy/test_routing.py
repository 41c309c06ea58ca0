"""The routing component: datasets prepared by a Job, served per (profile, bucket), reachable only
by the planner and tracking, at the addresses the services' routing settings compute."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

OVERLAYS = ("dev", "prod")
REPO = Path(__file__).resolve().parents[2]
CLIENTS = ("planner", "tracking")
DNS_LABEL = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
SERVICE_NAME = re.compile(r"^osrm-(?P<profile>[a-z]+)-(?P<bucket>[a-z0-9-]+)$")


def _osrm_deployments(objs):
    return [
        d
        for d in objs
        if d["kind"] == "Deployment"
        and d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/name") == "osrm"
    ]


def _osrm_services(objs):
    return [s for s in objs if s["kind"] == "Service" and SERVICE_NAME.match(s["metadata"]["name"])]


def _dataset_path(deployment):
    """The .osrm base the Deployment serves: <cache>/current/<profile>/<bucket>/map.osrm."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {v["name"]: v["value"] for v in container["env"]}
    arg = container["args"][-1]
    assert arg == "$(ROUTING_DATASET)", "the dataset is the last argument"
    return env["ROUTING_DATASET"]


def _selected(objs, selector):
    return [
        d
        for d in objs
        if d["kind"] == "Deployment"
        and selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
    ]


def _routing_configmap(objs, k8s):
    """The generated ConfigMap holding RoutingSettings (ROUTING_*)."""
    (configmap,) = [
        c for c in k8s.of_kind(objs, "ConfigMap") if "ROUTING_URL_TEMPLATE" in c.get("data", {})
    ]
    return configmap


def _routing_env(objs, k8s):
    return _routing_configmap(objs, k8s)["data"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_leads_to_the_dataset_of_its_profile_and_bucket(rendered, k8s, overlay):
    objs = rendered[overlay]
    cache = _routing_env(objs, k8s)["ROUTING_CACHE_DIR"]
    services = _osrm_services(objs)
    assert services
    for service in services:
        name = SERVICE_NAME.match(service["metadata"]["name"])
        (deployment,) = _selected(objs, service["spec"]["selector"])
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        (port,) = service["spec"]["ports"]
        assert ports[port["targetPort"]] == 5000 == port["port"]
        assert f"--port={ports['http']}" in container["args"]
        profile, bucket = name["profile"], name["bucket"].replace("-", "_")
        served = Path(_dataset_path(deployment)).relative_to(Path(cache) / "current")
        assert served.parts[0] == profile, service["metadata"]["name"]
        # Traffic slows cars only: a bicycle server answers for every bucket.
        assert profile == "bicycle" or served.parts[1] == bucket, service["metadata"]["name"]
        assert served.parts[2] == "map.osrm"
    served_paths = {_dataset_path(d) for d in _osrm_deployments(objs)}
    assert len(served_paths) == len(_osrm_deployments(objs)), "one Deployment per dataset"


def _routing_settings_class():
    if importlib.util.find_spec("lastmile_common.routing") is None:
        pytest.skip("lastmile_common.routing is not on this branch yet")
    from lastmile_common.routing import RoutingSettings

    return RoutingSettings


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("client", CLIENTS)
def test_the_services_routing_settings_name_a_service_per_profile_and_bucket(
    rendered, k8s, monkeypatch, overlay, client
):
    objs = rendered[overlay]
    env = k8s.container_env(objs, k8s.service_container(objs, client))
    routing = {name: value for name, (value, _) in env.items() if name.startswith("ROUTING_")}
    assert routing["ROUTING_BACKEND"] == "http"
    cls = _routing_settings_class()
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in routing.items():
        monkeypatch.setenv(name, value)
    from lastmile_common.routing import open_router

    # The addresses the service itself would call: what open_router gives its HTTP adapter.
    router = open_router(cls())
    urls = router._urls  # type: ignore[attr-defined]
    assert urls, "the http router knows no server"
    names = {s["metadata"]["name"]: s for s in _osrm_services(objs)}
    for (profile, bucket), address in urls.items():
        url = urlsplit(address)
        host = url.hostname
        assert DNS_LABEL.fullmatch(host), f"{profile}/{bucket}: {host} cannot be a Service name"
        assert host in names, f"no Service {host} for {profile}/{bucket}"
        assert url.port == names[host]["spec"]["ports"][0]["port"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_prepare_job_reads_the_same_settings_and_writes_the_served_volume(
    rendered, k8s, overlay
):
    objs = rendered[overlay]
    job = k8s.named(objs, "Job", "routing-prepare")["spec"]["template"]["spec"]
    (prepare,) = job["containers"]
    (fetch,) = job["initContainers"]
    assert prepare["command"] == ["python", "-m", "lastmile_common.routing", "prepare"]
    assert [s["configMapRef"]["name"] for s in prepare["envFrom"]] == [
        _routing_configmap(objs, k8s)["metadata"]["name"]
    ]
    for client in CLIENTS:
        sources = k8s.service_container(objs, client)["envFrom"]
        assert _routing_configmap(objs, k8s)["metadata"]["name"] in {
            s["configMapRef"]["name"] for s in sources
        }
    settings = _routing_env(objs, k8s)
    fetched = k8s.container_env(objs, fetch)
    assert fetched["ROUTING_MAP_FILE"][0] == settings["ROUTING_MAP_FILE"]
    assert urlsplit(fetched["ROUTING_MAP_URL"][0]).scheme == "https"
    volumes = {v["name"]: v for v in job["volumes"]}
    claim = volumes["routing-data"]["persistentVolumeClaim"]["claimName"]
    for container in (fetch, prepare):
        mount = next(m for m in container["volumeMounts"] if m["name"] == "routing-data")
        assert not mount.get("readOnly", False)
        assert Path(settings["ROUTING_MAP_FILE"]).is_relative_to(mount["mountPath"])
        assert Path(settings["ROUTING_CACHE_DIR"]).is_relative_to(mount["mountPath"])
    for deployment in _osrm_deployments(objs):
        spec = deployment["spec"]["template"]["spec"]
        assert {v["name"]: v for v in spec["volumes"]}["routing-data"]["persistentVolumeClaim"] == {
            "claimName": claim,
            "readOnly": True,
        }
        for container in spec["initContainers"] + spec["containers"]:
            mount = next(m for m in container["volumeMounts"] if m["name"] == "routing-data")
            assert mount["readOnly"] is True
            assert Path(_dataset_path(deployment)).is_relative_to(mount["mountPath"])
        # One image: the server's OSRM is the one that wrote the datasets.
        assert {c["image"] for c in spec["initContainers"] + spec["containers"]} == {
            prepare["image"]
        }
    modes = k8s.named(objs, "PersistentVolumeClaim", claim)["spec"]["accessModes"]
    assert modes == (["ReadWriteOnce"] if overlay == "dev" else ["ReadWriteMany"])


def test_the_prepare_command_exists_in_the_service_image():
    """The Job runs `python -m lastmile_common.routing prepare` from the planner image."""
    _routing_settings_class()
    assert importlib.util.find_spec("lastmile_common.routing.__main__") is not None


def _python_minor_of_the_image():
    dockerfile = (REPO / "Dockerfile").read_text()
    return re.search(r"PYTHON_IMAGE=python:(\d+\.\d+)", dockerfile).group(1)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_osrm_runs_the_wheels_server_with_probes_on_its_port(rendered, overlay):
    for deployment in _osrm_deployments(rendered[overlay]):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        binary = container["command"][0]
        site = f"/app/.venv/lib/python{_python_minor_of_the_image()}/site-packages/"
        assert binary == site + "osrm/bin/osrm-routed", "the image's Python moved"
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = container[kind]["httpGet"]
            assert probe["port"] == "http"
            assert probe["path"].startswith("/nearest/v1/")
        assert int(_arg(container, "--max-table-size")) >= 1000, "the planner's largest table"


def _arg(container, flag):
    return next(a.split("=", 1)[1] for a in container["args"] if a.startswith(flag + "="))


def _policies_selecting(objs, k8s, labels):
    found = []
    for policy in k8s.of_kind(objs, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"]
        if _matches(selector, labels):
            found.append(policy)
    return found


def _matches(selector, labels):
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def _labels(objs, k8s, deployment):
    return k8s.named(objs, "Deployment", deployment)["spec"]["template"]["metadata"]["labels"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_planner_and_tracking_may_reach_osrm(rendered, k8s, overlay):
    objs = rendered[overlay]
    workloads = {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"]
        for o in objs
        if o["kind"] in ("Deployment", "Job")
    }
    for deployment in _osrm_deployments(objs):
        policies = _policies_selecting(
            objs, k8s, _labels(objs, k8s, deployment["metadata"]["name"])
        )
        assert {t for p in policies for t in p["spec"]["policyTypes"]} == {"Ingress", "Egress"}
        assert not [r for p in policies for r in p["spec"].get("egress", [])], "osrm sends nothing"
        allowed = set()
        for rule in (r for p in policies for r in p["spec"].get("ingress", [])):
            assert {p["port"] for p in rule["ports"]} == {5000}
            for peer in rule["from"]:
                assert set(peer) == {"podSelector"}, "pods of this namespace only"
                allowed |= {
                    n for n, labels in workloads.items() if _matches(peer["podSelector"], labels)
                }
        assert allowed == set(CLIENTS), deployment["metadata"]["name"]
    for client in CLIENTS:
        egress = [
            rule
            for p in _policies_selecting(objs, k8s, workloads[client])
            for rule in p["spec"].get("egress", [])
            if any(
                _matches(peer.get("podSelector", {"matchLabels": {"-": "-"}}), workloads[name])
                for peer in rule.get("to", [])
                for name in workloads
                if name.startswith("osrm-")
            )
        ]
        assert {p["port"] for rule in egress for p in rule["ports"]} == {5000}, client


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_orders_reads_the_address_index_the_geocode_job_writes(rendered, k8s, overlay):
    objs = rendered[overlay]
    job = k8s.named(objs, "Job", "geocode-prepare")["spec"]["template"]["spec"]
    (prepare,) = job["containers"]
    assert prepare["command"] == ["python", "-m", "lastmile_common.geocoding", "prepare"]
    written = k8s.container_env(objs, prepare)
    orders = k8s.service_container(objs, "orders")
    read = k8s.container_env(objs, orders)
    assert read["GEOCODING_ENABLED"][0] == "true"
    assert written["GEOCODING_MAP_FILE"][0] == _routing_env(objs, k8s)["ROUTING_MAP_FILE"]
    index = Path(read["GEOCODING_INDEX_FILE"][0])
    assert index.parent == Path(written["GEOCODING_CACHE_DIR"][0])
    mount = next(m for m in orders["volumeMounts"] if m["name"] == "routing-data")
    assert mount["readOnly"] is True and index.is_relative_to(mount["mountPath"])
