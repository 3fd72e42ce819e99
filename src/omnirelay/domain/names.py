"""Resource names (AIP-122) and ids."""

from __future__ import annotations

import os
import re

from omnirelay.domain.errors import Reason, invalid_field

_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
# Generated ids: 12 hex digits of milliseconds then 16 random hex digits, so they sort by time.
_GENERATED_ID = re.compile(r"^[0-9a-f]{28}$")


def new_id(now_us: int) -> str:
    return f"{now_us // 1000:012x}{os.urandom(8).hex()}"


def check_user_id(value: str, field: str) -> str:
    if not _ID.match(value):
        raise invalid_field(field, "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter")
    return value


def account_name(account_id: str) -> str:
    return f"accounts/{account_id}"


def identity_name(account_id: str, identity_id: str) -> str:
    return f"accounts/{account_id}/identities/{identity_id}"


def message_name(account_id: str, message_id: str) -> str:
    return f"accounts/{account_id}/messages/{message_id}"


def api_key_name(account_id: str, key_id: str) -> str:
    return f"accounts/{account_id}/apiKeys/{key_id}"


def parse(name: str, collection: str, field: str) -> tuple[str, str]:
    """Split `accounts/{a}/{collection}/{id}` into (a, id), or raise naming the field."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "accounts" or parts[2] != collection or not parts[1] or not parts[3]:
        raise invalid_field(field, f"must look like accounts/{{account}}/{collection}/{{id}}")
    return parts[1], parts[3]


def parse_account(name: str, field: str) -> str:
    parts = name.split("/")
    if len(parts) != 2 or parts[0] != "accounts" or not parts[1]:
        raise invalid_field(field, "must look like accounts/{account}")
    return parts[1]


def identity_ref(value: str, account_id: str, field: str) -> str:
    """An identity given by name or bare id: its id, checked to be in `account_id`."""
    if "/" not in value:
        return value
    owner, identity_id = parse(value, "identities", field)
    if owner != account_id:
        raise invalid_field(field, "names an identity of another account", Reason.INVALID_FIELD)
    return identity_id
