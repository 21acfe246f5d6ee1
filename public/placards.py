"""Printable placards (挂牌亮码): an A5 page per deputy or station with its QR code.

Another app prints its own A5 poster through `placards_pdf` by giving each placard a
"template" of its own (e.g. a consultation's poster for a legislative point's wall).

HTML and CSS rendered by WeasyPrint. Chinese text is set in Noto Sans CJK SC from
the system fonts (fontconfig finds it by name), embedded as a subset in the PDF.
Images travel as data: URIs and nothing else is fetched: the extranet has no way out.
"""

import base64
from collections.abc import Callable, Iterable

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML, URLFetcher

from . import qr, selectors
from .photos import thumbnail_bytes

# Pages rendered per WeasyPrint pass in a batch: each pass reports progress, and
# the passes' pages are joined into one PDF at the end.
CHUNK_SIZE = 20


def data_uri(content: bytes, content_type: str) -> str:
    """An image inlined for WeasyPrint (other apps' placards embed their codes with it)."""
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def deputy_placard(deputy) -> dict:
    """What one deputy's page shows."""
    photo = thumbnail_bytes(deputy)
    url = qr.public_url("deputy", deputy.public_token)
    return {
        "kind": "deputy",
        "deputy": deputy,
        "stations": selectors.stations_of_deputy(deputy),
        "photo": data_uri(photo, "image/jpeg") if photo else "",
        "qr": data_uri(qr.qr_bytes(url, "png"), "image/png"),
        "url": url,
    }


def station_placard(station) -> dict:
    url = qr.public_url("station", station.public_token)
    return {
        "kind": "station",
        "station": station,
        "region_name": station.region.full_name(),
        "qr": data_uri(qr.qr_bytes(url, "png"), "image/png"),
        "url": url,
    }


def _document(placards: list[dict], title: str):
    html = render_to_string("public/placards/document.html", {"placards": placards, "title": title})
    # Only data: URIs: the extranet has no way out, and templates need nothing else.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).render()


def placards_pdf(
    placards: Iterable[dict],
    *,
    title: str,
    total: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF with a page per placard; `on_progress(done)` after each chunk."""
    documents, chunk, done = [], [], 0
    for placard in placards:
        chunk.append(placard)
        if len(chunk) == CHUNK_SIZE:
            documents.append(_document(chunk, title))
            done += len(chunk)
            chunk = []
            if on_progress:
                on_progress(done)
    if chunk or not documents:
        documents.append(_document(chunk, title))
        done += len(chunk)
        if on_progress:
            on_progress(done)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def deputy_placard_pdf(deputy) -> bytes:
    return placards_pdf(
        [deputy_placard(deputy)], title=_("%(name)s 亮码牌") % {"name": deputy.name}
    )


def station_placard_pdf(station) -> bytes:
    return placards_pdf(
        [station_placard(station)], title=_("%(name)s 亮码牌") % {"name": station.name}
    )
