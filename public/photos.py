"""Small copies of deputies' photos for phones and placards.

Uploaded photos can be several megabytes; a citizen on a slow connection gets a
3:4 JPEG of a few kilobytes instead, made once and kept under MEDIA_ROOT/thumbs/.
"""

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger("lianxin.public")

# Portrait 3:4, large enough for a placard printed at ~4.5 x 6 cm and 150 dpi.
THUMB_SIZE = (300, 400)


def photo_thumbnail(deputy) -> str | None:
    """Storage name of the deputy's thumbnail, or None when there is no usable photo."""
    if not deputy.photo:
        return None
    # The photo's name changes with each upload, so the key changes with it.
    digest = hashlib.sha256(f"{deputy.photo.name}|{THUMB_SIZE}".encode()).hexdigest()[:40]
    name = f"thumbs/deputies/{digest[:2]}/{digest}.jpg"
    if default_storage.exists(name):
        return name
    try:
        with deputy.photo.open("rb") as original:
            image = Image.open(original)
            image = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("deputy %s: photo %s is not readable", deputy.pk, deputy.photo.name)
        return None
    image = ImageOps.fit(image, THUMB_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    saved = default_storage.save(name, ContentFile(buffer.getvalue()))
    if saved != name:  # a concurrent request made it first
        default_storage.delete(saved)
    return name


def thumbnail_bytes(deputy) -> bytes | None:
    name = photo_thumbnail(deputy)
    if name is None:
        return None
    with default_storage.open(name, "rb") as stored:
        return stored.read()
