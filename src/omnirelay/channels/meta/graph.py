"""Meta's Graph API as both channels use it: identity settings, one request with the identity's
token, and the classification of Graph errors into the gateway's error classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from omnirelay.channels.base import ErrorClass, SendError
from omnirelay.domain.errors import FailureCode
from omnirelay.store.directory import IdentityRecord

log = structlog.get_logger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
# Without a Retry-After header (Meta rarely sends one), throttled sends wait this long.
DEFAULT_THROTTLE_SECONDS = 30.0

# Rate limits: app (4), user (17), page (32), calls per hour (613), WhatsApp account (80007),
# cloud API throughput (130429), spam (131048), pair rate (131056), registration (133016).
THROTTLING_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131048, 131056, 133016})
# Unknown error, service down, "something went wrong", service unavailable.
TRANSIENT_CODES = frozenset({1, 2, 131000, 131016})
# Token refused or expired (190, 102, 0) and permission errors (10, 200-299).
AUTH_CODES = frozenset({0, 10, 102, 190, *range(200, 300)})

# A channel's own meaning of some codes: by code, or by (code, error_subcode).
ErrorRules = Mapping[int | tuple[int, int], tuple[ErrorClass, FailureCode]]


def version(identity: IdentityRecord) -> str:
    return identity.settings.get("graph_version") or DEFAULT_VERSION


def base_url(identity: IdentityRecord) -> str:
    return (identity.settings.get("graph_base_url") or DEFAULT_BASE_URL).rstrip("/")


@dataclass(frozen=True)
class GraphError:
    """The `error` object of a Graph API answer."""

    code: int
    subcode: int
    message: str
    type: str
    transient: bool

    @classmethod
    def parse(cls, body: Any) -> GraphError | None:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None
        return cls(
            code=int(error.get("code") or 0), subcode=int(error.get("error_subcode") or 0),
            message=str(error.get("message", "")), type=str(error.get("type", "")), transient=bool(error.get("is_transient")),
        )


def rule_for(rules: ErrorRules, code: int, subcode: int) -> tuple[ErrorClass, FailureCode] | None:
    return rules.get((code, subcode)) or rules.get(code)


def classify(http_status: int, error: GraphError | None, rules: ErrorRules, retry_after: float) -> SendError:
    """A failed Graph call as a SendError: the channel's rules first, then Meta's common codes."""
    code, subcode = (error.code, error.subcode) if error else (0, 0)
    provider_code = str(code) if error else str(http_status)
    description = f"({code}) {error.message}" if error else f"HTTP {http_status}"
    rule = rule_for(rules, code, subcode) if error else None
    if rule is not None:
        error_class, failure_code = rule
        return SendError(error_class, description, provider_code, failure_code=failure_code)
    if http_status == 429 or code in THROTTLING_CODES:
        return SendError(ErrorClass.THROTTLED, description, provider_code, retry_after=retry_after)
    if http_status >= 500 or code in TRANSIENT_CODES or (error is not None and error.transient):
        return SendError(ErrorClass.TRANSIENT, description, provider_code)
    if http_status == 401 or (error is not None and code in AUTH_CODES):
        return SendError(ErrorClass.AUTH, description, provider_code)
    return SendError(ErrorClass.PERMANENT, description, provider_code)


class GraphClient:
    """One identity's calls to the Graph API with its bearer token."""

    def __init__(self, identity: IdentityRecord, http: httpx.AsyncClient, token: str, rules: ErrorRules) -> None:
        self._identity = identity
        self._http = http
        self._token = token
        self._rules = rules
        self._base = base_url(identity)
        self._throttle_seconds = float(identity.settings.get("throttle_retry_seconds") or DEFAULT_THROTTLE_SECONDS)

    async def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Call `path` (from the version on); the JSON answer, or SendError."""
        headers = {"authorization": f"Bearer {self._token}"}
        try:
            response = await self._http.request(method, self._base + path, headers=headers, **kwargs)
        except httpx.TransportError as exc:  # timeouts, refused connections
            raise SendError(ErrorClass.TRANSIENT, f"Graph API unreachable: {exc!r}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict):
            return body
        retry_after = _seconds(response.headers.get("retry-after")) or self._throttle_seconds
        error = classify(response.status_code, GraphError.parse(body), self._rules, retry_after)
        if error.error_class is ErrorClass.AUTH:
            # The identity's token needs fixing, not the message: say so where operators look.
            log.warning(
                "identity_auth_failed", account=self._identity.account_id, identity=self._identity.id,
                adapter=self._identity.adapter, provider_code=error.provider_code, description=error.description,
            )
        raise error


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
