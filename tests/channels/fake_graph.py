"""A fake Graph API on 127.0.0.1 that answers like Meta: it checks each request's path, bearer
token and JSON body, answers WhatsApp sends with a wamid and Messenger sends with a message_id,
takes media uploads, resolves media ids, and fails the next sends as scripted (Meta's error
objects, with their HTTP statuses)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

VERSION = "v21.0"
PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAG-test-token"
FILE_BYTES = b"\xff\xd8\xff\xe0 fake jpeg"


@dataclass
class Recorded:
    method: str
    path: str
    authorization: str
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    file: bytes = b""


def graph_error(code: int, message: str, subcode: int | None = None, error_type: str = "OAuthException") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code, "fbtrace_id": "AbCdEfGh123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class FakeGraph:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._failures: list[tuple[int, Any, dict[str, str]]] = []
        self._ids = itertools.count(1)
        app = web.Application()
        app.router.add_post(f"/{VERSION}/me/messages", self._messenger_send)
        app.router.add_post(f"/{VERSION}/{PHONE_NUMBER_ID}/messages", self._whatsapp_send)
        app.router.add_post(f"/{VERSION}/{PHONE_NUMBER_ID}/media", self._upload)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get(f"/{VERSION}/{{media_id}}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        self.url = ""

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self._runner.cleanup()

    def fail_next(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """The next send answers `status` with `body` (a Graph error object, or text)."""
        self._failures.append((status, body, headers or {}))

    @property
    def sends(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/messages")]

    def _authorized(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response(graph_error(190, "Invalid OAuth access token - Cannot parse access token"), status=401)
        return None

    def _scripted(self) -> web.Response | None:
        if not self._failures:
            return None
        status, body, headers = self._failures.pop(0)
        if isinstance(body, str):
            return web.Response(status=status, text=body, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    async def _record_json(self, request: web.Request) -> tuple[Recorded, Any]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        recorded = Recorded(request.method, request.path, request.headers.get("Authorization", ""), body)
        self.requests.append(recorded)
        return recorded, body

    async def _whatsapp_send(self, request: web.Request) -> web.Response:
        _, body = await self._record_json(request)
        refused = self._authorized(request) or self._scripted()
        if refused is not None:
            return refused
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp" or not body.get("to") or body.get("type") not in body:
            return web.json_response(graph_error(100, "(#100) Invalid parameter"), status=400)
        return web.json_response({
            "messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": f"wamid.HBgL{next(self._ids):06d}"}],
        })

    async def _messenger_send(self, request: web.Request) -> web.Response:
        _, body = await self._record_json(request)
        refused = self._authorized(request) or self._scripted()
        if refused is not None:
            return refused
        if not isinstance(body, dict) or not body.get("recipient", {}).get("id") or not body.get("message") or not body.get("messaging_type"):
            return web.json_response(graph_error(100, "(#100) The parameter recipient is required"), status=400)
        return web.json_response({"recipient_id": body["recipient"]["id"], "message_id": f"m_{next(self._ids):06d}"})

    async def _upload(self, request: web.Request) -> web.Response:
        recorded = Recorded(request.method, request.path, request.headers.get("Authorization", ""))
        self.requests.append(recorded)
        async for part in await request.multipart():
            if part.name == "file":
                recorded.file = await part.read()  # type: ignore[union-attr]
            else:
                recorded.form[str(part.name)] = await part.text()  # type: ignore[union-attr]
        refused = self._authorized(request)
        if refused is not None:
            return refused
        if recorded.form.get("messaging_product") != "whatsapp" or not recorded.file or not recorded.form.get("type"):
            return web.json_response(graph_error(100, "(#100) Param file must be a file with one of the following types"), status=400)
        return web.json_response({"id": f"media-up-{next(self._ids)}"})

    async def _media(self, request: web.Request) -> web.Response:
        self.requests.append(Recorded(request.method, request.path, request.headers.get("Authorization", "")))
        refused = self._authorized(request)
        if refused is not None:
            return refused
        media_id = request.match_info["media_id"]
        return web.json_response({
            "messaging_product": "whatsapp", "url": f"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={media_id}",
            "mime_type": "image/jpeg", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "file_size": "303833", "id": media_id,
        })

    async def _file(self, request: web.Request) -> web.Response:
        return web.Response(body=FILE_BYTES, content_type="image/jpeg")
