"""Dependencies point one way: services -> libs/common; never service -> service."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "src").is_dir())


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_services_never_import_each_other() -> None:
    offences = []
    for service in SERVICES:
        for path in (ROOT / "services" / service).rglob("*.py"):
            for other in set(SERVICES) - {service}:
                if other in _imports(path):
                    offences.append(f"{path.relative_to(ROOT)} imports {other}")
    assert not offences


def test_common_imports_no_service_and_no_platform_package() -> None:
    offences = []
    for path in (ROOT / "libs" / "common" / "src").rglob("*.py"):
        bad = _imports(path) & {*SERVICES, "lastmile"}
        if bad:
            offences.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offences
