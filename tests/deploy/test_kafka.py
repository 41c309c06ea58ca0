"""Topics, ACLs, KEDA triggers and the services' subscriptions agree with one another."""

from __future__ import annotations

import importlib
import inspect
import typing
from unittest.mock import create_autospec

import pytest
from lastmile_common.events.registry import REGISTRY, lookup
from lastmile_common.events.topics import INTERNAL_TOPICS, TOPICS, dlt_of

OVERLAYS = ("dev", "prod")
SPECS = {spec.name: spec for spec in TOPICS + INTERNAL_TOPICS}


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
        if spec.partitioned_as is not None:  # co-partitioned: one partition count, always
            assert topic["partitions"] == declared[spec.partitioned_as]["spec"]["partitions"]
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
def test_tracking_rolls_one_replica_at_a_time_and_keeps_one_up(rendered, k8s, overlay):
    objs = rendered[overlay]
    deployment = k8s.named(objs, "Deployment", "tracking")["spec"]
    assert deployment["replicas"] >= (2 if overlay == "prod" else 1)  # dev: one of everything
    rolling = deployment["strategy"]
    assert rolling["type"] == "RollingUpdate"
    assert rolling["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert k8s.named(objs, "PodDisruptionBudget", "tracking")["spec"]["maxUnavailable"] == 1


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
        if service == "tracking":  # a lost pod's vehicles go to another within a rebalance
            assert scaled["minReplicaCount"] >= 2
        for trigger in scaled["triggers"]:
            assert trigger["type"] == "kafka"
            assert (
                trigger["metadata"]["bootstrapServers"]
                == platform["data"]["KAFKA_BOOTSTRAP_SERVERS"]
            )
            assert trigger["metadata"].get("allowIdleConsumers", "false") == "false"
            assert int(trigger["metadata"]["lagThreshold"]) > 0


def _declared_in_code(service, settings):
    """{group: topics} of the subscriptions the service's `entrypoints/consumers.py` declares.

    `subscriptions(settings, *collaborators)`: the collaborators (a tracker, handler deps) are
    only called when events arrive, so stand-ins of their types do here."""
    declare = importlib.import_module(f"{service}.entrypoints.consumers").subscriptions
    hints = typing.get_type_hints(declare)
    first, *rest = inspect.signature(declare).parameters.values()
    assert hints[first.name] is type(settings), f"{service}: subscriptions(settings, ...) first"
    stand_ins = [
        create_autospec(hints[p.name], instance=True) for p in rest if p.default is p.empty
    ]
    declared = {}
    for sub in declare(settings, *stand_ins):
        assert sub.name not in declared, f"{service}: two subscriptions named {sub.name}"
        rekeyed = {spec.carries for spec in INTERNAL_TOPICS if spec.name in sub.topics}
        for event_type in sub.handlers:
            topic = lookup(event_type).topic
            assert topic in sub.topics or topic in rekeyed, (
                f"{sub.name}: {event_type} never arrives"
            )
        declared[sub.name] = set(sub.topics)
    return declared


@pytest.mark.parametrize("service", ["orders", "planner", "tracking", "notifier"])
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_declared_consumers_match_consumer_groups_yaml(
    rendered, k8s, consumer_groups, monkeypatch, service, overlay
):
    env = k8s.container_env(rendered[overlay], k8s.service_container(rendered[overlay], service))
    with monkeypatch.context() as patch:  # the settings a pod of this overlay builds
        settings = k8s.build_settings(service, env, patch)
    declared = _declared_in_code(service, settings)
    wanted = {group: set(topics) for group, topics in consumer_groups[service]["consumes"].items()}
    assert declared == wanted, (
        f"{service}: update deploy/k8s/consumer-groups.yaml (and the ACLs and KEDA triggers)"
    )


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
