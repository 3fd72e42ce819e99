"""Stream filters as predicates over decoded events (pure)."""

from __future__ import annotations

from collections.abc import Callable

from omnirelay.v1.messaging_pb2 import InboundMessageEvent, InboundMessageFilter, MessageEvent, MessageEventFilter


def _identity_matches(wanted: str, identity_name: str) -> bool:
    return not wanted or identity_name == wanted or identity_name.rsplit("/", 1)[-1] == wanted


def message_event_matcher(f: MessageEventFilter) -> Callable[[MessageEvent], bool]:
    channels, statuses, metadata = set(f.channels), set(f.statuses), dict(f.metadata)

    def matches(e: MessageEvent) -> bool:
        return (
            (not channels or e.channel in channels)
            and (not statuses or e.status in statuses)
            and _identity_matches(f.identity, e.identity)
            and (not f.recipient or e.recipient == f.recipient)
            and (not f.message or e.message == f.message)
            and all(e.metadata.get(k) == v for k, v in metadata.items())
        )

    return matches


def inbound_matcher(f: InboundMessageFilter) -> Callable[[InboundMessageEvent], bool]:
    channels, metadata = set(f.channels), dict(f.metadata)

    def matches(e: InboundMessageEvent) -> bool:
        m = e.message
        return (
            (not channels or m.channel in channels)
            and _identity_matches(f.identity, m.identity)
            and (not f.sender or m.sender == f.sender)
            and all(m.metadata.get(k) == v for k, v in metadata.items())
        )

    return matches
