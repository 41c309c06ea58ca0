"""Every overlay renders, and every object in it passes strict schema validation."""

from __future__ import annotations

import copy
import json
import re
import subprocess

import jsonschema
import pytest
import yaml

OVERLAYS = ("dev", "prod")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_strictly(rendered, k8s, overlay):
    errors = []
    for obj in rendered[overlay]:
        try:
            k8s.validate(obj)
        except (jsonschema.ValidationError, AssertionError) as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubernetes_validate_cli_passes_builtin_kinds(rendered, k8s, tmp_path, overlay):
    """The CLI itself (`kubernetes-validate --strict`): built-in kinds pass; CRDs are ours above."""
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(yaml.safe_dump_all(rendered[overlay]))
    cli = k8s.kubectl().replace("kubectl", "kubernetes-validate")
    out = subprocess.run(
        [cli, "--strict", "--quiet", "--no-warn", str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_is_in_its_own_namespace_and_names_are_unique(rendered, overlay):
    namespaces = {obj["metadata"].get("namespace") for obj in rendered[overlay]}
    assert namespaces == {{"dev": "lastmile-dev", "prod": "lastmile"}[overlay]}
    keys = [(obj["kind"], obj["metadata"]["name"]) for obj in rendered[overlay]]
    assert len(keys) == len(set(keys))


def _first(objs, kind):
    return copy.deepcopy(next(o for o in objs if o["kind"] == kind))


MISSPELLINGS = [
    # (kind, mutate) — each introduces one misspelled field that an API server would prune.
    (
        "Deployment",
        lambda o: o["spec"]["template"]["spec"]["containers"][0].update(imagePulPolicy="Always"),
    ),
    ("Deployment", lambda o: o["spec"]["template"]["spec"].update(terminationGracePeriod=45)),
    ("KafkaTopic", lambda o: o["spec"].update(partitons=6)),
    ("KafkaTopic", lambda o: o["metadata"].update(lables={"a": "b"})),
    ("KafkaUser", lambda o: o["spec"]["authorization"]["acls"][0].update(operatons=["Read"])),
    ("Cluster", lambda o: o["spec"].update(instance=3)),
    ("Cluster", lambda o: o["spec"]["managed"]["roles"][0].update(passwordSecrets={"name": "x"})),
    ("ScaledObject", lambda o: o["spec"].update(maxReplicas=6)),
    ("ScaledObject", lambda o: o["spec"]["triggers"][0]["metadata"].update(lagTreshold="5")),
    ("ServiceMonitor", lambda o: o["spec"]["endpoints"][0].update(intervall="30s")),
    ("ExternalSecret", lambda o: o["spec"]["target"].update(creationPolicyy="Owner")),
    ("Kafka", lambda o: o["spec"]["kafka"]["listeners"][0].update(tsl=True)),
    ("Kafka", lambda o: o["spec"].update(zookeeper={"replicas": 3})),  # gone in v1: KRaft only
    ("KafkaNodePool", lambda o: o["spec"].update(role=["broker"])),
    ("Cluster", lambda o: o["spec"]["plugins"][0].update(isWalArchiver=True)),
    ("ObjectStore", lambda o: o["spec"]["configuration"].update(destinationPth="s3://x/")),
    ("ScheduledBackup", lambda o: o["spec"]["pluginConfiguration"].update(nam="x")),
]

WRONG_VALUES = [
    ("KafkaTopic", lambda o: o["spec"].update(partitions="six")),
    ("KafkaNodePool", lambda o: o["spec"].update(roles=["leader"])),
    ("ScheduledBackup", lambda o: o["spec"].update(method="plugins")),
    ("ScaledObject", lambda o: o["spec"]["triggers"][0]["metadata"].update(lagThreshold=5)),
]


@pytest.mark.parametrize(("kind", "mutate"), MISSPELLINGS, ids=[m[0] for m in MISSPELLINGS])
def test_a_misspelled_field_fails_validation(rendered, k8s, kind, mutate):
    obj = _first(rendered["prod"], kind)
    k8s.validate(obj)  # the original is valid ...
    mutate(obj)
    with pytest.raises(jsonschema.ValidationError):  # ... and one typo is not
        k8s.validate(obj)


@pytest.mark.parametrize(("kind", "mutate"), WRONG_VALUES, ids=[m[0] for m in WRONG_VALUES])
def test_a_wrong_type_or_value_fails_validation(rendered, k8s, kind, mutate):
    obj = _first(rendered["prod"], kind)
    k8s.validate(obj)
    mutate(obj)
    with pytest.raises(jsonschema.ValidationError):
        k8s.validate(obj)


def test_an_unknown_custom_kind_is_not_silently_skipped(k8s):
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    with pytest.raises(AssertionError, match="no schema"):
        k8s.validate(obj)


def test_strict_closes_objects_and_keeps_what_the_crd_leaves_open(k8s):
    schema = k8s.strict(
        {
            "type": "object",
            "properties": {
                "closed": {"type": "object", "properties": {"a": {"type": "string"}}},
                "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": True},
                "maybe": {"type": "string", "nullable": True},
                "either": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                    "oneOf": [{"properties": {"a": {}}, "required": ["a"]}, {"required": ["b"]}],
                },
            },
        }
    )
    check = jsonschema.Draft202012Validator(schema)
    good = {
        "closed": {"a": "x"},
        "config": {"anything": {"at": "all"}},
        "labels": {"k": "v"},
        "port": 5432,
        "maybe": None,
        "either": {"a": "x"},
    }
    assert not list(check.iter_errors(good))
    assert check.is_valid({**good, "port": "http"})
    for bad in (
        {"closed": {"a": "x", "b": "y"}},
        {"labels": {"k": 1}},
        {"port": 1.5},
        {"either": {"a": "x", "c": "y"}},
        {"unknown": 1},
    ):
        assert not check.is_valid({**good, **bad}), bad


def test_every_vendored_schema_names_its_source_in_the_readme(k8s):
    readme = (k8s.k8s_dir / "schemas" / "README.md").read_text()
    paths = sorted((k8s.k8s_dir / "schemas").glob("*.json"))
    for path in paths:
        assert f"`{path.name}`" in readme, f"{path.name} is not in schemas/README.md"
        source = json.loads(path.read_text())["source"]
        assert source["repository"].startswith("https://github.com/")
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
        assert source["commit"] in readme, f"{path.name}: its commit is not in the README"
        assert source["path"] in readme
    assert len(paths) >= 11


def test_every_overlay_on_disk_is_rendered_and_checked(rendered, k8s):
    on_disk = {p.parent.name for p in (k8s.k8s_dir / "overlays").glob("*/kustomization.yaml")}
    assert on_disk == set(OVERLAYS) == set(rendered)
