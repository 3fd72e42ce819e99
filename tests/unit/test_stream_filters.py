"""Stream filter predicates over MessageEvent / InboundMessageEvent (omnirelay.events.filters)."""

from __future__ import annotations

import pytest
from omnirelay.v1.common_pb2 import Channel, MessageStatus
from omnirelay.v1.messaging_pb2 import InboundMessageEvent, InboundMessageFilter, Message, MessageEvent, MessageEventFilter

from omnirelay.events.filters import inbound_matcher, message_event_matcher

IDENTITY = "accounts/acme/identities/sms-main"
MESSAGE = "accounts/acme/messages/0194f3a2b1c0aa55aa55aa55aa55"

EVENT = MessageEvent(
    message=MESSAGE,
    status=MessageStatus.MESSAGE_STATUS_DELIVERED,
    channel=Channel.CHANNEL_SMS,
    identity=IDENTITY,
    recipient="+15551234567",
    metadata={"order": "42", "team": "billing"},
)

MESSAGE_FILTERS = [
    ("empty", MessageEventFilter(), True),
    ("channel-match", MessageEventFilter(channels=[Channel.CHANNEL_SMS]), True),
    ("channel-one-of", MessageEventFilter(channels=[Channel.CHANNEL_MMS, Channel.CHANNEL_SMS]), True),
    ("channel-mismatch", MessageEventFilter(channels=[Channel.CHANNEL_WHATSAPP]), False),
    ("status-match", MessageEventFilter(statuses=[MessageStatus.MESSAGE_STATUS_DELIVERED]), True),
    ("status-mismatch", MessageEventFilter(statuses=[MessageStatus.MESSAGE_STATUS_READ, MessageStatus.MESSAGE_STATUS_FAILED]), False),
    ("identity-bare-id", MessageEventFilter(identity="sms-main"), True),
    ("identity-full-name", MessageEventFilter(identity=IDENTITY), True),
    ("identity-bare-mismatch", MessageEventFilter(identity="sms-other"), False),
    ("identity-other-account", MessageEventFilter(identity="accounts/other/identities/sms-main"), False),
    ("identity-prefix-only", MessageEventFilter(identity="sms"), False),
    ("recipient-match", MessageEventFilter(recipient="+15551234567"), True),
    ("recipient-mismatch", MessageEventFilter(recipient="+15550000000"), False),
    ("message-match", MessageEventFilter(message=MESSAGE), True),
    ("message-mismatch", MessageEventFilter(message="accounts/acme/messages/other"), False),
    ("metadata-subset", MessageEventFilter(metadata={"order": "42"}), True),
    ("metadata-all", MessageEventFilter(metadata={"order": "42", "team": "billing"}), True),
    ("metadata-other-value", MessageEventFilter(metadata={"order": "43"}), False),
    ("metadata-missing-key", MessageEventFilter(metadata={"order": "42", "region": "eu"}), False),
    ("metadata-empty-value-needs-key", MessageEventFilter(metadata={"region": ""}), False),
    ("all-match", MessageEventFilter(channels=[Channel.CHANNEL_SMS], statuses=[MessageStatus.MESSAGE_STATUS_DELIVERED], identity="sms-main", recipient="+15551234567", message=MESSAGE, metadata={"team": "billing"}), True),
    ("all-but-one", MessageEventFilter(channels=[Channel.CHANNEL_SMS], statuses=[MessageStatus.MESSAGE_STATUS_DELIVERED], identity="sms-main", recipient="+15550000000"), False),
]


@pytest.mark.parametrize(("f", "expected"), [case[1:] for case in MESSAGE_FILTERS], ids=[case[0] for case in MESSAGE_FILTERS])
def test_message_event_matcher(f: MessageEventFilter, expected: bool) -> None:
    assert message_event_matcher(f)(EVENT) is expected


INBOUND = InboundMessageEvent(
    message=Message(
        channel=Channel.CHANNEL_WHATSAPP,
        identity="accounts/acme/identities/wa-main",
        sender="+15557654321",
        recipient="+15551234567",
        metadata={"campaign": "spring"},
    )
)

INBOUND_FILTERS = [
    ("empty", InboundMessageFilter(), True),
    ("channel-match", InboundMessageFilter(channels=[Channel.CHANNEL_WHATSAPP]), True),
    ("channel-mismatch", InboundMessageFilter(channels=[Channel.CHANNEL_SMS]), False),
    ("identity-bare-id", InboundMessageFilter(identity="wa-main"), True),
    ("identity-full-name", InboundMessageFilter(identity="accounts/acme/identities/wa-main"), True),
    ("identity-mismatch", InboundMessageFilter(identity="sms-main"), False),
    ("sender-match", InboundMessageFilter(sender="+15557654321"), True),
    ("sender-is-not-recipient", InboundMessageFilter(sender="+15551234567"), False),
    ("metadata-match", InboundMessageFilter(metadata={"campaign": "spring"}), True),
    ("metadata-mismatch", InboundMessageFilter(metadata={"campaign": "fall"}), False),
    ("metadata-missing-key", InboundMessageFilter(metadata={"campaign": "spring", "x": "y"}), False),
]


@pytest.mark.parametrize(("f", "expected"), [case[1:] for case in INBOUND_FILTERS], ids=[case[0] for case in INBOUND_FILTERS])
def test_inbound_matcher(f: InboundMessageFilter, expected: bool) -> None:
    assert inbound_matcher(f)(INBOUND) is expected


def test_matcher_is_reusable_across_events() -> None:
    match = message_event_matcher(MessageEventFilter(statuses=[MessageStatus.MESSAGE_STATUS_READ]))
    read = MessageEvent(status=MessageStatus.MESSAGE_STATUS_READ)
    assert [match(e) for e in (EVENT, read, EVENT)] == [False, True, False]
