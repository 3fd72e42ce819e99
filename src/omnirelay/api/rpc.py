"""One wrapper for every RPC: authenticate, bind log context, map errors to rich statuses."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any

import grpc
import structlog

from omnirelay.api.auth import Metadata
from omnirelay.api.errors import to_status
from omnirelay.domain.errors import GatewayError, Reason

log = structlog.get_logger(__name__)


def _request_id(metadata: Metadata) -> str:
    for name, value in metadata:
        if name == "x-request-id":
            return str(value)[:128]
    return os.urandom(8).hex()


async def _abort(context: grpc.aio.ServicerContext, error: GatewayError) -> None:
    status = to_status(error)
    await context.abort(status.code, status.details, status.trailing_metadata)


def rpc(admin: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a servicer method `(self, request, context, principal)`, unary or server-streaming."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        name = method.__name__

        async def prologue(self: Any, context: grpc.aio.ServicerContext) -> Any:
            # Read once: grpc builds the tuple anew at every call.
            metadata = context.invocation_metadata() or ()
            structlog.contextvars.clear_contextvars()
            structlog.contextvars.bind_contextvars(rpc=name, request_id=_request_id(metadata))
            return await self.auth.principal(metadata, admin)

        async def failed(context: grpc.aio.ServicerContext, exc: Exception) -> None:
            if isinstance(exc, GatewayError):
                log.info("rpc_error", reason=exc.reason.name, error=exc.message)
                await _abort(context, exc)
            log.exception("rpc_crashed")
            await _abort(context, GatewayError(Reason.INTERNAL, "internal error; see the server log"))

        if inspect.isasyncgenfunction(method):

            @functools.wraps(method)
            async def stream(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
                try:
                    principal = await prologue(self, context)
                    async for item in method(self, request, context, principal):
                        yield item
                except grpc.aio.AbortError:
                    raise
                except Exception as exc:  # noqa: BLE001 - mapped to a status
                    await failed(context, exc)

            return stream

        @functools.wraps(method)
        async def unary(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                principal = await prologue(self, context)
                return await method(self, request, context, principal)
            except grpc.aio.AbortError:
                raise
            except Exception as exc:  # noqa: BLE001 - mapped to a status
                await failed(context, exc)

        return unary

    return wrap
