"""SMS encoding and segmentation (GSM 03.38 default alphabet versus UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass

from omnirelay.v1.common_pb2 import SmsEncoding

# GSM 03.38 basic character set (one septet each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs an escape septet plus itself, so it counts twice.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsSegmentation:
    encoding: int  # SmsEncoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def segment(text: str) -> SmsSegmentation:
    """How `text` goes over the air: its encoding and the number of concatenated parts.

    A two-unit character (a GSM-7 escape pair, a UTF-16 surrogate pair) is never split across
    parts: it moves whole to the next one, as handsets and SMSCs do.
    """
    if is_gsm7(text):
        widths = [2 if c in GSM7_EXTENSION else 1 for c in text]
        single, part, encoding = GSM7_SINGLE, GSM7_PART, SmsEncoding.SMS_ENCODING_GSM7
    else:
        widths = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, part, encoding = UCS2_SINGLE, UCS2_PART, SmsEncoding.SMS_ENCODING_UCS2
    units = sum(widths)
    if units <= single:
        return SmsSegmentation(encoding, units, 1)
    segments, used = 1, 0
    for width in widths:
        if used + width > part:
            segments, used = segments + 1, 0
        used += width
    return SmsSegmentation(encoding, units, segments)
