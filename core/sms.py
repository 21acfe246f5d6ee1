"""SMS delivery behind a small pluggable interface (SMS_BACKEND)."""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("lianxin.sms")


class SmsError(Exception):
    pass


class ConsoleSmsBackend:
    """Writes messages to the log; the default for laptops and tests."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class HttpJsonSmsBackend:
    """A government SMS gateway reached over HTTP(S) with a JSON POST.

    Many provincial 政务短信平台 and commercial gateways take this shape:
    POST SMS_API_URL with {"phone", "content", "sign"} and an API key header;
    any non-2xx answer, or a JSON body whose "code" is not 0/"OK", is a failure.
    """

    def send(self, phone: str, text: str) -> None:
        if not settings.SMS_API_URL:
            raise SmsError("SMS_API_URL is not set")
        payload = json.dumps(
            {"phone": phone, "content": text, "sign": settings.SMS_SIGN_NAME}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            settings.SMS_API_URL,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_API_KEY}",
            },
        )
        with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as response:
            body = response.read().decode("utf-8", "replace")
        try:
            answer = json.loads(body) if body else {}
        except ValueError:
            answer = {}
        code = answer.get("code", 0) if isinstance(answer, dict) else 0
        if code not in (0, "0", "OK", "ok"):
            raise SmsError(f"gateway refused: {body[:200]}")


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
