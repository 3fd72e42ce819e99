"""The baseline: a bare grpc.aio server with one unary method that returns its request.

Run as `python -m bench.echo_server --listen 127.0.0.1:0`; prints "echo listening on
127.0.0.1:PORT" once it serves, and stops on SIGTERM or SIGINT. Messages stay raw bytes (the
serializers are identity functions), so the figure is gRPC and the event loop, nothing else.
It runs on uvloop when installed, like the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import grpc

from bench import eventloop
from bench.workload import ECHO_METHOD


def _as_is(data: bytes) -> bytes:
    return data


async def _echo(request: bytes, _context: grpc.aio.ServicerContext) -> bytes:
    return request


def _handler() -> grpc.GenericRpcHandler:
    service, method = ECHO_METHOD.strip("/").split("/")
    echo = grpc.unary_unary_rpc_method_handler(_echo, request_deserializer=_as_is, response_serializer=_as_is)
    return grpc.method_handlers_generic_handler(service, {method: echo})


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
