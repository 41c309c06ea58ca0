"""GET /sink: the local sink's messages, newest first, for a person to read."""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from lastmile_common.http.problems import Problem

from notifier.entrypoints.deps import SettingsDep, SinkDep

router = APIRouter(tags=["sink"])


@router.get("/sink", response_class=HTMLResponse, summary="Messages the local sink received")
async def sink_page(settings: SettingsDep, box: SinkDep) -> HTMLResponse:
    """An HTML listing, newest first (development only)."""
    if settings.environment == "production":
        raise Problem(404, "Not Found", "the sink exists only outside production")
    items = []
    for entry in box.newest_first():
        subject = f"<b>{html.escape(entry.subject)}</b><br>" if entry.subject else ""
        items.append(
            f'<li class="{entry.channel}"><small>{entry.received_at:%Y-%m-%d %H:%M:%S} UTC · '
            f"{entry.channel} → {html.escape(entry.to)}</small><br>{subject}"
            f"<pre>{html.escape(entry.text)}</pre></li>"
        )
    body = "\n".join(items) or "<li>No messages yet.</li>"
    return HTMLResponse(
        '<!doctype html><html><head><meta charset="utf-8"><title>lastmile sink</title>'
        '<meta http-equiv="refresh" content="5"></head><body>'
        f"<h1>Messages sent to the local sink ({len(items)})</h1><ol>{body}</ol></body></html>"
    )
