#!/usr/bin/env python3
"""Extract one served version's openAPIV3Schema from an operator's CRD file, with its source.

Usage (the CRD read from a clone of the operator's repository, at a release tag):

    git -C strimzi show 1.2.0:packaging/install/cluster-operator/043-Crd-kafkatopic.yaml \
      | deploy/scripts/vendor-crd-schema.py --version v1 --repo strimzi/strimzi-kafka-operator \
          --ref 1.2.0 --commit "$(git -C strimzi rev-parse '1.2.0^{commit}')" \
          --path packaging/install/cluster-operator/043-Crd-kafkatopic.yaml \
      > deploy/k8s/schemas/kafkatopic-kafka-v1.json

The schema is copied verbatim (YAML to JSON); tests/deploy makes it strict when it loads it.
"""

from __future__ import annotations

import argparse
import json
import sys

import yaml


def extract(documents: list[dict], version: str) -> tuple[dict, dict]:
    """(the CRD, the openAPIV3Schema of `version`) from a file's YAML documents."""
    crds = [d for d in documents if d and d.get("kind") == "CustomResourceDefinition"]
    if len(crds) != 1:
        raise SystemExit(f"expected one CustomResourceDefinition, found {len(crds)}")
    (crd,) = crds
    served = [v for v in crd["spec"]["versions"] if v["name"] == version]
    if not served or not served[0].get("served", False):
        names = [v["name"] for v in crd["spec"]["versions"] if v.get("served")]
        raise SystemExit(f"{crd['metadata']['name']} serves {names}, not {version}")
    return crd, served[0]["schema"]["openAPIV3Schema"]


def main() -> None:
    """Read a CRD on stdin, print the vendored schema document on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("--version", "--repo", "--ref", "--commit", "--path"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    crd, schema = extract(list(yaml.safe_load_all(sys.stdin)), args.version)
    document = {
        "source": {
            "repository": f"https://github.com/{args.repo}",
            "ref": args.ref,
            "commit": args.commit,
            "path": args.path,
        },
        "crd": crd["metadata"]["name"],
        "group": crd["spec"]["group"],
        "kind": crd["spec"]["names"]["kind"],
        "version": args.version,
        "openAPIV3Schema": schema,
    }
    json.dump(document, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
