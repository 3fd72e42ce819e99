"""Store provider reports through group commit. Callers acknowledge the provider only after
these return, so a report that was not stored is retried by the provider."""

from __future__ import annotations

import json

import structlog

from omnirelay.channels.base import InboundReport, StatusReport
from omnirelay.domain import names
from omnirelay.domain import status as st
from omnirelay.domain.capabilities import inbound_media_expiry_us
from omnirelay.domain.clock import Clock, now_us
from omnirelay.store.directory import IdentityRecord
from omnirelay.store.messages import InsertMessage, StatusUpdate, new_message_row
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.v1 import messaging_pb2
from omnirelay.v1.common_pb2 import Direction
from omnirelay.v1.content_pb2 import ChannelContent

log = structlog.get_logger(__name__)


async def store_status(writer: GroupCommitWriter, report: StatusReport, clock: Clock = now_us) -> messaging_pb2.Message | None:
    update = StatusUpdate(
        clock(),
        provider_ref=(report.account_id, report.identity_id, report.provider_message_id),
        status=report.status,
        error=report.error,
        provider_code=report.provider_code,
    )
    message = await writer.submit(update)
    if message is None:
        log.info("status_report_parked", identity=report.identity_id, provider_message_id=report.provider_message_id)
    return message


async def store_inbound(writer: GroupCommitWriter, identity: IdentityRecord, report: InboundReport, clock: Clock = now_us) -> messaging_pb2.Message:
    """Store a customer's message once (a repeat with a provider id already stored returns the
    stored message); on WhatsApp and Messenger it opens the sender's session window."""
    now = clock()
    body = messaging_pb2.Message(reply_to=report.reply_to)
    if isinstance(report.content, ChannelContent):
        body.channel_content.CopyFrom(report.content)
    else:
        body.content.CopyFrom(report.content)
    expiry = inbound_media_expiry_us(identity.channel, now)
    if expiry is not None:
        media = [body.content.media] if body.content.WhichOneof("kind") == "media" else list(body.channel_content.mms.media)
        for item in media:
            if not item.HasField("expire_time"):
                item.expire_time.FromMicroseconds(expiry)
    row = new_message_row(
        id=names.new_id(now), account_id=identity.account_id, identity_id=identity.id, channel=identity.channel,
        direction=Direction.DIRECTION_INBOUND, sender=report.sender, recipient=identity.address, status=st.RECEIVED,
        body=body.SerializeToString(), create_time=now, receive_time=now,
        provider_message_ids=json.dumps(report.provider_message_ids) if report.provider_message_ids else None,
    )
    message, _ = await writer.submit(InsertMessage(row, now))
    return message
