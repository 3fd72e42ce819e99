"""Settings: each one a command-line flag and an OMNIRELAY_* environment variable."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    listen: str = _setting("127.0.0.1:50051", "gRPC listen address (host:port; port 0 picks a free one)")
    database_url: str = _setting("sqlite:///./var/omnirelay.db", "SQLite file (default) or postgresql://user@host/db")
    webhook_listen: str = _setting("127.0.0.1:8080", "webhook ingress HTTP listen address for provider callbacks (empty: off)")
    webhook_public_url: str = _setting("", "the ingress's base URL as providers reach it, e.g. https://hooks.example.com (default: http://<webhook-listen>)")
    webhook_max_body_bytes: int = _setting(1_048_576, "largest callback body accepted (413 beyond)")
    dispatch: bool = _setting(True, "run the dispatcher in this process (off: an API-only replica)")
    sandbox: bool = _setting(True, "enable the sandbox adapter")
    sandbox_delivered_delay_ms: int = _setting(200, "sandbox: delay from SENT to DELIVERED")
    sandbox_read_delay_ms: int = _setting(1000, "sandbox: delay from SENT to READ")
    sandbox_send_delay_ms: int = _setting(0, "sandbox: how long the simulated provider takes to accept a message")
    sandbox_exclusive: bool = _setting(False, "sandbox: serve each identity from one replica at a time, as adapters with exclusive connections (SMPP) do")
    provider_timeout_seconds: float = _setting(10.0, "timeout of each HTTP request to a provider")
    sms_max_segments: int = _setting(10, "SMS longer than this many concatenated segments fail with TOO_MANY_SEGMENTS")
    media_head_timeout_seconds: float = _setting(3.0, "time a HEAD of an MMS media URL may take to give its size")
    media_head_allow_private: bool = _setting(False, "let media HEADs reach private and loopback addresses (tests, internal media hosts)")
    dispatch_batch_size: int = _setting(100, "messages claimed per dispatcher transaction")
    dispatch_max_in_flight: int = _setting(256, "sends in progress at once per process")
    lease_seconds: float = _setting(30.0, "how long a claimed message is reserved before another dispatcher may retry it")
    connection_lease_seconds: float = _setting(15.0, "an exclusive connection (an SMPP bind) is leased to one replica this long, renewed every third of it; another takes it over this long after its holder died")
    max_attempts: int = _setting(5, "provider hand-over attempts before a message fails with RETRIES_EXHAUSTED")
    retry_base_seconds: float = _setting(1.0, "first retry delay (exponential backoff, full jitter)")
    retry_max_seconds: float = _setting(300.0, "longest retry delay")
    dispatch_claim_interval_ms: float = _setting(10.0, "shortest time between two claims of due messages: under load each claim takes several commits' messages")
    dispatch_poll_seconds: float = _setting(0.5, "dispatcher poll interval when idle, jittered by up to a quarter (commits wake it sooner)")
    event_poll_seconds: float = _setting(0.25, "event log poll interval when idle (commits wake it sooner)")
    stream_buffer: int = _setting(1000, "events buffered per subscriber before it falls back to reading the log")
    event_retention_seconds: float = _setting(7 * 24 * 3600.0, "events older than this are purged; older cursors fail with CURSOR_EXPIRED")
    retention_sweep_seconds: float = _setting(60.0, "how often the purge of old events (and the settling of parked status reports) runs")
    parked_report_seconds: float = _setting(24 * 3600.0, "a status report for a provider id not (yet) stored waits this long for it")
    checkpoint_seconds: float = _setting(15.0, "idle streams get a checkpoint this often")
    max_streams_per_account: int = _setting(100, "concurrent streams per account (RESOURCE_EXHAUSTED beyond)")
    session_window_hours: float = _setting(24.0, "WhatsApp and Messenger: free-form messages are allowed this long after the contact's last inbound message")
    fallback_timeout_seconds: float = _setting(300.0, "default time a channel attempt with a fallback after it gets to reach the success status")
    fallback_success_status: str = _setting("delivered", "default status that counts as success of a channel attempt: sent, delivered or read")
    group_commit_max_batch: int = _setting(500, "operations per group-commit transaction at most")
    sqlite_writer_process: bool = _setting(True, "SQLite: run the write transactions in a child process, on another core than the serving loop (off: on a thread here)")
    auth_cache_seconds: float = _setting(5.0, "API key and identity lookups are cached this long")
    keepalive_seconds: float = _setting(30.0, "HTTP/2 keepalive ping interval for long-lived streams")
    shutdown_grace_seconds: float = _setting(10.0, "time in-flight calls and sends get on SIGTERM")
    log_level: str = _setting("info", "debug, info, warning or error")
    log_format: str = _setting("auto", "json, console, or auto (console on a terminal, else JSON)")


def env_name(name: str) -> str:
    return "OMNIRELAY_" + name.upper()


def _parse_bool(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def add_arguments(parser: argparse.ArgumentParser, only: tuple[str, ...] | None = None) -> None:
    for f in fields(Settings):
        if only is not None and f.name not in only:
            continue
        kind = _parse_bool if f.type in (bool, "bool") else {"int": int, "float": float}.get(str(f.type), str)
        default = os.environ.get(env_name(f.name))
        parser.add_argument(
            "--" + f.name.replace("_", "-"),
            dest=f.name,
            type=kind,
            default=kind(default) if default is not None else f.default,
            help=f"{f.metadata['help']} (env {env_name(f.name)}, default {f.default})",
        )


def from_namespace(ns: argparse.Namespace) -> Settings:
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in vars(ns).items() if k in known})
