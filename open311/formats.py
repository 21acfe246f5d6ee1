"""GeoReport v2 answers in XML (required by the specification) and JSON.

Lists are `<service_requests><request>…</request></service_requests>` in XML and a
JSON array; errors are `<errors><error><code/><description/></error></errors>` and
`[{"code": 400, "description": "…"}]`, with the same HTTP status.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            node.append(_element(key, inner))
    elif isinstance(value, list):
        item = {"attributes": "attribute", "values": "value", "endpoints": "endpoint"}
        item.update({"formats": "format", "keywords": "keyword"})
        for inner in value:
            node.append(_element(item.get(tag, "item"), inner))
    else:
        node.text = _text(value)
    return node


def render(fmt: str, data, *, root: str, item: str | None = None, status: int = 200):
    """`data` is a list of dicts (each an `item` under `root`) or one dict (`root` itself)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
    else:
        tree = ET.Element(root)
        if isinstance(data, list):
            for row in data:
                tree.append(_element(item, row))
        else:
            for key, value in data.items():
                tree.append(_element(key, value))
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(tree, encoding="utf-8")
    return HttpResponse(body, content_type=FORMATS[fmt], status=status)


def errors(fmt: str, status: int, messages: list[str]):
    rows = [{"code": status, "description": message} for message in messages]
    return render(
        fmt if fmt in FORMATS else "json", rows, root="errors", item="error", status=status
    )
