"""The image build, checked statically (no Docker engine here): stages, user, uv, context."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        lines.append(current)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _stages() -> tuple[dict[str, str], list[list[tuple[str, str]]]]:
    args, stages = {}, []
    for instruction, rest in _instructions((REPO / "Dockerfile").read_text()):
        if instruction == "FROM":
            stages.append([])
        if not stages:
            assert instruction == "ARG", f"only ARG may precede FROM, not {instruction}"
            name, _, value = rest.partition("=")
            args[name] = value
            continue
        stages[-1].append((instruction, rest))
    return args, stages


def _image(args: dict[str, str], from_args: str) -> str:
    ref = from_args.split()[0]
    return re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], ref)


def test_multi_stage_with_a_slim_runtime_from_pinned_images():
    args, stages = _stages()
    assert len(stages) >= 3, "uv, build and runtime stages"
    images = [_image(args, stage[0][1]) for stage in stages]
    for image in images:
        assert ":" in image, f"pin {image}"
        assert not image.endswith(":latest"), f"pin {image}"
    runtime = images[-1]
    assert "slim" in runtime
    assert "python" in runtime


def test_runtime_runs_as_the_non_root_user_the_pods_expect():
    _, stages = _stages()
    runtime = stages[-1]
    users = [rest for instruction, rest in runtime if instruction == "USER"]
    assert users, "the runtime stage sets USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), "a numeric uid: runAsNonRoot can only check a number"
    assert int(uid) != 0
    deployment = yaml.safe_load((REPO / "deploy/k8s/base/orders/deployment.yaml").read_text())
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(uid)


def test_runtime_has_no_build_tools_and_only_the_virtualenv():
    _, stages = _stages()
    runtime = stages[-1]
    copies = [rest for instruction, rest in runtime if instruction == "COPY"]
    assert copies
    assert all("--from=build" in c and "/app/.venv" in c for c in copies)
    assert not any(instruction == "RUN" and "uv " in rest for instruction, rest in runtime)
    env = " ".join(rest for instruction, rest in runtime if instruction == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env, "read-only root filesystem: no .pyc writes"


def test_build_syncs_one_service_from_the_lockfile_without_dev_tools():
    _, stages = _stages()
    build = next(s for s in stages if s[0][1].split()[-1] == "build")
    runs = [rest for instruction, rest in build if instruction == "RUN" and "uv sync" in rest]
    assert runs
    for run in runs:
        assert "--frozen" in run
        assert "--no-dev" in run
        assert '--package "lastmile-${SERVICE}"' in run
    assert "--no-editable" in runs[-1], "the runtime copies the venv without the sources"
    copied = " ".join(rest for instruction, rest in build if instruction == "COPY")
    assert "uv.lock" in copied
    assert "pyproject.toml" in copied
    members = sorted(p.parent for p in REPO.glob("libs/*/pyproject.toml")) + sorted(
        p.parent for p in REPO.glob("services/*/pyproject.toml")
    )
    for member in members:
        manifest = f"{member.relative_to(REPO)}/pyproject.toml"
        assert manifest in copied, f"uv needs every workspace member's manifest: {manifest}"


def _dockerignore_includes(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    included = True
    for raw in (REPO / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!")
        regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        if re.fullmatch(regex, path) or re.fullmatch(regex + "/.*", path):
            included = negate
    return included


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "uv.lock",
        "libs/common/pyproject.toml",
        "libs/common/src/lastmile_common/settings.py",
        "libs/common/src/lastmile_common/db/sql/001_outbox_inbox.sql",
        "services/orders/pyproject.toml",
        "services/orders/src/orders/__main__.py",
    ],
)
def test_the_build_context_holds_what_the_build_copies(path):
    assert (REPO / path).exists()
    assert _dockerignore_includes(path)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        ".lastmile/run.json",
        "services/orders/tests/unit/test_x.py",
        "deploy/k8s/base/kustomization.yaml",
        "libs/common/src/lastmile_common/__pycache__/x.cpython-311.pyc",
    ],
)
def test_the_build_context_leaves_out_the_rest(path):
    assert not _dockerignore_includes(path)
