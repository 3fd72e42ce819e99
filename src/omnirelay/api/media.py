"""The size of media by an HTTP HEAD of its URL, for MMS size limits. The gateway fetches a URL
a caller chose, so it guards against server-side request forgery: https only, no redirects, a
bounded time, and hosts that resolve to private, loopback or link-local addresses are refused."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]


class MediaSizeUnknown(Exception):
    """Why the size could not be learned (shown to the caller as the field violation)."""


async def resolve_host(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


class MediaProbe:
    def __init__(self, http: httpx.AsyncClient, timeout_seconds: float, allow_private: bool = False, resolve: Resolver = resolve_host) -> None:
        self.http = http
        self.timeout_seconds = timeout_seconds
        self.allow_private = allow_private
        self.resolve = resolve

    async def size(self, url: str) -> int:
        """The Content-Length a HEAD of `url` answers; raises MediaSizeUnknown saying why not."""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise MediaSizeUnknown("the gateway only asks https URLs for their size")
        try:
            async with asyncio.timeout(self.timeout_seconds):
                if not self.allow_private:
                    await self._refuse_private(parts.hostname, parts.port or 443)
                response = await self.http.head(url, follow_redirects=False)
        except TimeoutError:
            raise MediaSizeUnknown(f"a HEAD of the URL got no answer within {self.timeout_seconds} s") from None
        except (httpx.HTTPError, OSError) as exc:
            raise MediaSizeUnknown(f"a HEAD of the URL failed: {type(exc).__name__}") from None
        length = response.headers.get("content-length", "")
        if response.status_code != 200 or not length.isdigit():
            raise MediaSizeUnknown(f"a HEAD of the URL answered {response.status_code} without a Content-Length")
        return int(length)

    async def _refuse_private(self, host: str, port: int) -> None:
        addresses = await self.resolve(host, port)
        if not addresses:
            raise MediaSizeUnknown(f"{host} does not resolve")
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise MediaSizeUnknown(f"{host} resolves to a non-public address ({private[0]}); the gateway does not fetch those")
