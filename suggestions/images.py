"""Citizens' photos: accept images only, and keep nothing but the pixels.

Phones write the place a photo was taken (GPS) and the device into EXIF. A photo is
decoded, turned upright, scaled down and encoded again as a plain JPEG: no EXIF, no
GPS, no XMP, no embedded thumbnails, and no payload hidden after the image data.

Decoding is the costly part, and anyone can upload: a 160 KB PNG can say it is
7000×7000 and take 200 MB once decoded. So the size the header announces is read
first (`Image.open` reads only the header) and refused past a budget before a single
pixel is decoded: per photo (decoded bytes) and per request (decoded pixels over all
its photos, an `ImageBudget` the caller shares between the photos of one request).
A JPEG is decoded straight at a reduced scale (`draft`), so a phone's 50-megapixel
photo costs what a 12-megapixel one does. Photos are decoded one after the other and
only the small re-encoded JPEG is kept, so a request holds one decoded photo at most.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2048
# Pillow keeps a multi-band pixel in 4 bytes; 1-band modes in 1, 16/32-bit ones more.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
# One decoded photo: 64 MiB is 16 megapixels (4608×3456), a phone's full-size photo.
MAX_DECODED_BYTES = 64 * 1024 * 1024
# One request, all its photos: three 12-megapixel photos, with room to spare.
MAX_REQUEST_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}


class ImageBudget:
    """What one request may still decode (pixels), shared by its photos."""

    def __init__(self, pixels: int = MAX_REQUEST_PIXELS):
        self.pixels = pixels

    def spend(self, pixels: int) -> None:
        if pixels > self.pixels:
            raise ValidationError(_("照片总尺寸过大，请少传几张或缩小后再传。"))
        self.pixels -= pixels


def decoded_bytes(image: Image.Image) -> int:
    """What decoding `image` at its current (header or draft) size would allocate."""
    return image.width * image.height * _BYTES_PER_PIXEL.get(image.mode, 4)


def _unreadable() -> ValidationError:
    return ValidationError(_("只能上传照片（JPG、PNG、WEBP格式），该文件无法识别。"))


def _open_within_budget(upload, budget: ImageBudget) -> Image.Image:
    """The image opened (header only) at the size it will be decoded at, within budget."""
    upload.seek(0)
    probe = Image.open(upload)
    if probe.format not in ACCEPTED_FORMATS:
        raise ValidationError(_("只能上传照片（JPG、PNG、WEBP格式）。"))
    # Checked once on what the header claims, before verify() reads the file through.
    if probe.width <= 0 or probe.height <= 0 or probe.width * probe.height > 4 * MAX_REQUEST_PIXELS:
        raise ValidationError(_("照片尺寸过大。"))
    probe.verify()
    upload.seek(0)
    image = Image.open(upload)
    if image.format in ("JPEG", "MPO"):
        # Decode at 1/2, 1/4 or 1/8 scale, still no smaller than what is kept: nothing lost.
        ratio = min(MAX_SIDE / image.width, MAX_SIDE / image.height, 1)
        image.draft("RGB", (max(1, int(image.width * ratio)), max(1, int(image.height * ratio))))
    if decoded_bytes(image) > MAX_DECODED_BYTES:
        raise ValidationError(_("照片尺寸过大。"))
    budget.spend(image.width * image.height)
    return image


def sanitize_image(upload, budget: ImageBudget | None = None) -> ContentFile:
    """A clean JPEG copy of an uploaded image, or ValidationError in Chinese.

    `budget` is what the request may still decode; photos of one request share it.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("每张照片不能超过%(mb)sMB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    budget = budget if budget is not None else ImageBudget()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _open_within_budget(upload, budget)
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise _unreadable() from None
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))  # in place: the full-size pixels go now
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def sanitize_images(uploads) -> list[ContentFile]:
    """The photos of one request, one at a time, within one request budget."""
    budget = ImageBudget()
    return [sanitize_image(upload, budget) for upload in uploads]
