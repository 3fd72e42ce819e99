"""Twilio error codes the gateway tells apart (https://www.twilio.com/docs/api/errors), shared
by send errors (the REST answer's `code`) and status callbacks (`ErrorCode`)."""

from __future__ import annotations

# The recipient cannot get messages from us: RECIPIENT_INVALID / ErrorClass.BAD_RECIPIENT.
RECIPIENT_CODES = frozenset({
    "21211",  # Invalid 'To' phone number
    "21610",  # The recipient replied STOP (unsubscribed)
    "21612",  # The 'To' number is not reachable via SMS or MMS
    "21614",  # The 'To' number is not a mobile number
    "30005",  # Unknown destination handset
    "30006",  # Landline or unreachable carrier
})

# What the common delivery failures mean, for status callbacks that carry only ErrorCode.
CALLBACK_ERRORS = {
    "30001": "queue overflow",
    "30002": "account suspended",
    "30003": "unreachable destination handset",
    "30004": "message blocked",
    "30005": "unknown destination handset",
    "30006": "landline or unreachable carrier",
    "30007": "filtered by the carrier",
    "30008": "unknown error",
    "21610": "the recipient replied STOP (unsubscribed)",
}
