"""Topics, ACLs, KEDA triggers and the services' subscriptions agree with one another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lastmile_common.events import topics as topic_names
from lastmile_common.events.registry import REGISTRY
from lastmile_common.events.topics import TOPICS, dlt_of

OVERLAYS = ("dev", "prod")
REPO = Path(__file__).resolve().parents[2]
SPECS = {spec.name: spec for spec in TOPICS}
# Services that must never run two replicas at once (their state is in memory).
SINGLE_REPLICA = ("tracking",)


def _topics(objs):
    return {
        t["spec"].get("topicName", t["metadata"]["name"]): t
        for t in objs
        if t["kind"] == "KafkaTopic"
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_registry_topic_and_its_dlt_has_a_kafka_topic(rendered, overlay):
    declared = _topics(rendered[overlay])
    needed = {entry.topic for entry in REGISTRY.values()} | set(SPECS)
    for name in needed:
        assert name in declared, f"no KafkaTopic for {name}"
        assert dlt_of(name) in declared, f"no KafkaTopic for {dlt_of(name)}"
    assert set(declared) == needed | {dlt_of(n) for n in needed}, "KafkaTopics nobody declared"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topic_partitions_retention_and_replication(rendered, overlay):
    declared = _topics(rendered[overlay])
    for name, spec in SPECS.items():
        topic, dlt = declared[name]["spec"], declared[dlt_of(name)]["spec"]
        assert topic["partitions"] >= spec.partitions
        assert dlt["partitions"] == topic["partitions"], "a DLT keeps its source's partitioning"
        assert int(topic["config"]["retention.ms"]) == spec.retention_hours * 3_600_000
        assert int(dlt["config"]["retention.ms"]) >= int(topic["config"]["retention.ms"])
    for topic in declared.values():
        assert topic["spec"]["replicas"] >= int(topic["spec"]["config"]["min.insync.replicas"])
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "lastmile"
        if overlay == "prod":
            assert topic["spec"]["replicas"] >= 3
            assert int(topic["spec"]["config"]["min.insync.replicas"]) >= 2


def _expected_acls(groups):
    consumed = {t for ts in groups["consumes"].values() for t in ts}
    want = set()
    for topic in consumed:
        want |= {("topic", topic, "Read"), ("topic", topic, "Describe")}
        want |= {("topic", dlt_of(topic), "Write"), ("topic", dlt_of(topic), "Describe")}
    for topic in groups["produces"]:
        want |= {("topic", topic, "Write"), ("topic", topic, "Describe")}
    want |= {("group", group, "Read") for group in groups["consumes"]}
    return want


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_user_has_exactly_the_acls_it_needs(rendered, k8s, consumer_groups, overlay):
    for service, groups in consumer_groups.items():
        user = k8s.named(rendered[overlay], "KafkaUser", f"lastmile-{service}")
        granted = set()
        for acl in user["spec"]["authorization"]["acls"]:
            assert acl["resource"]["patternType"] == "literal", "no wildcards"
            assert acl.get("type", "allow") == "allow"
            for operation in acl["operations"]:
                granted.add((acl["resource"]["type"], acl["resource"]["name"], operation))
        assert granted == _expected_acls(groups), service
        for group in groups["consumes"]:
            assert ("group", group, "Read") in granted


def test_consumer_groups_name_only_known_topics(consumer_groups):
    for groups in consumer_groups.values():
        for topic in [t for ts in groups["consumes"].values() for t in ts] + groups["produces"]:
            assert topic in SPECS, topic


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_tracking_runs_as_one_replaced_replica_never_autoscaled(rendered, k8s, overlay):
    objs = rendered[overlay]
    for service in SINGLE_REPLICA:
        deployment = k8s.named(objs, "Deployment", service)["spec"]
        assert deployment["replicas"] == 1
        assert deployment["strategy"] == {"type": "Recreate"}  # never two at once
        assert not [
            o for o in objs if o["kind"] == "ScaledObject" and o["metadata"]["name"] == service
        ]


def test_keda_scales_each_service_on_every_group_and_topic_within_partitions(
    rendered, k8s, consumer_groups
):
    objs = rendered["prod"]
    partitions = {name: t["spec"]["partitions"] for name, t in _topics(objs).items()}
    platform = next(
        c
        for c in objs
        if c["kind"] == "ConfigMap" and c["metadata"]["name"].startswith("lastmile-platform")
    )
    for service, groups in consumer_groups.items():
        if service in SINGLE_REPLICA:
            continue
        scaled = k8s.named(objs, "ScaledObject", service)["spec"]
        assert scaled["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": service,
        }
        triggers = {
            (t["metadata"]["consumerGroup"], t["metadata"]["topic"]) for t in scaled["triggers"]
        }
        wanted = {(g, t) for g, ts in groups["consumes"].items() for t in ts}
        assert triggers == wanted, service
        read = {t for ts in groups["consumes"].values() for t in ts}
        assert scaled["maxReplicaCount"] <= max(partitions[t] for t in read)
        assert 1 <= scaled["minReplicaCount"] <= scaled["maxReplicaCount"]
        for trigger in scaled["triggers"]:
            assert trigger["type"] == "kafka"
            assert (
                trigger["metadata"]["bootstrapServers"]
                == platform["data"]["KAFKA_BOOTSTRAP_SERVERS"]
            )
            assert trigger["metadata"].get("allowIdleConsumers", "false") == "false"
            assert int(trigger["metadata"]["lagThreshold"]) > 0


def _subscriptions_in_code(service):
    """(group, topics or None) for every `Subscription(...)` call in a service's source."""
    found = []
    for path in (REPO / "services" / service / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name != "Subscription":
                continue
            kwargs = {kw.arg: kw.value for kw in node.keywords}
            group = node.args[0] if node.args else kwargs.get("name")
            topics = node.args[1] if len(node.args) > 1 else kwargs.get("topics")
            # A non-literal name comes from settings (checked against the rendered env below).
            name_value = group.value if isinstance(group, ast.Constant) else None
            found.append((name_value, _resolve_topics(topics)))
    return found


def _resolve_topics(node):
    if not isinstance(node, ast.Tuple | ast.List):
        return None
    names = []
    for element in node.elts:
        if isinstance(element, ast.Constant):
            names.append(element.value)
        elif isinstance(element, ast.Attribute | ast.Name):
            constant = element.attr if isinstance(element, ast.Attribute) else element.id
            if not hasattr(topic_names, constant):
                return None
            names.append(getattr(topic_names, constant))
        else:
            return None
    return set(names)


def _group_from_settings(rendered, k8s, service, monkeypatch):
    """The group a settings-named Subscription joins in each overlay (one setting per service)."""
    fields = [f for f in k8s.settings_class(service).model_fields if f.endswith("consumer_group")]
    assert len(fields) == 1, (
        f"{service}: a non-literal Subscription name needs a *consumer_group setting"
    )
    groups = set()
    for overlay in OVERLAYS:
        env = k8s.container_env(
            rendered[overlay], k8s.service_container(rendered[overlay], service)
        )
        with monkeypatch.context() as patch:
            groups.add(getattr(k8s.build_settings(service, env, patch), fields[0]))
    assert len(groups) == 1, f"{service} joins different groups per overlay: {groups}"
    return groups.pop()


@pytest.mark.parametrize("service", ["orders", "planner", "tracking", "notifier"])
def test_subscriptions_in_code_match_consumer_groups_yaml(
    rendered, k8s, consumer_groups, monkeypatch, service
):
    found = _subscriptions_in_code(service)
    if not found:
        pytest.skip(f"{service} declares no Subscription yet")
    declared = consumer_groups[service]["consumes"]
    found = [
        (group or _group_from_settings(rendered, k8s, service, monkeypatch), topics)
        for group, topics in found
    ]
    assert {group for group, _ in found} == set(declared), (
        f"{service}: update deploy/k8s/consumer-groups.yaml (and the ACLs and KEDA triggers)"
    )
    for group, topics in found:
        if topics is not None:
            assert topics == set(declared[group]), f"{service}/{group} reads {sorted(topics)}"


def test_the_subscription_scan_finds_calls_of_every_shape(tmp_path, monkeypatch):
    source = (
        "from x import Subscription, topics\n"
        'A = Subscription("g-one", (topics.ORDERS,), {})\n'
        'B = Subscription(\n    name="g-two",\n    topics=(topics.ROUTES, "etas.v1"),\n    handlers={},\n)\n'
    )
    src = tmp_path / "services" / "svc" / "src"
    src.mkdir(parents=True)
    (src / "consumers.py").write_text(source)
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    assert sorted(_subscriptions_in_code("svc")) == [
        ("g-one", {"orders.v1"}),
        ("g-two", {"routes.v1", "etas.v1"}),
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_kafka_cluster_is_kraft_with_node_pools_and_the_listener_the_services_use(
    rendered, k8s, monkeypatch, overlay
):
    objs = rendered[overlay]
    (kafka,) = k8s.of_kind(objs, "Kafka")
    name = kafka["metadata"]["name"]
    assert {t["metadata"]["labels"]["strimzi.io/cluster"] for t in _topics(objs).values()} == {name}
    pools = k8s.of_kind(objs, "KafkaNodePool")
    assert {p["metadata"]["labels"]["strimzi.io/cluster"] for p in pools} == {name}
    controllers = sum(p["spec"]["replicas"] for p in pools if "controller" in p["spec"]["roles"])
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    assert controllers % 2 == 1, "a KRaft quorum has an odd number of controllers"
    replicas = max(t["spec"]["replicas"] for t in _topics(objs).values())
    assert brokers >= replicas, "every topic replica needs its own broker"
    if overlay == "prod":
        assert controllers >= 3
    config = kafka["spec"]["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False, "KafkaTopics declare every topic"
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor"):
        assert config[key] <= brokers
    assert config["min.insync.replicas"] <= config["default.replication.factor"] <= brokers

    env = k8s.container_env(objs, k8s.service_container(objs, "orders"))
    settings = k8s.build_settings("orders", env, monkeypatch)
    host, port = settings.kafka_bootstrap_servers.split(":")
    assert host == f"{name}-kafka-bootstrap"
    (listener,) = [li for li in kafka["spec"]["kafka"]["listeners"] if li["port"] == int(port)]
    assert listener["type"] == "internal"
    # The services speak PLAINTEXT today: the listener they use has neither TLS nor SASL.
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert listener["tls"] is False
    assert "authentication" not in listener


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_users_acls_can_be_applied(rendered, k8s, overlay):
    """The User Operator fails a KafkaUser with ACLs on a cluster without an authorizer."""
    objs = rendered[overlay]
    (kafka,) = k8s.of_kind(objs, "Kafka")
    users = k8s.of_kind(objs, "KafkaUser")
    assert all(u["spec"]["authorization"]["type"] == "simple" for u in users)
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    mechanisms = {u["spec"]["authentication"]["type"] for u in users}
    listeners = kafka["spec"]["kafka"]["listeners"]
    offered = {li.get("authentication", {}).get("type") for li in listeners}
    assert mechanisms <= offered, "a listener where the KafkaUsers can log in"
