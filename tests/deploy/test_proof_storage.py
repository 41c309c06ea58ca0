"""Where tracking keeps proofs of delivery in each overlay: a writable folder, or a bucket."""

from __future__ import annotations

import pytest


def _tracking_env(rendered, k8s, overlay):  # type: ignore[no-untyped-def]
    objs = rendered[overlay]
    deployment = k8s.named(objs, "Deployment", "tracking")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {
        name: value for name, (value, _) in k8s.container_env(objs, container).items()
    }, container


def test_dev_writes_proofs_under_a_writable_mount(rendered, k8s) -> None:  # type: ignore[no-untyped-def]
    env, container = _tracking_env(rendered, k8s, "dev")
    assert env.get("TRACKING_PROOF_STORAGE", "local") == "local"
    mounts = [m["mountPath"] for m in container.get("volumeMounts", []) if not m.get("readOnly")]
    assert any(env["TRACKING_PROOF_DIR"].startswith(m.rstrip("/") + "/") for m in mounts)


@pytest.mark.parametrize("key", ["TRACKING_PROOF_S3_BUCKET", "TRACKING_DEVICE_LINK_BASE_URL"])
def test_prod_keeps_proofs_in_a_bucket(rendered, k8s, key) -> None:  # type: ignore[no-untyped-def]
    env, _ = _tracking_env(rendered, k8s, "prod")
    assert env["TRACKING_PROOF_STORAGE"] == "s3"
    assert env[key]
