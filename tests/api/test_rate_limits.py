"""An identity's `rate_per_second`: sends are paced by the dispatcher, the excess waits queued
(it does not fail), and a bad value is refused. Several replicas: tests/system/test_replicas.py."""

from __future__ import annotations

import asyncio
import time

from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2

from omnirelay.domain import status as st
from tests.conftest import Client, create_identity, fails, wait_for_status

SECOND_US = 1_000_000


# A send leaves at its slot plus the event loop's lateness (a few ms, more on a loaded machine):
# with slots 250 ms apart, a first send late by 5 ms and a fifth on time fall within one
# second. Counting over one second less this tolerance still finds any fifth send that came
# early.
JITTER_US = 50_000


def max_per_second(times_us: list[int]) -> int:
    """The most sends in any window [t, t + 1 s - JITTER_US)."""
    times_us = sorted(times_us)
    return max(sum(1 for t in times_us if start <= t < start + SECOND_US - JITTER_US) for start in times_us)


async def sent_times(client: Client, names: list[str]) -> list[int]:
    messages: list[messaging_pb2.Message] = []
    for _ in range(200):
        messages = [await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=n)) for n in names]
        if all(m.HasField("sent_time") for m in messages):
            break
        await asyncio.sleep(0.05)
    assert all(m.HasField("sent_time") and m.status != st.FAILED for m in messages)
    assert all(m.attempts == 1 for m in messages)
    return sorted(m.sent_time.ToMicroseconds() for m in messages)


async def paced_sends(client: Client, count: int) -> list[str]:
    await create_identity(client, rate_per_second="4")
    request = messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="x")))
    # A first send creates the identity's adapter: its one-time cost would make that send late.
    await wait_for_status(client, (await client.messaging.SendMessage(request)).name, st.READ)
    return [(await client.messaging.SendMessage(request)).name for _ in range(count)]


async def test_sends_over_the_rate_wait_their_turn(client: Client) -> None:
    sent = await sent_times(client, await paced_sends(client, 10))
    assert max_per_second(sent) <= 4, [t - sent[0] for t in sent]


async def test_sends_a_stall_made_late_do_not_bunch(client: Client) -> None:
    names = await paced_sends(client, 8)
    # The gateway shares this event loop: blocking it makes the first sends miss their slots,
    # as a loaded machine does. They must then go one interval apart, not all at once.
    time.sleep(0.8)
    sent = await sent_times(client, names)
    # sent_time is stamped after the hand-over returns: allow the loop's lateness between the two.
    assert min(b - a for a, b in zip(sent, sent[1:], strict=False)) >= SECOND_US // 4 - JITTER_US, [t - sent[0] for t in sent]
    assert max_per_second(sent) <= 4, [t - sent[0] for t in sent]


async def test_a_bad_rate_is_refused(client: Client) -> None:
    failed = await fails(client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="sms",
        channel_identity=identities_pb2.ChannelIdentity(channel=1, address="+15551230000", adapter="sandbox", settings={"rate_per_second": "fast"}),
    )))
    assert failed.fields == ["channel_identity.settings['rate_per_second']"]
