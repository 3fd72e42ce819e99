"""SMS encoding and segmentation (GSM 03.38 default alphabet versus UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass

from omnirelay.v1.common_pb2 import SMS_ENCODING_GSM7, SMS_ENCODING_UCS2

# GSM 03.38 basic character set, in code order: the character at index n is septet n.
GSM7_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_BASIC = frozenset(GSM7_ALPHABET)
GSM7_ESCAPE = 0x1B
# The extension table: each costs the escape septet plus its own, so it counts twice.
GSM7_EXTENSION_CODES = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65}
GSM7_EXTENSION = frozenset(GSM7_EXTENSION_CODES)
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

_SEPTET = {c: i for i, c in enumerate(GSM7_ALPHABET)}
_EXTENDED_CHAR = {code: c for c, code in GSM7_EXTENSION_CODES.items()}


@dataclass(frozen=True)
class SmsSegmentation:
    encoding: int  # SmsEncoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return _GSM7_ALL.issuperset(text)


def encoding_of(text: str) -> int:
    return SMS_ENCODING_GSM7 if is_gsm7(text) else SMS_ENCODING_UCS2


def _units(text: str, encoding: int) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2); counted with C-level string methods, since
    every SMS send is counted."""
    if encoding == SMS_ENCODING_GSM7:
        if GSM7_BASIC.issuperset(text):
            return len(text)
        return len(text) + sum(text.count(c) for c in GSM7_EXTENSION)
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _widths(text: str, encoding: int) -> list[int]:
    if encoding == SMS_ENCODING_GSM7:
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _limits(encoding: int) -> tuple[int, int]:
    """(units in a single SMS, units in each part of a concatenated one)."""
    return (GSM7_SINGLE, GSM7_PART) if encoding == SMS_ENCODING_GSM7 else (UCS2_SINGLE, UCS2_PART)


def split(text: str) -> tuple[int, list[str]]:
    """`text`'s encoding and the parts it goes over the air in (one part when it fits a single SMS)."""
    encoding = encoding_of(text)
    return encoding, _parts(text, encoding, _units(text, encoding))


def segment(text: str) -> SmsSegmentation:
    """How `text` goes over the air: its encoding, units and number of concatenated parts."""
    encoding = encoding_of(text)
    units = _units(text, encoding)
    return SmsSegmentation(encoding, units, len(_parts(text, encoding, units)))


def _parts(text: str, encoding: int, units: int) -> list[str]:
    """A two-unit character (a GSM-7 escape pair, a UTF-16 surrogate pair) is never split across
    parts: it moves whole to the next one, as handsets and SMSCs do."""
    single, part = _limits(encoding)
    if units <= single:
        return [text]
    parts, start, used = [], 0, 0
    for i, width in enumerate(_widths(text, encoding)):
        if used + width > part:
            parts.append(text[start:i])
            start, used = i, 0
        used += width
    parts.append(text[start:])
    return parts


def encode_gsm7(text: str) -> bytes:
    """GSM 03.38 unpacked, one septet per byte (SMPP data_coding 0); extension chars escaped."""
    out = bytearray()
    for c in text:
        if c in GSM7_EXTENSION_CODES:
            out += bytes((GSM7_ESCAPE, GSM7_EXTENSION_CODES[c]))
        else:
            out.append(_SEPTET[c])
    return bytes(out)


def decode_gsm7(data: bytes) -> str:
    """The inverse of encode_gsm7; unknown escapes and bytes above 0x7F read as U+FFFD."""
    out, escaped = [], False
    for b in data:
        if escaped:
            out.append(_EXTENDED_CHAR.get(b, "\ufffd"))
            escaped = False
        elif b == GSM7_ESCAPE:
            escaped = True
        else:
            out.append(GSM7_ALPHABET[b] if b < len(GSM7_ALPHABET) else "\ufffd")
    return "".join(out)
