"""JSON Schema per event type and one AsyncAPI 3 document, generated from the registry.

`python -m lastmile_common.events.export --write` regenerates them; `--check` fails when the
checked-in files differ from the code (CI runs the same comparison as a test)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lastmile_common.events.registry import REGISTRY
from lastmile_common.events.topics import TOPICS, dlt_of

ROOT = Path(__file__).resolve().parents[5]
SCHEMA_DIR = ROOT / "libs" / "common" / "schemas"
ASYNCAPI_FILE = ROOT / "docs" / "asyncapi.json"

_HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_tenant"],
    "properties": {
        "ce_id": {"type": "string"},
        "ce_source": {"type": "string"},
        "ce_type": {"type": "string"},
        "ce_specversion": {"const": "1.0"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string"},
        "ce_tenant": {"type": "string"},
        "content-type": {"const": "application/json"},
        "traceparent": {"type": "string"},
    },
}


def event_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every event type's data."""
    return {name: entry.model.model_json_schema() for name, entry in sorted(REGISTRY.items())}


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every topic, its DLT and its messages."""
    messages: dict[str, Any] = {}
    for name, entry in sorted(REGISTRY.items()):
        messages[_message_name(name)] = {
            "name": name,
            "title": name,
            "summary": entry.summary,
            "contentType": "application/json",
            "headers": {
                **_HEADERS_SCHEMA,
                "properties": {**_HEADERS_SCHEMA["properties"], "ce_type": {"const": name}},
            },
            "payload": entry.model.model_json_schema(ref_template="#/components/schemas/{model}"),
        }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for spec in TOPICS:
        refs = {
            _message_name(n): {"$ref": f"#/components/messages/{_message_name(n)}"}
            for n, e in sorted(REGISTRY.items())
            if e.topic == spec.name
        }
        key = spec.name.replace(".", "_")
        channels[key] = {
            "address": spec.name,
            "description": f"Key: {spec.key}. Partitions: {spec.partitions}.",
            "messages": refs,
        }
        channels[key + "_dlt"] = {
            "address": dlt_of(spec.name),
            "description": "Messages no consumer could process; dlt.* headers say why.",
            "messages": refs,
        }
        operations[f"publish_{key}"] = {"action": "send", "channel": {"$ref": f"#/channels/{key}"}}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "lastmile events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in Kafka binary mode (ce_* headers).",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def expected_files() -> dict[Path, str]:
    """Every generated file and its content."""
    files = {SCHEMA_DIR / f"{name}.json": _dump(schema) for name, schema in event_schemas().items()}
    files[ASYNCAPI_FILE] = _dump(asyncapi_document())
    return files


def stale_files() -> list[Path]:
    """Generated files that are missing or differ from the code."""
    return [
        path
        for path, text in expected_files().items()
        if not path.exists() or path.read_text() != text
    ]


def main() -> int:
    """Write or check the generated contract files."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.write:
        SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
        for path, text in expected_files().items():
            path.write_text(text)
        return 0
    stale = stale_files()
    for path in stale:
        print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
