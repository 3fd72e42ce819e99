"""Shared by the channel tests. Table-driven render tests: each fixtures/outbound/*.json holds a Message (proto JSON), the
identity settings it is rendered with, and the exact provider requests expected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import ParseDict
from omnirelay.v1.messaging_pb2 import Message

from omnirelay.store.directory import IdentityRecord


def outbound_cases(package: Path) -> list[Any]:
    files = sorted((package / "fixtures" / "outbound").glob("*.json"))
    assert files, f"no fixtures under {package}"
    return [pytest.param(json.loads(f.read_text()), id=f.stem) for f in files]


def message_of(case: dict[str, Any]) -> Message:
    return ParseDict(case["message"], Message())


def identity(adapter: str, channel: int, address: str, settings: dict[str, str], credentials: dict[str, str]) -> IdentityRecord:
    return IdentityRecord(
        account_id="acme", id=adapter, channel=channel, address=address, adapter=adapter,
        settings=settings, credentials=credentials, number_type=0, update_time=0,
    )


def inbound_payload(package: Path, name: str) -> bytes:
    return (package / "fixtures" / "inbound" / f"{name}.json").read_bytes()


def inbound_names(package: Path) -> set[str]:
    return {f.stem for f in (package / "fixtures" / "inbound").glob("*.json")}
