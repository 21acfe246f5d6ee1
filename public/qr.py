"""QR codes for the public pages (一人一码), generated once and kept as files.

A code encodes the absolute public URL built from settings.PUBLIC_BASE_URL, so a
placard printed from the extranet still points at the public host. Files live
under MEDIA_ROOT/qr/, named by a hash of what they encode: the same URL is served
from the stored file; a new token or a new base URL is a new name, hence a new code.
"""

import hashlib
import io
from typing import Literal

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

QrFormat = Literal["png", "svg"]

CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}

# Bump when the drawing changes (size, border, error correction): new file names.
_DRAWING_VERSION = "1"


def public_url(kind: str, token: str) -> str:
    """The absolute URL a citizen reaches by scanning; kind is "deputy" or "station", or
    another app's full URL name taking one token ("public_legislation:page")."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    name = kind if ":" in kind else f"public:{kind}"
    return base + reverse(name, args=[token])


def qr_path(url: str, fmt: QrFormat) -> str:
    digest = hashlib.sha256(f"{_DRAWING_VERSION}|{url}".encode()).hexdigest()[:40]
    return f"qr/{digest[:2]}/{digest}.{fmt}"


def qr_file(url: str, fmt: QrFormat) -> str:
    """The storage name of the code for `url`, drawing and saving it the first time."""
    name = qr_path(url, fmt)
    if not default_storage.exists(name):
        content = render_qr(url, fmt)
        # Two first requests may race; both write the same bytes, the loser's copy
        # gets a suffixed name that is never read again.
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            default_storage.delete(saved)
    return name


def qr_bytes(url: str, fmt: QrFormat) -> bytes:
    with default_storage.open(qr_file(url, fmt), "rb") as stored:
        return stored.read()


def render_qr(url: str, fmt: QrFormat) -> bytes:
    # Level M survives a scuffed or partly covered placard; a 4-module quiet zone
    # is what phone scanners need on a busy wall.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    if fmt == "svg":
        code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    else:
        code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
