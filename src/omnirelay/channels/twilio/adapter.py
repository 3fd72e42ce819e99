"""Sends through the Twilio REST dialect many aggregators speak (Twilio, SignalWire's LaML API,
Restcomm): `POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`, a form of From,
To, Body, MediaUrl (repeated) and StatusCallback, with basic auth. Provider callbacks (status
reports and customer messages) arrive at the identity's webhook URL; see webhook.py.

Identity settings: `account_sid` (required), `base_url` (default https://api.twilio.com).
Credentials: `auth_token` (required: it signs the callbacks, and is the basic-auth password
unless `api_key_sid` and `api_key_secret` are both set).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from omnirelay.channels.base import (
    AdapterContext,
    AdapterSpec,
    ErrorClass,
    OutboundMessage,
    ProviderPayload,
    SendError,
    SendResult,
    WebhookRequest,
    WebhookResult,
)
from omnirelay.channels.twilio import webhook
from omnirelay.channels.twilio.codes import RECIPIENT_CODES
from omnirelay.domain.clock import now_us
from omnirelay.domain.validation import AdapterRequirements
from omnirelay.store.directory import IdentityRecord
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.messaging_pb2 import Message

DEFAULT_BASE_URL = "https://api.twilio.com"
MESSAGES_PATH = "/2010-04-01/Accounts/{account_sid}/Messages.json"
# Twilio's ValidityPeriod is whole seconds from 1 to 36000 (10 hours).
MAX_VALIDITY_SECONDS = 36_000

THROTTLED_CODES = frozenset({"20429"})  # Too Many Requests
AUTH_CODES = frozenset({"20003"})  # Authentication Error


class TwilioAdapter:
    def __init__(self, identity: IdentityRecord, context: AdapterContext) -> None:
        self._identity = identity
        self._http = context.http
        self._base_url = identity.settings.get("base_url", DEFAULT_BASE_URL).rstrip("/")
        credentials = identity.credentials
        if credentials.get("api_key_sid") and credentials.get("api_key_secret"):
            self._auth = (credentials["api_key_sid"], credentials["api_key_secret"])
        else:
            self._auth = (identity.settings["account_sid"], credentials["auth_token"])
        self._status_callback = context.webhook_url(identity.account_id, identity.id) if context.webhook_url else None

    async def send(self, outbound: OutboundMessage) -> SendResult:
        [request] = render(self._identity, outbound.message)
        form = dict(request["form"])
        if self._status_callback:
            # The gateway's, not the message's: where this identity's reports must arrive.
            form["StatusCallback"] = self._status_callback
        try:
            response = await self._http.request(request["method"], self._base_url + request["path"], data=form, auth=self._auth)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
            raise SendError(ErrorClass.PERMANENT, f"twilio: the identity's base_url is unusable: {error}") from None
        except httpx.TransportError as error:  # refused, reset, timed out: the provider may be back soon
            raise SendError(ErrorClass.TRANSIENT, f"twilio: {type(error).__name__}: {error}") from None
        return send_result(response)

    async def handle_webhook(self, request: WebhookRequest) -> WebhookResult:
        webhook.verify(self._identity, request)
        return webhook.parse(self._identity, request, now_us())

    async def close(self) -> None:
        """Nothing to release: the HTTP client is the gateway's."""


def render(identity: IdentityRecord, message: Message) -> ProviderPayload:
    """The Messages.json request for `message`, without the StatusCallback the live adapter adds
    (the gateway's webhook URL, not part of the message). Raises SendError(PERMANENT) for
    content SMS/MMS cannot carry."""
    body, media_urls = _body_and_media(message)
    if media_urls and identity.channel != Channel.CHANNEL_MMS:
        raise _cannot_carry("media needs an MMS identity; this identity sends SMS")
    form: dict[str, str | list[str]] = {"To": message.recipient, "From": identity.address}
    if body:
        form["Body"] = body
    if media_urls:
        form["MediaUrl"] = media_urls
    if message.options.sms.HasField("validity_period"):
        seconds = int(message.options.sms.validity_period.ToTimedelta().total_seconds())
        form["ValidityPeriod"] = str(min(max(seconds, 1), MAX_VALIDITY_SECONDS))
    path = MESSAGES_PATH.format(account_sid=identity.settings.get("account_sid", ""))
    return [{"method": "POST", "path": path, "form": form}]


def _body_and_media(message: Message) -> tuple[str, list[str]]:
    if message.HasField("channel_content"):
        case = message.channel_content.WhichOneof("channel")
        if case == "sms":
            if message.channel_content.sms.flash:
                raise _cannot_carry("flash SMS is not in the Twilio API")
            return message.channel_content.sms.text, []
        if case == "mms":
            mms = message.channel_content.mms
            if mms.subject:
                raise _cannot_carry("an MMS subject is not in the Twilio API; put it in the text")
            return mms.text, [m.url for m in mms.media]
        raise _cannot_carry(f"channel_content.{case} is not SMS or MMS")
    kind = message.content.WhichOneof("kind")
    if kind == "text":
        return message.content.text.body, []
    if kind == "media":
        return message.content.media.caption, [message.content.media.url]
    raise _cannot_carry(f"content.{kind} cannot be sent as SMS or MMS, only text and media")


def _cannot_carry(what: str) -> SendError:
    return SendError(ErrorClass.PERMANENT, f"twilio: {what}")


def send_result(response: httpx.Response) -> SendResult:
    """A Messages.json answer: 201 with the Message resource, or an error
    {"code": 21211, "message": "...", "more_info": "...", "status": 400} raised as SendError."""
    payload = _json_object(response)
    if response.is_success:
        sid = payload.get("sid")
        if not isinstance(sid, str) or not sid:
            raise SendError(ErrorClass.PERMANENT, f"twilio: HTTP {response.status_code} without a message sid", str(response.status_code))
        return SendResult([sid])
    code = str(payload["code"]) if payload.get("code") is not None else ""
    detail = payload.get("message") or response.reason_phrase or "no detail"
    description = f"twilio: {detail} (HTTP {response.status_code}{f', error {code}' if code else ''})"
    error_class = _error_class(response.status_code, code)
    retry_after = _retry_after(response.headers.get("retry-after")) if error_class.retryable else None
    raise SendError(error_class, description, code or str(response.status_code), retry_after)


def _error_class(http_status: int, code: str) -> ErrorClass:
    if http_status == 429 or code in THROTTLED_CODES:
        return ErrorClass.THROTTLED
    if http_status >= 500:
        return ErrorClass.TRANSIENT
    if http_status in (401, 403) or code in AUTH_CODES:
        return ErrorClass.AUTH
    if code in RECIPIENT_CODES:
        return ErrorClass.BAD_RECIPIENT
    return ErrorClass.PERMANENT


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:  # an HTML error page from a proxy, or no body
        return {}
    return payload if isinstance(payload, dict) else {}


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, or as an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


SPEC = AdapterSpec(
    name="twilio",
    requirements=AdapterRequirements(frozenset({Channel.CHANNEL_SMS, Channel.CHANNEL_MMS}), settings=("account_sid",), credentials=("auth_token",)),
    factory=TwilioAdapter,
    render=render,
)
