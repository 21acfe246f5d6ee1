"""Reading back what the portal printed: QR codes in images, pages of PDFs."""

import io
import re
import zlib

import pypdfium2
import zxingcpp
from PIL import Image


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def decode_qr_png(content: bytes) -> list[str]:
    return decode_qr(Image.open(io.BytesIO(content)))


def pdf_pages(content: bytes, *, scale: float = 2.0) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.render(scale=scale).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def ink_ratio(image: Image.Image) -> float:
    """Share of pixels that are not (near) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    dark = sum(histogram[:240])
    return dark / (grey.width * grey.height)


def pdf_font_names(content: bytes) -> set[str]:
    """BaseFont names, looking inside compressed object streams too."""
    chunks = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    names = set()
    for chunk in chunks:
        names.update(
            name.decode("latin-1") for name in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", chunk)
        )
    return names
