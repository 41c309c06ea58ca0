"""Network policies cover every pod and allow what it needs; metrics and traces are wired."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import yaml

OVERLAYS = ("dev", "prod")
SERVICES = ("orders", "planner", "tracking", "notifier")


def _selects(policy, labels):
    wanted = policy["spec"]["podSelector"].get("matchLabels", {})
    return wanted.items() <= labels.items()


def _egress_ports(policies):
    return {
        p["port"]
        for pol in policies
        for rule in pol["spec"].get("egress", [])
        for p in rule.get("ports", [])
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_under_a_policy_both_ways(rendered, k8s, overlay):
    policies = k8s.of_kind(rendered[overlay], "NetworkPolicy")
    for obj in rendered[overlay]:
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        labels = obj["spec"]["template"]["metadata"]["labels"]
        types = {t for pol in policies if _selects(pol, labels) for t in pol["spec"]["policyTypes"]}
        assert types == {"Ingress", "Egress"}, obj["metadata"]["name"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_policy_allows_its_port_and_its_dependencies(rendered, k8s, monkeypatch, service):
    objs = rendered["prod"]
    labels = k8s.named(objs, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
    mine = [p for p in k8s.of_kind(objs, "NetworkPolicy") if _selects(p, labels)]
    settings = k8s.build_settings(
        service, k8s.container_env(objs, k8s.service_container(objs, service)), monkeypatch
    )
    ingress = {
        p["port"] for pol in mine for rule in pol["spec"].get("ingress", []) for p in rule["ports"]
    }
    assert settings.http_port in ingress
    kafka_port = int(settings.kafka_bootstrap_servers.rsplit(":", 1)[1])
    otel_port = urlsplit(settings.otel_exporter_otlp_endpoint).port
    assert {53, kafka_port, 5432, otel_port} <= _egress_ports(mine)


def test_service_monitor_scrapes_every_service(rendered, k8s):
    objs = rendered["prod"]
    monitor = k8s.named(objs, "ServiceMonitor", "lastmile-services")["spec"]
    wanted = monitor["selector"]["matchLabels"]
    (endpoint,) = monitor["endpoints"]
    assert endpoint["path"] == "/metrics"
    for service in SERVICES:
        svc = k8s.named(objs, "Service", service)
        assert wanted.items() <= svc["metadata"]["labels"].items(), service
        assert endpoint["port"] in {p["name"] for p in svc["spec"]["ports"]}


def test_collector_config_is_consistent(rendered, k8s):
    objs = rendered["prod"]
    configmaps = {
        c["metadata"]["name"].rsplit("-", 1)[0]: c for c in k8s.of_kind(objs, "ConfigMap")
    }
    text = configmaps["otel-collector-config"]["data"]["config.yaml"]
    config = yaml.safe_load(text)
    pipelines = config["service"]["pipelines"]
    for pipeline in pipelines.values():
        for part in ("receivers", "processors", "exporters"):
            for name in pipeline[part]:
                assert name in config[part], f"{part}.{name} is used but not defined"
    http = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    service_ports = {
        p["port"] for p in k8s.named(objs, "Service", "otel-collector")["spec"]["ports"]
    }
    assert int(http.rsplit(":", 1)[1]) in service_ports
    platform = configmaps["lastmile-platform"]["data"]
    assert urlsplit(platform["OTEL_EXPORTER_OTLP_ENDPOINT"]).port == int(http.rsplit(":", 1)[1])
    backend = configmaps["otel-collector-backend"]["data"]
    for variable in re.findall(r"\$\{env:(\w+)\}", text):
        assert variable in backend, f"the collector reads {variable}"
    assert backend["DEPLOYMENT_ENVIRONMENT"] == "prod"
