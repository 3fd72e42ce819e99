"""Store provider reports through group commit. Callers acknowledge the provider only after
these return, so a report that was not stored is retried by the provider."""

from __future__ import annotations

import json

import structlog

from omnirelay.channels.base import InboundReport, StatusReport, WatermarkReport
from omnirelay.domain import names
from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from omnirelay.store.directory import IdentityRecord
from omnirelay.store.messages import InsertMessage, StatusUpdate, new_message_row
from omnirelay.store.watermarks import StatusUpTo
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.v1 import messaging_pb2
from omnirelay.v1.common_pb2 import Direction

log = structlog.get_logger(__name__)


async def store_status(writer: GroupCommitWriter, report: StatusReport) -> messaging_pb2.Message | None:
    update = StatusUpdate(
        now_us(),
        provider_ref=(report.account_id, report.identity_id, report.provider_message_id),
        status=report.status,
        error=report.error,
        provider_code=report.provider_code,
    )
    message = await writer.submit(update)
    if message is None:
        log.info("status_report_parked", identity=report.identity_id, provider_message_id=report.provider_message_id)
    return message


async def store_watermark(writer: GroupCommitWriter, report: WatermarkReport) -> int:
    """Move every earlier outbound message of the conversation; returns how many moved."""
    return await writer.submit(StatusUpTo(
        now_us(), report.account_id, report.identity_id, report.recipient, report.status, report.up_to_us, report.provider_code,
    ))


async def store_inbound(writer: GroupCommitWriter, identity: IdentityRecord, report: InboundReport) -> messaging_pb2.Message:
    """Store a customer's message once: a repeat with a provider id already stored returns the
    stored message."""
    now = now_us()
    body = messaging_pb2.Message(content=report.content, reply_to=report.reply_to)
    row = new_message_row(
        id=names.new_id(now), account_id=identity.account_id, identity_id=identity.id, channel=identity.channel,
        direction=Direction.DIRECTION_INBOUND, sender=report.sender, recipient=identity.address, status=st.RECEIVED,
        body=body.SerializeToString(), create_time=now, receive_time=now,
        provider_message_ids=json.dumps(report.provider_message_ids) if report.provider_message_ids else None,
    )
    message, _ = await writer.submit(InsertMessage(row, now))
    return message
