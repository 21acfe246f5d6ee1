"""SMS delivery behind a small pluggable interface (SMS_BACKEND)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("lianxin.sms")


class ConsoleSmsBackend:
    """Writes messages to the log; the default for laptops and tests."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
