"""Planning a send, shared by SendMessage and its dry run TranscodeMessage: the pure checks of
domain/validation.py, then the MMS media sizes, which may need a HEAD of the media's URL."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from omnirelay.api.deps import Deps
from omnirelay.api.media import MediaSizeUnknown
from omnirelay.domain import limits, validation
from omnirelay.domain.errors import Reason
from omnirelay.domain.validation import SendPlan
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import CHANNEL_MMS


async def plan_send(deps: Deps, request: messaging_pb2.SendMessageRequest, channel: int, number_type: int, now_us: int) -> SendPlan:
    plan = validation.check_send(request, channel, now_us, deps.sms_max_segments)
    if channel != CHANNEL_MMS:
        return plan
    content = plan.adapted or (request.content if request.HasField("content") else None)
    channel_content = request.channel_content if request.HasField("channel_content") else None
    media = limits.mms_media(content, channel_content)
    sizes = await asyncio.gather(*(_size(deps, field, m) for field, m in media))
    unknown = [s for s in sizes if isinstance(s, limits.Problem)]
    if unknown:
        raise limits.problems_error(unknown)
    sized = [s for s in sizes if isinstance(s, limits.SizedMedia)]
    warnings = limits.check_mms_size(sized, number_type, request.options.mms.carrier)
    return replace(plan, warnings=tuple(warnings))


async def _size(deps: Deps, field: str, media: content_pb2.Media) -> limits.SizedMedia | limits.Problem:
    if media.size_bytes:
        return limits.SizedMedia(field, media.size_bytes)
    try:
        return limits.SizedMedia(field, await deps.media.size(media.url))
    except MediaSizeUnknown as exc:
        return limits.Problem(f"{field}.size_bytes", f"is required: {exc}", Reason.MEDIA_SIZE_UNKNOWN)
