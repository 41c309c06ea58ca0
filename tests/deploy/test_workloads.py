"""Pods: non-root, read-only, probed, sized, stopped gracefully; secrets only by reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

OVERLAYS = ("dev", "prod")
SERVICES = ("orders", "planner", "tracking", "notifier")
REPO = Path(__file__).resolve().parents[2]


def _pod_templates(objs):
    for obj in objs:
        if obj["kind"] in ("Deployment", "Job"):
            yield f"{obj['kind']}/{obj['metadata']['name']}", obj["spec"]["template"]


def _graceful_shutdown_s():
    source = (REPO / "libs/common/src/lastmile_common/http/app.py").read_text()
    return int(re.search(r"timeout_graceful_shutdown=(\d+)", source).group(1))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_non_root_read_only_and_sized(rendered, k8s, overlay):
    objs = rendered[overlay]
    accounts = {sa["metadata"]["name"] for sa in k8s.of_kind(objs, "ServiceAccount")}
    for where, template in _pod_templates(objs):
        spec = template["spec"]
        assert spec["serviceAccountName"] in accounts, where
        assert spec["automountServiceAccountToken"] is False, where
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] != 0, where
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{where}: /tmp on an emptyDir"
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), f"{where}: requests"
            assert {"cpu", "memory"} <= set(resources["limits"]), f"{where}: limits"
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1], f"{where}: tag the image"
            assert not image.endswith(":latest"), where


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_service_probes_and_graceful_stop(rendered, k8s, overlay, service):
    objs = rendered[overlay]
    deployment = k8s.named(objs, "Deployment", service)
    spec = deployment["spec"]["template"]["spec"]
    container = k8s.service_container(objs, service)
    assert container["command"] == ["python", "-m", service]
    assert container["args"] == ["serve"]
    paths = {
        kind: container[kind]["httpGet"]
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert paths["startupProbe"]["path"] == "/livez"
    assert paths["livenessProbe"]["path"] == "/livez"
    assert paths["readinessProbe"]["path"] == "/readyz"
    assert {p["port"] for p in paths.values()} == {"http"}
    pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    # SIGTERM after preStop; uvicorn drains, then the runtime stops consumers, relay, producer.
    budget = pre_stop + _graceful_shutdown_s() + 10
    assert spec["terminationGracePeriodSeconds"] >= budget
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        obj = k8s.named(objs, kind, service)
        selector = obj["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= labels.items(), f"{kind} {service} selects its pods"
    assert k8s.named(objs, "Service", service)["spec"]["ports"][0]["targetPort"] == "http"


@pytest.mark.parametrize("service", SERVICES)
def test_migration_job_runs_the_service_image_with_its_database_role(rendered, k8s, service):
    objs = rendered["prod"]
    job = k8s.named(objs, "Job", f"{service}-migrate")["spec"]["template"]["spec"]
    (container,) = job["containers"]
    served = k8s.service_container(objs, service)
    assert container["command"] == ["python", "-m", service, "migrate"]
    assert container["image"] == served["image"]
    assert job["restartPolicy"] == "Never"
    assert k8s.container_env(objs, container).keys() >= {
        k for k in k8s.container_env(objs, served) if k.endswith("DATABASE_URL")
    }


def _secret_refs(objs):
    refs = set()
    for _, template in _pod_templates(objs):
        for container in template["spec"]["containers"]:
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref and not ref.get("optional"):
                    refs.add(ref["name"])
    for cluster in (o for o in objs if o["kind"] == "Cluster"):
        refs |= {r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    return refs


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_committed(rendered, overlay):
    objs = rendered[overlay]
    assert not [o for o in objs if o["kind"] == "Secret"]
    for obj in objs:
        if obj["kind"] != "ConfigMap":
            continue
        for key in obj.get("data", {}):
            assert not re.search(r"PASSWORD|SECRET|TOKEN|DATABASE_URL", key), (
                f"{key} in a ConfigMap"
            )


def test_prod_secrets_all_come_from_external_secrets(rendered, k8s):
    objs = rendered["prod"]
    targets = {e["spec"]["target"]["name"] for e in k8s.of_kind(objs, "ExternalSecret")}
    assert _secret_refs(objs) <= targets


def test_dev_secrets_all_come_from_the_dev_script(rendered):
    script = (REPO / "deploy/scripts/dev-secrets.sh").read_text()
    created = set(re.findall(r"create secret generic \"?(lastmile-[a-z-]+)", script))
    created |= {f"lastmile-db-{s}" for s in SERVICES if "lastmile-db-$svc" in script}
    assert _secret_refs(rendered["dev"]) <= created


def test_database_roles_match_the_services(rendered, k8s):
    cluster = k8s.of_kind(rendered["prod"], "Cluster")[0]["spec"]
    roles = {r["name"] for r in cluster["managed"]["roles"]}
    assert roles == set(SERVICES)
    sql = " ".join(cluster["bootstrap"]["initdb"]["postInitApplicationSQL"])
    for service in SERVICES:
        assert f"CREATE ROLE {service} " in sql
    assert cluster["instances"] >= 3
    assert k8s.of_kind(rendered["dev"], "Cluster")[0]["spec"]["instances"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_notifier_send_journal_is_on_the_pods_own_empty_dir(
    rendered, k8s, overlay, monkeypatch
):
    objs = rendered[overlay]
    container = k8s.service_container(objs, "notifier")
    settings = k8s.build_settings("notifier", k8s.container_env(objs, container), monkeypatch)
    journal = Path(settings.send_journal_dir)
    pod = k8s.named(objs, "Deployment", "notifier")["spec"]["template"]["spec"]
    empty_dirs = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
    mounts = [m for m in container["volumeMounts"] if m["name"] in empty_dirs]
    # One pod's alone and kept across container restarts: what a restarted notifier reads.
    assert any(journal.is_relative_to(m["mountPath"]) for m in mounts), journal
