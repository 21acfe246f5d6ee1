"""Citizens' photos: accept images only, and keep nothing but the pixels.

Phones write the place a photo was taken (GPS) and the device into EXIF. A photo is
decoded, turned upright, scaled down and encoded again as a plain JPEG: no EXIF, no
GPS, no XMP, no embedded thumbnails, and no payload hidden after the image data.
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
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}


def sanitize_image(upload) -> ContentFile:
    """A clean JPEG copy of an uploaded image, or ValidationError in Chinese."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("每张照片不能超过%(mb)sMB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            probe = Image.open(upload)
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("只能上传照片（JPG、PNG、WEBP格式）。"))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("照片尺寸过大。"))
            probe.verify()
            upload.seek(0)
            image = Image.open(upload)
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
        raise ValidationError(_("只能上传照片（JPG、PNG、WEBP格式），该文件无法识别。")) from None
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
