"""The baseline: a bare grpc.aio server with one unary method that returns its request, and a
bare fan-out for the streams scenario.

Fan-out: Subscribe (server-streaming) answers with a checkpoint, then streams whatever Publish
(unary) publishes; each Publish serializes one StreamInboundMessagesResponse (sequence and
event_time set, like the gateway's events) once and hands the same bytes to every subscriber's
queue. No database, no filter: what gRPC alone costs per streamed message on this machine.

Run as `python -m bench.echo_server --listen 127.0.0.1:0`; prints "echo listening on
127.0.0.1:PORT" once it serves, and stops on SIGTERM or SIGINT. Messages stay raw bytes (the
serializers are identity functions), so the figure is gRPC and the event loop, nothing else.
It runs on uvloop when installed, like the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from collections.abc import AsyncIterator

import grpc
from omnirelay.v1 import messaging_pb2
from omnirelay.v1.content_pb2 import Content, Text

from bench import eventloop
from bench.workload import ECHO_METHOD, PUBLISH_METHOD, SUBSCRIBE_METHOD


def _as_is(data: bytes) -> bytes:
    return data


async def _echo(request: bytes, _context: grpc.aio.ServicerContext) -> bytes:
    return request


# About the size of the gateway's inbound events (the message carries its name and times too).
INBOUND_MESSAGE = messaging_pb2.Message(
    name="accounts/bench/messages/0123456789abcdef0123456789", identity="accounts/bench/identities/sms-bench",
    sender="+15557654321", recipient="+15551234567", content=Content(text=Text(body="STOP")),
)


class FanOut:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[bytes]] = set()
        self._sequence = 0

    async def subscribe(self, _request: bytes, _context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield messaging_pb2.StreamInboundMessagesResponse(checkpoint=messaging_pb2.Checkpoint()).SerializeToString()
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    async def publish(self, _request: bytes, _context: grpc.aio.ServicerContext) -> bytes:
        self._sequence += 1
        event = messaging_pb2.InboundMessageEvent(sequence=self._sequence, message=INBOUND_MESSAGE)
        event.event_time.FromMicroseconds(time.time_ns() // 1000)
        body = messaging_pb2.StreamInboundMessagesResponse(inbound=event).SerializeToString()
        for queue in self._queues:
            queue.put_nowait(body)
        return b""


def _handler() -> grpc.GenericRpcHandler:
    """The three methods share one service name: "/omnirelay.bench.Echo/<method>"."""
    fan_out = FanOut()
    raw = {"request_deserializer": _as_is, "response_serializer": _as_is}
    handlers = {
        ECHO_METHOD: grpc.unary_unary_rpc_method_handler(_echo, **raw),
        PUBLISH_METHOD: grpc.unary_unary_rpc_method_handler(fan_out.publish, **raw),
        SUBSCRIBE_METHOD: grpc.unary_stream_rpc_method_handler(fan_out.subscribe, **raw),
    }
    service = ECHO_METHOD.strip("/").split("/")[0]
    return grpc.method_handlers_generic_handler(service, {path.rsplit("/", 1)[1]: handler for path, handler in handlers.items()})


async def serve(listen: str) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((_handler(),))
    port = server.add_insecure_port(listen)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"echo listening on {listen.rsplit(':', 1)[0]}:{port}", flush=True)
    await stop.wait()
    await server.stop(1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.echo_server")
    parser.add_argument("--listen", default="127.0.0.1:0")
    eventloop.run(serve(parser.parse_args().listen))


if __name__ == "__main__":
    main()
