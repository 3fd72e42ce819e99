"""GSM-7 / UCS-2 detection and concatenated-SMS segment counts (omnirelay.domain.sms)."""

from __future__ import annotations

import pytest
from omnirelay.v1.common_pb2 import SmsEncoding

from omnirelay.domain import sms

GSM7 = SmsEncoding.SMS_ENCODING_GSM7
UCS2 = SmsEncoding.SMS_ENCODING_UCS2
EMOJI = "\U0001F600"  # outside the BMP: a surrogate pair in UTF-16
GSM_ACCENTS = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà"  # basic table, one septet each


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 1),
        ("a", GSM7, 1, 1),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        (GSM_ACCENTS, GSM7, len(GSM_ACCENTS), 1),
        ("€" * 80, GSM7, 160, 1),
        ("€" * 81, GSM7, 162, 2),
        ("a" * 159 + "{", GSM7, 161, 2),
        ("{}[]^~|\\", GSM7, 16, 1),
        ("ł", UCS2, 1, 1),
        ("a" * 159 + "ł", UCS2, 160, 3),
        ("ł" * 70, UCS2, 70, 1),
        ("ł" * 71, UCS2, 71, 2),
        ("ł" * 134, UCS2, 134, 2),
        ("ł" * 135, UCS2, 135, 3),
        ("中" * 70, UCS2, 70, 1),
        ("中" * 71, UCS2, 71, 2),
        ("€" * 69 + "中", UCS2, 70, 1),  # once UCS-2, extension chars are one unit
        (EMOJI * 35, UCS2, 70, 1),
        (EMOJI * 36, UCS2, 72, 2),
        ("a" * 69 + EMOJI, UCS2, 71, 2),
    ],
    ids=[
        "empty", "one-char", "gsm-160", "gsm-161", "gsm-306", "gsm-307", "gsm-basic-accents",
        "euro-80", "euro-81", "brace-pushes-over", "extension-set", "l-stroke-1", "one-ucs2-char-flips-encoding",
        "ucs2-70", "ucs2-71", "ucs2-134", "ucs2-135", "chinese-70", "chinese-71", "euro-in-ucs2-counts-once",
        "emoji-35", "emoji-36", "emoji-pushes-over",
    ],
)
def test_segment(text: str, encoding: int, units: int, segments: int) -> None:
    seg = sms.segment(text)
    assert (seg.encoding, seg.units, seg.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("char", "gsm7"),
    [("a", True), ("\n", True), ("€", True), ("^", True), ("ł", False), ("ç", False), ("中", False), (EMOJI, False), ("`", False)],
    ids=["ascii", "newline", "euro", "caret", "l-stroke", "c-cedilla-lower", "chinese", "emoji", "backtick"],
)
def test_is_gsm7(char: str, gsm7: bool) -> None:
    assert sms.is_gsm7("hello " + char) is gsm7


# A GSM-7 escape sequence (ESC + char) and a UTF-16 surrogate pair cannot be split between two
# parts of a concatenated SMS; handsets would show garbage. Real segmenters (and carriers' billing)
# move the whole character into the next part, which can add a segment.
@pytest.mark.parametrize(
    "text",
    ["a" * 152 + "€" + "a" * 152, "ł" * 66 + EMOJI + "ł" * 66],
    ids=["gsm-escape-at-boundary", "ucs2-surrogate-at-boundary"],
)
def test_multi_unit_char_is_not_split_across_parts(text: str) -> None:
    assert sms.segment(text).segments == 3
