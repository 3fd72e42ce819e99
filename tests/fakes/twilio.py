"""A fake Twilio-compatible Messages API on 127.0.0.1, speaking the real protocol: it checks the
path, basic auth and form body, records each request, answers with Twilio's Message resource
(201) or its error JSON, and posts signed status callbacks and customer messages back.

Tests script failures with `fail_next(...)`: each queued answer is used by one request, after
which the fake accepts messages again."""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import httpx
from aiohttp import web

from omnirelay.channels.twilio.webhook import SIGNATURE_HEADER, signature

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed"
API_VERSION = "2010-04-01"


@dataclass(frozen=True)
class Answer:
    """One scripted HTTP answer."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: int, message: str, **headers: str) -> Answer:
    """Twilio's error JSON, e.g. error(400, 21211, "The 'To' number +1555 is not a valid phone number.")."""
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}
    return Answer(status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})


@dataclass(frozen=True)
class Recorded:
    """A Messages.json request as the fake received it."""

    account_sid: str
    username: str
    form: dict[str, list[str]]

    def value(self, name: str) -> str:
        return self.form[name][0]


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN, api_key: tuple[str, str] | None = None) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._logins = {(account_sid, auth_token)} | ({api_key} if api_key else set())
        self.requests: list[Recorded] = []
        self.accepted: dict[str, Recorded] = {}  # by the sid the fake gave the message
        self._script: list[Answer] = []
        app = web.Application()
        app.router.add_post(f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json", self._create_message)
        self._runner = web.AppRunner(app, access_log=None)
        self.base_url = ""

    async def start(self) -> FakeTwilio:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    def fail_next(self, *answers: Answer) -> None:
        self._script.extend(answers)

    async def _create_message(self, request: web.Request) -> web.Response:
        username = self._login(request.headers.get("Authorization", ""))
        if username is None:
            return _answer(error(401, 20003, "Authenticate", **{"WWW-Authenticate": 'Basic realm="Twilio API"'}))
        account_sid = request.match_info["account_sid"]
        if account_sid != self.account_sid:
            return _answer(error(404, 20404, f"The requested resource /{API_VERSION}/Accounts/{account_sid}/Messages.json was not found"))
        posted = await request.post()
        form: dict[str, list[str]] = {}
        for name, value in posted.items():
            form.setdefault(name, []).append(str(value))
        recorded = Recorded(account_sid, username, form)
        self.requests.append(recorded)
        if self._script:
            return _answer(self._script.pop(0))
        if "To" not in form:
            return _answer(error(400, 21604, "A 'To' phone number is required."))
        if "From" not in form:
            return _answer(error(400, 21603, "A 'From' phone number is required."))
        if "Body" not in form and "MediaUrl" not in form:
            return _answer(error(400, 21602, "Message body is required."))
        resource = self._message_resource(form)
        self.accepted[resource["sid"]] = recorded
        return _answer(Answer(201, json.dumps(resource).encode(), {"Content-Type": "application/json"}))

    def _login(self, authorization: str) -> str | None:
        scheme, _, encoded = authorization.partition(" ")
        try:
            username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return username if scheme == "Basic" and (username, password) in self._logins else None

    def _message_resource(self, form: dict[str, list[str]]) -> dict[str, Any]:
        """The Message resource Twilio answers a create with."""
        sid = ("MM" if "MediaUrl" in form else "SM") + os.urandom(16).hex()
        now = formatdate(usegmt=True)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        return {
            "account_sid": self.account_sid, "api_version": API_VERSION, "body": form.get("Body", [""])[0],
            "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": form["From"][0], "messaging_service_sid": None,
            "num_media": str(len(form.get("MediaUrl", []))), "num_segments": "1", "price": None, "price_unit": "USD",
            "sid": sid, "status": "queued", "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": form["To"][0], "uri": uri,
        }

    async def post_signed(self, url: str, params: dict[str, str], token: str | None = None) -> httpx.Response:
        """Post a callback as Twilio does: a form, signed with the auth token (or `token`)."""
        form = {name: [value] for name, value in params.items()}
        headers = {SIGNATURE_HEADER: signature(token or self.auth_token, url, form)}
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.post(url, data=params, headers=headers)

    def status_callback(self, sid: str, status: str, error_code: str = "") -> dict[str, str]:
        """The form of Twilio's status callback for message `sid` (which this fake accepted)."""
        sent = self.accepted[sid]
        params = {
            "SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": sent.value("To"), "MessageSid": sid,
            "AccountSid": self.account_sid, "From": sent.value("From"), "ApiVersion": API_VERSION,
        }
        if error_code:
            params["ErrorCode"] = error_code
        return params

    async def report(self, sid: str, status: str, error_code: str = "") -> httpx.Response:
        """Post a signed status callback to the StatusCallback URL the message was sent with."""
        url = self.accepted[sid].value("StatusCallback")
        return await self.post_signed(url, self.status_callback(sid, status, error_code))

    def inbound(self, sender: str, to: str, body: str, media: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
        """The form of Twilio's incoming-message webhook; `media` holds (content type, url) pairs."""
        sid = ("MM" if media else "SM") + os.urandom(16).hex()
        params = {
            "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": str(len(media)), "ToCity": "SAN BRUNO",
            "FromZip": "94030", "SmsSid": sid, "FromState": "CA", "SmsStatus": "received", "FromCity": "SAN BRUNO",
            "Body": body, "FromCountry": "US", "To": to, "ToZip": "94030", "NumSegments": "1", "MessageSid": sid,
            "AccountSid": self.account_sid, "From": sender, "ApiVersion": API_VERSION,
        }
        for i, (content_type, url) in enumerate(media):
            params[f"MediaContentType{i}"] = content_type
            params[f"MediaUrl{i}"] = url
        return params


def _answer(answer: Answer) -> web.Response:
    return web.Response(status=answer.status, body=answer.body, headers=answer.headers)
