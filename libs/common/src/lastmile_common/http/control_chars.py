"""One rule for control characters in every request: in a JSON string or a query parameter
they are 422 naming the field; a path parameter holding one names an id that cannot exist,
so 404. Installed app-wide by `create_service_app`, so it runs before any route touches the
database."""

from __future__ import annotations

from fastapi import Request

from lastmile_common.control_chars import IN_PARAM, MESSAGE, json_control_character_field
from lastmile_common.http.problems import Problem


def refuse(field: str) -> Problem:
    """The 422 problem naming the field with a control character."""
    return Problem(
        422, "Invalid request", f"{field}: {MESSAGE}", errors=[{"field": field, "message": MESSAGE}]
    )


async def refuse_control_characters(request: Request) -> None:
    """The rule applied to the path, query and JSON body of a request."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and IN_PARAM.search(value):
            raise Problem(404, "Not Found", f"{name} {value!r} cannot exist")
    for name, value in request.query_params.multi_items():
        if IN_PARAM.search(name) or IN_PARAM.search(value):
            raise refuse(f"query.{name}")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        field = json_control_character_field(await request.body())
        if field is not None:
            raise refuse(field)
