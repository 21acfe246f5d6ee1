"""Anonymous uploads cannot make the server decode more than a budget (issue 13, point 1).

A PNG of a white 7000×7000 square is 150 KB on the wire and 196 MB once decoded. The
intake page and the API read the size from the header and refuse it before decoding;
every request that uploads counts against the address's limit, successful or not, and
the limit is asked before anything is opened.
"""

import io
import os
import struct
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageFile

from suggestions import public_views
from suggestions.models import Suggestion
from tests.suggestions.conftest import intake_data

MiB = 1024 * 1024


def white_png(width: int, height: int) -> bytes:
    """A valid RGB PNG of a white rectangle, written row by row (never held decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * (3 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.fixture(scope="module")
def huge_png():
    return white_png(7000, 7000)


def _pngs(content: bytes, count: int = 3) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"{n}.png", content, content_type="image/png") for n in range(count)]


def _url(world):
    return reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])


def _token(n: int) -> str:
    return f"tok_{n:04d}" + "z" * 24


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """The highest resident size seen while the block runs, above the size at its start."""

    def __enter__(self):
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.002)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())
        self.delta = self.peak - self.start


@pytest.fixture
def decodes(monkeypatch):
    """Every image Pillow decodes during the test (its size)."""
    seen = []
    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:  # still to be decoded (a loaded image has none left)
            seen.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_a_huge_photo_is_refused_from_its_header_without_decoding(client, world, huge_png, decodes):
    data = intake_data(contact_phone="", photos=_pngs(huge_png))
    started = time.monotonic()
    response = client.post(_url(world), data)
    assert response.status_code == 400
    assert "照片尺寸过大" in response.content.decode()
    assert decodes == [] and time.monotonic() - started < 1.5
    assert not Suggestion.objects.exists()


def test_the_photos_of_one_request_share_one_pixel_budget(client, world, decodes):
    # 4000×4000 each fits alone (64 MB decoded); three of them are more than a request may.
    big = white_png(4000, 4000)
    response = client.post(_url(world), intake_data(contact_phone="", photos=_pngs(big)))
    assert response.status_code == 400
    assert "照片总尺寸过大" in response.content.decode()
    assert decodes == [(4000, 4000), (4000, 4000)]  # the third never decoded
    # Two of them are fine.
    ok = intake_data("tok_two_" + "q" * 24, contact_phone="", photos=_pngs(big, 2))
    assert client.post(_url(world), ok).status_code == 302
    assert Suggestion.objects.get().photos.count() == 2


def test_a_phones_big_jpeg_is_decoded_at_reduced_scale_and_kept(client, world, decodes):
    buffer = io.BytesIO()
    Image.new("RGB", (6000, 4000), (90, 140, 200)).save(buffer, format="JPEG", quality=70)
    photo = SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.post(_url(world), intake_data(contact_phone="", photos=[photo]))
    assert response.status_code == 302
    assert decodes[-1] == (3000, 2000)  # 1/2 scale: still more than the 2048 kept
    stored = Suggestion.objects.get().photos.get()
    with stored.image.open("rb") as handle:
        assert Image.open(handle).size == (2048, 1365)


def test_failed_uploads_count_and_the_limit_comes_before_any_decoding(
    client, world, huge_png, decodes, monkeypatch
):
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (2, 3600))
    for n in range(2):
        data = intake_data(_token(n), contact_phone="", photos=_pngs(huge_png))
        assert client.post(_url(world), data).status_code == 400
    data = intake_data(_token(2), contact_phone="", photos=_pngs(huge_png))
    response = client.post(_url(world), data)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    # Nothing decoded for any of them (refused from the header, then by the limit), and
    # the address stays refused, with or without photos, on the page and on the API.
    assert decodes == []
    plain = intake_data(_token(3), contact_phone="")
    assert client.post(_url(world), plain).status_code == 429
    api = {**plain, "deputy_token": world.deputy.public_token, "photos": _pngs(huge_png)}
    response = client.post("/api/public-suggestions/", api)
    assert response.status_code == 429
    assert decodes == [] and not Suggestion.objects.exists()


def test_the_api_counts_failed_uploads_too(client, world, huge_png, decodes, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (1, 3600))
    data = {**intake_data(_token(0), contact_phone=""), "deputy_token": world.deputy.public_token}
    response = client.post("/api/public-suggestions/", {**data, "photos": _pngs(huge_png)})
    assert response.status_code == 400 and "photos" in response.json()
    again = {**data, "submission_token": _token(1), "photos": _pngs(huge_png)}
    assert client.post("/api/public-suggestions/", again).status_code == 429
    assert decodes == []


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="threads on SQLite's shared test database lock whole tables; CI runs it on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_oversized_uploads_sent_at_once_stay_within_memory_and_meet_the_limit(
    world, huge_png, monkeypatch
):
    # The places are taken in the database (one conditional UPSERT each), shared by
    # the threads as by the processes of a deployment.
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (4, 3600))
    url, senders = _url(world), 8
    barrier = threading.Barrier(senders)

    def send(n):
        try:
            data = intake_data(_token(n), contact_phone="", photos=_pngs(huge_png))
            client = Client()
            barrier.wait()
            return client.post(url, data)
        finally:
            connection.close()

    with PeakRss() as rss, ThreadPoolExecutor(senders) as pool:
        responses = list(pool.map(send, range(senders)))

    # Decoding the 24 photos would take 24 × 196 MB; refusing them takes a few MB.
    assert rss.delta < 100 * MiB, f"resident size grew by {rss.delta / MiB:.0f} MiB"
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [400] * 4 + [429] * 4
    assert not Suggestion.objects.exists()
