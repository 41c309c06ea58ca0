"""Each pod's environment builds its service's settings, as the process would at start."""

from __future__ import annotations

import importlib.util
from urllib.parse import urlsplit

import pytest
from lastmile_common.geocoding.settings import GeocodingSettings
from lastmile_common.settings import _SHARED_FALLBACKS
from pydantic import SecretStr

OVERLAYS = ("dev", "prod")
SERVICES = ("orders", "planner", "tracking", "notifier")
ENVIRONMENT = {"dev": "development", "prod": "production"}


def _pods(objs, service):
    """(kind/name, container) of every workload that runs the service's code."""
    for obj in objs:
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        spec = obj["spec"]["template"]["spec"]
        for container in spec["containers"]:
            if container.get("command", [])[:3] == ["python", "-m", service]:
                yield f"{obj['kind']}/{obj['metadata']['name']}", container


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_settings_build_from_the_pod_environment(rendered, k8s, monkeypatch, overlay, service):
    objs = rendered[overlay]
    pods = list(_pods(objs, service))
    assert {where.split("/")[0] for where, _ in pods} == {"Deployment", "Job"}
    for where, container in pods:
        env = k8s.container_env(objs, container)
        with monkeypatch.context() as patch:
            settings = k8s.build_settings(service, env, patch)  # raises if a value is invalid
        assert settings.environment == ENVIRONMENT[overlay], where
        assert settings.migrate_on_start is False, f"{where}: the migrations Job migrates"
        assert settings.database_url is not None, where
        assert settings.kafka_bootstrap_servers, where
        if where.startswith("Deployment"):
            assert settings.http_host == "0.0.0.0", f"{where}: reachable from the kubelet"
            port = next(p for p in container["ports"] if p["name"] == "http")
            assert settings.http_port == port["containerPort"]
            service_port = k8s.named(objs, "Service", service)["spec"]["ports"][0]
            assert service_port["port"] == settings.http_port


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_without_a_default_is_set(rendered, k8s, overlay, service):
    cls = k8s.settings_class(service)
    prefix = cls.model_config["env_prefix"]
    for where, container in _pods(rendered[overlay], service):
        env = k8s.container_env(rendered[overlay], container)
        for name, field in cls.model_fields.items():
            if not field.is_required():
                continue
            variables = {prefix + name.upper(), _SHARED_FALLBACKS.get(name)}
            assert variables & set(env), f"{where}: set {prefix}{name.upper()}"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_set_is_a_setting_and_secrets_come_from_secrets(
    rendered, k8s, overlay, service
):
    """A misspelled variable would be silently ignored (extra="ignore"): catch it here."""
    cls = k8s.settings_class(service)
    prefix = cls.model_config["env_prefix"]
    fields = cls.model_fields
    routing = set()
    for where, container in _pods(rendered[overlay], service):
        env = k8s.container_env(rendered[overlay], container)
        for variable, (_, origin) in env.items():
            if variable.startswith("ROUTING_"):  # lastmile_common.routing.RoutingSettings
                routing.add(variable)
                continue
            if variable.startswith("GEOCODING_"):
                field = variable.removeprefix("GEOCODING_").lower()
                assert field in GeocodingSettings.model_fields, f"{where}: {variable} unknown"
                continue
            fallback = {v: f for f, v in _SHARED_FALLBACKS.items()}.get(variable)
            field = fallback or (
                variable[len(prefix) :].lower() if variable.startswith(prefix) else None
            )
            assert field in fields, f"{where}: {variable} is not a setting of {service}"
            annotation = str(fields[field].annotation)
            if "SecretStr" in annotation or fields[field].annotation is SecretStr:
                assert origin == "secret", f"{where}: {variable} must come from a Secret"
    if routing:
        if importlib.util.find_spec("lastmile_common.routing") is None:
            pytest.skip(
                f"lastmile_common.routing is not on this branch: {sorted(routing)} unchecked"
            )
        from lastmile_common.routing import RoutingSettings

        for variable in routing:
            assert variable.removeprefix("ROUTING_").lower() in RoutingSettings.model_fields, (
                f"{variable} is not a routing setting"
            )


@pytest.mark.parametrize("service", SERVICES)
def test_platform_addresses_point_at_the_deployed_infrastructure(
    rendered, k8s, monkeypatch, service
):
    objs = rendered["prod"]
    env = k8s.container_env(objs, k8s.service_container(objs, service))
    settings = k8s.build_settings(service, env, monkeypatch)
    cluster = {
        t["metadata"]["labels"]["strimzi.io/cluster"] for t in k8s.of_kind(objs, "KafkaTopic")
    }
    host, port = settings.kafka_bootstrap_servers.split(":")
    assert {f"{c}-kafka-bootstrap" for c in cluster} == {host}
    assert port == "9092"
    otel = urlsplit(settings.otel_exporter_otlp_endpoint)
    collector = k8s.named(objs, "Service", otel.hostname)
    assert otel.port in {p["port"] for p in collector["spec"]["ports"]}
    database_secret = next(
        v["valueFrom"]["secretKeyRef"]["name"]
        for v in k8s.service_container(objs, service)["env"]
        if v["name"].endswith("DATABASE_URL")
    )
    external = k8s.named(objs, "ExternalSecret", database_secret)["spec"]["target"]["template"]
    db_cluster = k8s.of_kind(objs, "Cluster")[0]["metadata"]["name"]
    uri = urlsplit(external["data"]["uri"].replace("{{", "").replace("}}", ""))
    assert uri.hostname == f"{db_cluster}-rw"
    assert uri.username == service
    assert (
        uri.path == "/" + k8s.of_kind(objs, "Cluster")[0]["spec"]["bootstrap"]["initdb"]["database"]
    )


def test_a_missing_required_setting_is_caught(rendered, k8s, monkeypatch):
    """Production refuses to start without a database URL: the env builder must see that."""
    objs = rendered["prod"]
    env = k8s.container_env(objs, k8s.service_container(objs, "orders"))
    del env["ORDERS_DATABASE_URL"]
    with pytest.raises(ValueError, match="database_url"):
        k8s.build_settings("orders", env, monkeypatch)
