"""Redaction of free text quoted to a police or emergency unit.

When a referral quotes what the person wrote ("she said she would do it tonight"), the quote may carry other
people's data: a friend's phone number, a parent's e-mail, an ID number. The unit needs the words that show the
risk, not those. Dates and clock times stay: they are the time-critical cues a rescue depends on.

Numbers are matched on any Unicode digits (full-width "１３８..." too). Short numbers (up to six digits: 110, 120,
12356, a house number) stay; seven to fifteen digits are a phone number; longer runs an account or card number.
E-mail addresses and @handles are matched in ASCII only: a handle in Chinese characters has no edge to find (it
would swallow the sentence after it, risk words included), so such names must be removed by the person quoting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

EMAIL = "[email]"
PHONE = "[phone]"
ID_NUMBER = "[id-number]"
NUMBER = "[number]"
HANDLE = "[handle]"

# One scan, alternatives in priority order: what must stay (dates, times) is matched first and left alone.
_PATTERN = re.compile(
    r"(?P<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
    r"|(?P<date>(?<!\d)\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?!\d))"
    r"|(?P<time>(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d))"
    r"|(?P<cn_id>(?<!\d)\d{17}[\dXx](?![\dXx]))"
    r"|(?P<aadhaar>(?<!\d)\d{4}[ \-]\d{4}[ \-]\d{4}(?!\d))"
    r"|(?P<number>(?<!\d)\+?\(?\d[\d \-().+\u00a0]*\d(?!\d))"
    r"|(?P<handle>(?<![A-Za-z0-9_@])@[A-Za-z0-9_.]{2,})"
)


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


def redact(text: str, *, keep: Iterable[str] = ()) -> str:
    """``text`` with e-mail addresses, phone, ID and account numbers and @handles replaced by placeholders.

    ``keep``: phone numbers to leave as written (compared by digits), e.g. the person's own number when the unit
    already has it, or a hotline number.
    """
    kept = {_digits(number) for number in keep if _digits(number)}

    def replace(match: re.Match[str]) -> str:
        group = match.lastgroup
        value = match.group()
        if group in ("date", "time"):
            return value
        if group == "email":
            return EMAIL
        if group in ("cn_id", "aadhaar"):
            return ID_NUMBER
        if group == "handle":
            return HANDLE
        digits = _digits(value)
        if digits in kept or len(digits) < 7:
            return value
        return PHONE if len(digits) <= 15 else NUMBER

    return _PATTERN.sub(replace, text)
