"""omnirelay.v1.ChannelService: the capability matrix, and TranscodeMessage, SendMessage's dry run."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import grpc
from google.protobuf.duration_pb2 import Duration
from google.protobuf.struct_pb2 import Struct

from omnirelay.api.auth import scope
from omnirelay.api.deps import Deps
from omnirelay.api.rpc import rpc
from omnirelay.api.sending import plan_send
from omnirelay.channels.base import AdapterSpec
from omnirelay.domain import capabilities, names
from omnirelay.domain.clock import now_us
from omnirelay.domain.errors import GatewayError, Reason, invalid_field
from omnirelay.domain.validation import PHONE_CHANNELS, Violations
from omnirelay.store.directory import IdentityRecord, Principal
from omnirelay.v1 import channels_pb2, channels_pb2_grpc, messaging_pb2
from omnirelay.v1.common_pb2 import Direction

SANDBOX = "sandbox"
# A dry run without a recipient or identity fills the payload with these.
PLACEHOLDER_RECIPIENT = {True: "+15550100000", False: "RECIPIENT"}
PLACEHOLDER_SENDER = {True: "+15550100001", False: "SENDER"}


class ChannelServicer(channels_pb2_grpc.ChannelServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.auth = deps.auth

    @rpc()
    async def ListChannels(self, request: channels_pb2.ListChannelsRequest, context: grpc.aio.ServicerContext, principal: Principal) -> channels_pb2.ListChannelsResponse:
        return channels_pb2.ListChannelsResponse(channels=[self._capabilities(channel) for channel in capabilities.CHANNELS])

    def _capabilities(self, channel: int) -> channels_pb2.ChannelCapabilities:
        rules = capabilities.rules_for(channel, self.deps.sms_max_segments)
        limits = channels_pb2.ChannelLimits(**asdict(rules.limits))
        if rules.limits.recommended_media_bytes:
            limits.media_size_limits.extend(
                channels_pb2.MediaSizeLimit(carrier=carrier, number_type=number_type, max_bytes=max_bytes)
                for (carrier, number_type), max_bytes in capabilities.MMS_SIZE_LIMITS.items()
            )
        served_by = sorted(name for name, spec in self.deps.adapters.specs.items() if channel in spec.requirements.channels)
        result = channels_pb2.ChannelCapabilities(
            channel=channel, outbound=sorted(rules.outbound), inbound=sorted(rules.inbound), limits=limits, adapters=served_by,
        )
        if rules.inbound_media_retention_seconds:
            result.inbound_media_retention.CopyFrom(Duration(seconds=rules.inbound_media_retention_seconds))
        return result

    @rpc()
    async def TranscodeMessage(self, request: channels_pb2.TranscodeMessageRequest, context: grpc.aio.ServicerContext, principal: Principal) -> channels_pb2.TranscodeMessageResponse:
        account_id = scope(principal, request.parent)
        identity = None
        if request.identity:
            identity = await self.deps.identities.get(account_id, names.identity_ref(request.identity, account_id, "identity"))
        channels = list(request.channels) or ([identity.channel] if identity else [])
        v = Violations()
        if not channels:
            v.add("channels", "name at least one channel, or an identity")
        for i, channel in enumerate(channels):
            if channel not in capabilities.CHANNELS:
                v.add(f"channels[{i}]", "is not a channel")
            elif identity is not None and channel != identity.channel:
                v.add(f"channels[{i}]", f"the identity is on {capabilities.channel_name(identity.channel)}")
        if request.adapter and identity is not None:
            v.add("adapter", "set an identity or an adapter, not both: the identity's adapter renders")
        v.raise_if_any()
        if request.adapter:
            self._named_adapter(request.adapter)
        return channels_pb2.TranscodeMessageResponse(results=[await self._transcode(request, channel, identity, account_id) for channel in channels])

    def _named_adapter(self, name: str) -> AdapterSpec:
        spec = self.deps.adapters.specs.get(name)
        if spec is None:
            raise invalid_field("adapter", f"unknown or disabled adapter {name!r}; available: {', '.join(sorted(self.deps.adapters.names)) or 'none'}", Reason.UNKNOWN_ADAPTER)
        if spec.requirements.settings:
            raise invalid_field("adapter", f"the {name!r} adapter renders with an identity's settings ({', '.join(spec.requirements.settings)}): name an identity instead")
        return spec

    def _renderer(self, request: channels_pb2.TranscodeMessageRequest, channel: int, identity: IdentityRecord | None, account_id: str) -> tuple[AdapterSpec, IdentityRecord]:
        """The adapter that renders `channel` and the identity it renders for: the named
        identity's; else the named adapter; else sandbox, or the first adapter that serves the
        channel and needs no identity settings."""
        specs = self.deps.adapters.specs
        if identity is not None:
            if identity.adapter not in specs:
                raise GatewayError(Reason.UNKNOWN_ADAPTER, f"the identity's adapter {identity.adapter!r} is disabled on this gateway")
            return specs[identity.adapter], identity
        if request.adapter:
            spec = self._named_adapter(request.adapter)
        else:
            candidates = [specs[SANDBOX]] if SANDBOX in specs else []
            candidates += [s for name, s in sorted(specs.items()) if name != SANDBOX and not s.requirements.settings]
            spec = next((s for s in candidates if channel in s.requirements.channels), None)
            if spec is None:
                raise GatewayError(Reason.UNKNOWN_ADAPTER, f"no adapter renders {capabilities.channel_name(channel)} without an identity's settings: name an identity")
        if channel not in spec.requirements.channels:
            raise invalid_field("adapter", f"the {spec.name!r} adapter does not serve {capabilities.channel_name(channel)}", Reason.UNKNOWN_ADAPTER)
        sender = PLACEHOLDER_SENDER[channel in PHONE_CHANNELS]
        return spec, IdentityRecord(account_id, "", channel, sender, spec.name, {}, {}, request.number_type, 0)

    async def _transcode(self, request: channels_pb2.TranscodeMessageRequest, channel: int, identity: IdentityRecord | None, account_id: str) -> channels_pb2.TranscodeResult:
        result = channels_pb2.TranscodeResult(channel=channel)
        send = messaging_pb2.SendMessageRequest(
            recipient=request.recipient or PLACEHOLDER_RECIPIENT[channel in PHONE_CHANNELS], adaptation_mode=request.adaptation_mode,
        )
        for part in ("content", "channel_content", "options"):
            if request.HasField(part):
                getattr(send, part).CopyFrom(getattr(request, part))
        try:
            spec, record = self._renderer(request, channel, identity, account_id)
            result.adapter = spec.name
            plan = await plan_send(self.deps, send, channel, record.number_type, now_us())
        except GatewayError as exc:
            result.error.CopyFrom(_error(exc))
            return result
        message = messaging_pb2.Message(
            channel=channel, identity=names.identity_name(account_id, record.id) if record.id else "", sender=record.address,
            recipient=plan.recipient, direction=Direction.DIRECTION_OUTBOUND, options=send.options,
            sms_encoding=plan.sms_encoding, segment_count=plan.segment_count, adaptations=plan.adaptations, warnings=plan.warnings,
        )
        if send.HasField("channel_content"):
            message.channel_content.CopyFrom(send.channel_content)
        else:
            message.content.CopyFrom(plan.adapted or send.content)
            result.content.CopyFrom(message.content)
        result.payloads.extend(_struct(payload) for payload in spec.render(record, message))
        result.adaptations.extend(plan.adaptations)
        result.warnings.extend(plan.warnings)
        result.sms_encoding, result.segment_count = plan.sms_encoding, plan.segment_count
        return result


def _error(exc: GatewayError) -> channels_pb2.TranscodeError:
    return channels_pb2.TranscodeError(
        reason=exc.reason.name, message=exc.message,
        field_violations=[channels_pb2.TranscodeFieldViolation(field=v.field, description=v.description) for v in exc.violations],
    )


def _struct(payload: dict[str, Any]) -> Struct:
    struct = Struct()
    struct.update(json.loads(json.dumps(payload, default=_bytes_as_hex)))
    return struct


def _bytes_as_hex(value: object) -> str:
    # SMPP PDUs carry short_message as bytes; Struct holds JSON values only.
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")

