"""Checks shared by forms, the API and the spreadsheet importers."""

import re

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# An office line: area code (3-4 digits starting with 0), optional dash, 7-8 digits.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.match(value or ""))


def is_phone(value: str) -> bool:
    """A mainland mobile or an office landline."""
    return is_mobile(value) or bool(LANDLINE_RE.match(value or ""))
