"""Fail on a module over 300 lines or a function over 60, unless a comment says why.

A module is excused by a comment `# size: <why>` in its first 20 lines; a function by a comment
`# size: <why>` on the line of its `def` or the line just above it (or its decorators).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
ROOTS = ("libs", "services", "src", "bench", "scripts", "tests")
SKIP_PARTS = {".venv", ".lastmile", "node_modules", "__pycache__"}
MARK = "# size:"


def _excused(lines: list[str], first: int, last: int) -> bool:
    """Whether a `# size:` comment with a reason sits on lines first..last (1-based)."""
    for line in lines[max(first - 1, 0) : last]:
        _, found, reason = line.partition(MARK)
        if found and reason.strip():
            return True
    return False


def problems(path: Path) -> list[str]:
    """What is too long in one file, as `path:line: message` strings."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: list[str] = []
    if len(lines) > MAX_MODULE_LINES and not _excused(lines, 1, 20):
        found.append(f"{path}:1: module has {len(lines)} lines (max {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        head = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if length > MAX_FUNCTION_LINES and not _excused(lines, head - 1, node.lineno):
            found.append(
                f"{path}:{node.lineno}: {node.name}() has {length} lines (max {MAX_FUNCTION_LINES})"
            )
    return found


def python_files(root: Path) -> list[Path]:
    """Every tracked-looking Python file under the checked folders."""
    files: list[Path] = []
    for top in ROOTS:
        for path in sorted((root / top).rglob("*.py")):
            if not SKIP_PARTS.intersection(path.relative_to(root).parts):
                files.append(path)
    return files


def main(argv: list[str]) -> int:
    """Check the given files (default: the whole workspace) and report what is too long."""
    root = Path.cwd()
    paths = [Path(a) for a in argv] if argv else python_files(root)
    found = [p for path in paths for p in problems(path)]
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} size problem(s): split, or say why with a `{MARK} <reason>` comment")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
