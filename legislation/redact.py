"""Personal data out of text that leaves the point (the summary, the API, public pages).

A comment's author and phone are never printed; a phone number typed inside the
comment itself is masked here too (138****1234), since people sign their comments.
"""

import re

from core.masking import mask_phone

_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def mask_phones_in(text: str) -> str:
    return _PHONE_RE.sub(lambda match: mask_phone(match.group(1)), text or "")
