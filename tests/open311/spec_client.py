"""A GeoReport v2 client written from the specification (http://wiki.open311.org/GeoReport_v2),
not from the portal's code: it knows only the documented paths, parameters and shapes.

`http` is anything with `get(path, params)` and `post(path, form)` returning a
response with `.status_code` and `.content` (Django's test client here; `requests`
against a live server would do as well).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET


class GeoReportError(Exception):
    def __init__(self, status: int, errors: list[dict]):
        super().__init__(f"{status}: {errors}")
        self.status, self.errors = status, errors


def _xml_rows(document: bytes, item: str) -> list[dict]:
    root = ET.fromstring(document)
    return [{child.tag: (child.text or "") for child in node} for node in root.findall(item)]


class GeoReportClient:
    def __init__(self, http, endpoint: str, api_key: str, *, fmt: str = "xml"):
        self.http, self.endpoint, self.api_key, self.fmt = http, endpoint.rstrip("/"), api_key, fmt

    def _path(self, name: str) -> str:
        return f"{self.endpoint}/{name}.{self.fmt}"

    def _rows(self, response, item: str) -> list[dict]:
        if response.status_code >= 400:
            if self.fmt == "json":
                raise GeoReportError(response.status_code, json.loads(response.content))
            raise GeoReportError(response.status_code, _xml_rows(response.content, "error"))
        if self.fmt == "json":
            return json.loads(response.content)
        return _xml_rows(response.content, item)

    def discovery(self) -> ET.Element:
        """The discovery document, in XML (the format every server must offer)."""
        response = self.http.get(f"{self.endpoint}/discovery.xml", {})
        return ET.fromstring(response.content)

    def services(self, jurisdiction_id: str | None = None) -> list[dict]:
        params = {"api_key": self.api_key}
        if jurisdiction_id:
            params["jurisdiction_id"] = jurisdiction_id
        return self._rows(self.http.get(self._path("services"), params), "service")

    def post_request(self, **fields) -> dict:
        form = {"api_key": self.api_key, **fields}
        return self._rows(self.http.post(self._path("requests"), form), "request")[0]

    def get_request(self, service_request_id: str) -> dict:
        response = self.http.get(
            self._path(f"requests/{service_request_id}"), {"api_key": self.api_key}
        )
        return self._rows(response, "request")[0]

    def get_requests(self, **filters) -> list[dict]:
        return self._rows(
            self.http.get(self._path("requests"), {"api_key": self.api_key, **filters}), "request"
        )

    def token(self, token: str) -> dict:
        response = self.http.get(self._path(f"tokens/{token}"), {"api_key": self.api_key})
        return self._rows(response, "request")[0]
