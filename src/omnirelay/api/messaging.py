"""omnirelay.v1.MessagingService."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from omnirelay.api.auth import own, scope
from omnirelay.api.deps import Deps
from omnirelay.api.rpc import rpc
from omnirelay.api.sending import plan_send
from omnirelay.domain import fallback, listing, names, sessions, validation
from omnirelay.domain import status as st
from omnirelay.domain.errors import GatewayError, Reason, invalid, invalid_field
from omnirelay.events import cursor
from omnirelay.events.filters import inbound_matcher, message_event_matcher
from omnirelay.events.hub import StreamClosed, Subscription
from omnirelay.store import eventlog
from omnirelay.store import messages as store
from omnirelay.store.directory import Principal
from omnirelay.store.schema import EVENT_INBOUND, EVENT_STATUS
from omnirelay.v1 import messaging_pb2, messaging_pb2_grpc
from omnirelay.v1.common_pb2 import DIRECTION_OUTBOUND


def request_fingerprint(request: messaging_pb2.SendMessageRequest, identity_id: str) -> str:
    """What makes two SendMessage requests "the same" for request_id (AIP-155)."""
    same = messaging_pb2.SendMessageRequest()
    same.CopyFrom(request)
    same.parent, same.request_id, same.identity = "", "", identity_id
    return hashlib.sha256(same.SerializeToString(deterministic=True)).hexdigest()


class MessagingServicer(messaging_pb2_grpc.MessagingServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.auth = deps.auth

    @rpc()
    async def SendMessage(self, request: messaging_pb2.SendMessageRequest, context: grpc.aio.ServicerContext, principal: Principal) -> messaging_pb2.Message:
        account_id = scope(principal, request.parent)
        if not request.identity:
            raise invalid_field("identity", "is required: the identity's name or id")
        identity = await self.deps.identities.get(account_id, names.identity_ref(request.identity, account_id, "identity"))
        now = self.deps.clock()
        plan = await plan_send(self.deps, request, identity.channel, identity.number_type, now)
        body = messaging_pb2.Message(metadata=request.metadata, reply_to=request.reply_to, adaptations=plan.adaptations, warnings=plan.warnings)
        for part in ("content", "channel_content", "options"):
            if request.HasField(part):
                getattr(body, part).CopyFrom(getattr(request, part))
        if plan.adapted is not None:
            # Adapters send what is stored, so the adapted form replaces the caller's.
            body.content.CopyFrom(plan.adapted)
        if request.reply_to.startswith("accounts/"):
            body.reply_to_provider_message_id = await self._provider_id_of(request.reply_to, account_id)
        fallback_deadline = None
        if request.fallbacks:
            body.fallbacks.extend(await self._fallbacks(request, account_id, identity.channel, now))
            body.fallback_success_status = request.fallback_success_status or self.deps.sending.fallback_success_status
            timeout_us = request.fallback_timeout.ToMicroseconds() if request.HasField("fallback_timeout") else self.deps.sending.fallback_timeout_us
            body.fallback_timeout.FromMicroseconds(timeout_us)
            fallback_deadline = now + timeout_us
        # Fallbacks' windows are checked when they are tried: the customer may write meanwhile.
        needs_window = sessions.requires_window(identity.channel, request.content, request.channel_content, request.options)
        row = store.new_message_row(
            id=names.new_id(now), account_id=account_id, identity_id=identity.id, channel=identity.channel,
            direction=DIRECTION_OUTBOUND, sender=identity.address, recipient=plan.recipient, status=st.QUEUED,
            body=body.SerializeToString(), request_id=request.request_id or None,
            request_hash=request_fingerprint(request, identity.id) if request.request_id else None,
            sms_encoding=plan.sms_encoding, segment_count=plan.segment_count, create_time=now, next_attempt_time=now,
            expire_time=request.expire_time.ToMicroseconds() if request.HasField("expire_time") else None,
            fallback_deadline=fallback_deadline,
        )
        window_us = self.deps.sending.session_window_us if needs_window else None
        message, _created = await self.deps.writer.submit(store.InsertMessage(row, now, session_window_us=window_us))
        return message

    async def _provider_id_of(self, name: str, account_id: str) -> str:
        """The provider id of the message `reply_to` names (empty when it has none)."""
        replied_account, message_id = names.parse(name, "messages", "reply_to")
        if replied_account != account_id:
            raise invalid_field("reply_to", f"no message {name} in this account")
        try:
            replied = await self.deps.db.read(lambda conn: store.get_message(conn, account_id, message_id))
        except GatewayError as error:
            raise invalid_field("reply_to", f"no message {name} in this account") from error
        return replied.provider_message_ids[0] if replied.provider_message_ids else ""

    async def _fallbacks(self, request: messaging_pb2.SendMessageRequest, account_id: str, channel: int, now: int) -> list[messaging_pb2.Fallback]:
        """Check every fallback as a send of its own; the accepted ones, normalized."""
        v = validation.Violations()
        reason = Reason.INVALID_FIELD
        if len(request.fallbacks) > fallback.MAX_FALLBACKS:
            v.add("fallbacks", f"at most {fallback.MAX_FALLBACKS}")
        if request.fallback_success_status and request.fallback_success_status not in fallback.SUCCESS_STATUSES:
            v.add("fallback_success_status", "must be SENT, DELIVERED or READ")
        if request.HasField("fallback_timeout") and not 0 < request.fallback_timeout.ToMicroseconds() <= fallback.MAX_TIMEOUT_US:
            v.add("fallback_timeout", "must be positive and at most 7 days")
        accepted = []
        for i, chosen in enumerate(request.fallbacks):
            field = f"fallbacks[{i}]"
            if not chosen.identity:
                v.add(f"{field}.identity", "is required: the identity's name or id")
                continue
            try:
                identity = await self.deps.identities.get(account_id, names.identity_ref(chosen.identity, account_id, f"{field}.identity"))
            except GatewayError as error:
                v.add(f"{field}.identity", error.message)
                continue
            inherits = not fallback.has_own_content(chosen)
            inherited_case = request.channel_content.WhichOneof("channel")
            if inherits and inherited_case and identity.channel != channel:
                v.add(f"{field}.content", f"is required: the message's channel_content is for {inherited_case} only")
                continue
            try:
                plan = await plan_send(self.deps, fallback.as_send_request(request, chosen), identity.channel, identity.number_type, now)
            except GatewayError as error:
                reason = error.reason if error.reason is not Reason.INVALID_FIELD else reason
                for violation in error.violations:
                    v.add(f"{field}.{violation.field}", violation.description)
                continue
            normalized = messaging_pb2.Fallback()
            normalized.CopyFrom(chosen)
            normalized.identity = names.identity_name(account_id, identity.id)
            normalized.recipient, normalized.channel, normalized.sender = plan.recipient, identity.channel, identity.address
            if plan.adapted is not None:
                normalized.content.CopyFrom(plan.adapted)
            accepted.append(normalized)
        if v.items:
            raise invalid(v.items, reason)
        return accepted

    @rpc()
    async def GetMessage(self, request: messaging_pb2.GetMessageRequest, context: grpc.aio.ServicerContext, principal: Principal) -> messaging_pb2.Message:
        account_id, message_id = names.parse(request.name, "messages", "name")
        own(principal, account_id, Reason.MESSAGE_NOT_FOUND, request.name)
        return await self.deps.db.read(lambda conn: store.get_message(conn, account_id, message_id))

    @rpc()
    async def ListMessages(self, request: messaging_pb2.ListMessagesRequest, context: grpc.aio.ServicerContext, principal: Principal) -> messaging_pb2.ListMessagesResponse:
        account_id = scope(principal, request.parent)
        conditions = listing.parse_filter(request.filter)
        size = listing.page_size(request.page_size)
        fingerprint = listing.query_fingerprint(account_id, request.filter)
        after = listing.decode_page_token(request.page_token, fingerprint)
        # The log position first: every event after it is newer than what the list shows.
        head = await self.deps.db.read(eventlog.head_sequence)
        page = await self.deps.db.read(lambda conn: store.list_messages(conn, account_id, conditions, after, size + 1))
        page, token = listing.last_page_token(page, size, _newest_first_key, fingerprint)
        return messaging_pb2.ListMessagesResponse(messages=page, next_page_token=token, cursor=cursor.encode(head))

    @rpc()
    async def CancelMessage(self, request: messaging_pb2.CancelMessageRequest, context: grpc.aio.ServicerContext, principal: Principal) -> messaging_pb2.Message:
        account_id, message_id = names.parse(request.name, "messages", "name")
        own(principal, account_id, Reason.MESSAGE_NOT_FOUND, request.name)
        return await self.deps.writer.submit(store.CancelMessage(account_id, message_id, self.deps.clock()))

    @rpc()
    async def StreamMessageEvents(self, request: messaging_pb2.StreamMessageEventsRequest, context: grpc.aio.ServicerContext, principal: Principal) -> AsyncIterator[messaging_pb2.StreamMessageEventsResponse]:
        account_id = scope(principal, request.parent)
        stream = self._stream(account_id, EVENT_STATUS, message_event_matcher(request.filter), request.start)
        async for item in stream:
            yield messaging_pb2.StreamMessageEventsResponse(**item)

    @rpc()
    async def StreamInboundMessages(self, request: messaging_pb2.StreamInboundMessagesRequest, context: grpc.aio.ServicerContext, principal: Principal) -> AsyncIterator[messaging_pb2.StreamInboundMessagesResponse]:
        account_id = scope(principal, request.parent)
        stream = self._stream(account_id, EVENT_INBOUND, inbound_matcher(request.filter), request.start)
        async for item in stream:
            yield messaging_pb2.StreamInboundMessagesResponse(**item)

    async def _stream(self, account_id: str, kind: int, matches: Callable[[Any], bool], start: messaging_pb2.StreamStart) -> AsyncIterator[dict[str, Any]]:
        """A checkpoint at once, then events (replayed, then live) and idle checkpoints; on
        shutdown a last checkpoint to resume from. Yields the response's `item` as keywords."""
        event_field = "event" if kind == EVENT_STATUS else "inbound"
        hub, limit = self.deps.hub, self.deps.streams.max_streams_per_account
        if hub.subscriber_count(account_id) >= limit:
            raise GatewayError(Reason.TOO_MANY_STREAMS, f"at most {limit} concurrent streams per account", metadata={"limit": str(limit)})
        sub = hub.subscribe(account_id, kind, matches, await self._start_position(account_id, start))
        try:
            yield {"checkpoint": _checkpoint(sub)}
            while True:
                try:
                    event = await sub.next(self.deps.streams.checkpoint_seconds)
                except StreamClosed:
                    yield {"checkpoint": _checkpoint(sub)}
                    return
                yield {"checkpoint": _checkpoint(sub)} if event is None else {event_field: event}
        finally:
            hub.unsubscribe(sub)

    async def _start_position(self, account_id: str, start: messaging_pb2.StreamStart) -> int:
        hub, which = self.deps.hub, start.WhichOneof("position")
        if which == "cursor":
            after = cursor.decode(start.cursor)
            hub.check_cursor(after)
            return after
        if which == "time":
            return max(await hub.first_at_or_after(account_id, start.time.ToMicroseconds()), hub.purged_through)
        if which == "oldest":
            return hub.purged_through
        return await hub.head()


def _newest_first_key(message: messaging_pb2.Message) -> tuple[int, str]:
    return message.create_time.ToMicroseconds(), message.name.rsplit("/", 1)[-1]


def _checkpoint(sub: Subscription) -> messaging_pb2.Checkpoint:
    now = Timestamp()
    now.GetCurrentTime()
    return messaging_pb2.Checkpoint(cursor=cursor.encode(sub.pos), time=now)
