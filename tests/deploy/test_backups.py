"""PostgreSQL backups (prod): the Barman Cloud plugin archives WAL and takes nightly base backups
to an object store whose credentials come from the secret manager."""

from __future__ import annotations

PLUGIN = "barman-cloud.cloudnative-pg.io"


def test_the_cluster_archives_wal_through_the_plugin_to_the_object_store(rendered, k8s):
    objs = rendered["prod"]
    (cluster,) = k8s.of_kind(objs, "Cluster")
    assert "backup" not in cluster["spec"], "in-tree barmanObjectStore is deprecated: the plugin"
    (plugin,) = cluster["spec"]["plugins"]
    assert plugin["name"] == PLUGIN
    assert plugin["isWALArchiver"] is True
    store = k8s.named(objs, "ObjectStore", plugin["parameters"]["barmanObjectName"])
    assert store["spec"]["configuration"]["destinationPath"].startswith("s3://")
    assert store["spec"]["retentionPolicy"].endswith("d")


def test_a_scheduled_base_backup_uses_the_same_plugin(rendered, k8s):
    objs = rendered["prod"]
    (cluster,) = k8s.of_kind(objs, "Cluster")
    (scheduled,) = k8s.of_kind(objs, "ScheduledBackup")
    spec = scheduled["spec"]
    assert spec["cluster"]["name"] == cluster["metadata"]["name"]
    assert spec["method"] == "plugin"
    assert spec["pluginConfiguration"]["name"] == PLUGIN
    assert len(spec["schedule"].split()) == 6, "CloudNativePG's cron has a seconds field"


def test_the_object_store_credentials_come_from_an_external_secret(rendered, k8s):
    objs = rendered["prod"]
    targets = {
        e["spec"]["target"]["name"]: {d["secretKey"] for d in e["spec"]["data"]}
        for e in k8s.of_kind(objs, "ExternalSecret")
    }
    for store in k8s.of_kind(objs, "ObjectStore"):
        for ref in store["spec"]["configuration"]["s3Credentials"].values():
            assert ref["key"] in targets[ref["name"]], ref


def test_dev_has_no_backups(rendered, k8s):
    objs = rendered["dev"]
    assert not k8s.of_kind(objs, "ObjectStore")
    assert not k8s.of_kind(objs, "ScheduledBackup")
    assert "plugins" not in k8s.of_kind(objs, "Cluster")[0]["spec"]
