"""The tables. Times are integer microseconds since the epoch; content is serialized proto bytes."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("display_name", String(256), nullable=False, server_default=""),
    Column("create_time", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    # NULL for admin keys, which belong to no account.
    Column("account_id", String(63), nullable=True, index=True),
    Column("admin", Boolean, nullable=False),
    Column("display_name", String(256), nullable=False, server_default=""),
    # SHA-256 of the secret part; the secret itself is never stored.
    Column("secret_hash", String(64), nullable=False),
    Column("create_time", BigInteger, nullable=False),
    Column("revoke_time", BigInteger, nullable=True),
)

identities = Table(
    "identities",
    metadata,
    Column("account_id", String(63), primary_key=True),
    Column("id", String(63), primary_key=True),
    Column("channel", SmallInteger, nullable=False),
    Column("address", String(4096), nullable=False),
    Column("adapter", String(64), nullable=False),
    Column("display_name", String(256), nullable=False, server_default=""),
    Column("settings", Text, nullable=False),  # JSON object of strings
    Column("credentials", Text, nullable=False),  # JSON object of strings: write-only in the API
    Column("number_type", SmallInteger, nullable=False, server_default="0"),
    Column("create_time", BigInteger, nullable=False),
    Column("update_time", BigInteger, nullable=False),
    # The provider's last refusal of the credentials (a MessageError proto), until they work again.
    Column("auth_error", LargeBinary, nullable=True),
    Column("auth_error_time", BigInteger, nullable=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(63), nullable=False),
    Column("identity_id", String(63), nullable=False),
    Column("channel", SmallInteger, nullable=False),
    Column("direction", SmallInteger, nullable=False),
    Column("sender", String(4096), nullable=False),
    Column("recipient", String(4096), nullable=False),
    Column("status", SmallInteger, nullable=False),
    # A Message proto holding what the columns do not: content, options, metadata, reply_to.
    Column("body", LargeBinary, nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("request_hash", String(64), nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("error_description", Text, nullable=True),
    Column("error_permanent", Boolean, nullable=True),
    Column("error_provider_code", String(64), nullable=True),
    Column("provider_message_ids", Text, nullable=True),  # JSON list
    Column("sms_encoding", SmallInteger, nullable=False, server_default="0"),
    Column("segment_count", SmallInteger, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("create_time", BigInteger, nullable=False),
    Column("update_time", BigInteger, nullable=False),
    Column("sent_time", BigInteger, nullable=True),
    Column("delivered_time", BigInteger, nullable=True),
    Column("read_time", BigInteger, nullable=True),
    Column("expire_time", BigInteger, nullable=True),
    Column("receive_time", BigInteger, nullable=True),
    # Dispatch state: due when next_attempt_time <= now and no live lease; NULL once handed over.
    Column("next_attempt_time", BigInteger, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expire_time", BigInteger, nullable=True),
    # Fallback: when the current channel attempt is given up unless it reached its success
    # status (NULL when no fallback is left), and the attempts already ended (a Message proto
    # holding only channel_attempts; NULL until the first switch).
    Column("fallback_deadline", BigInteger, nullable=True),
    Column("channel_attempts", LargeBinary, nullable=True),
    UniqueConstraint("account_id", "request_id", name="uq_messages_request_id"),
    Index("ix_messages_account_create", "account_id", "create_time", "id"),
    Index(
        "ix_messages_due",
        "next_attempt_time",
        sqlite_where=text("next_attempt_time IS NOT NULL"),
        postgresql_where=text("next_attempt_time IS NOT NULL"),
    ),
    Index(
        "ix_messages_fallback_deadline",
        "fallback_deadline",
        sqlite_where=text("fallback_deadline IS NOT NULL"),
        postgresql_where=text("fallback_deadline IS NOT NULL"),
    ),
)

# Customer service windows (WhatsApp, Messenger): the last inbound message per identity and
# contact, written with the inbound message.
session_windows = Table(
    "session_windows",
    metadata,
    Column("account_id", String(63), primary_key=True),
    Column("identity_id", String(63), primary_key=True),
    Column("contact", String(4096), primary_key=True),
    Column("last_inbound_time", BigInteger, nullable=False),
)

# Provider message ids -> our message, for status reports that only carry the provider's id.
provider_refs = Table(
    "provider_refs",
    metadata,
    Column("account_id", String(63), primary_key=True),
    Column("identity_id", String(63), primary_key=True),
    Column("provider_message_id", String(128), primary_key=True),
    Column("message_id", String(32), nullable=False),
    # The last status reported for this id: a multi-part SMS is delivered when every part is.
    Column("status", SmallInteger, nullable=True),
)

# Status reports that arrived before the provider id they name was stored (an SMSC's receipt
# can beat the dispatcher's commit of submit_sm_resp). Applied when the id is stored.
parked_reports = Table(
    "parked_reports",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("account_id", String(63), nullable=False),
    Column("identity_id", String(63), nullable=False),
    Column("provider_message_id", String(128), nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("provider_code", String(64), nullable=False),
    Column("error", LargeBinary, nullable=True),  # a MessageError proto
    Column("receive_time", BigInteger, nullable=False),
    Index("ix_parked_reports_ref", "account_id", "identity_id", "provider_message_id"),
)

# The append-only event log: every status change and inbound message, in commit order.
events = Table(
    "events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("account_id", String(63), nullable=False),
    Column("kind", SmallInteger, nullable=False),
    Column("message_id", String(32), nullable=False),
    Column("event_time", BigInteger, nullable=False),
    # A MessageEvent or InboundMessageEvent proto without its cursor and sequence.
    Column("payload", LargeBinary, nullable=False),
    Index("ix_events_account_seq", "account_id", "seq"),
    Index("ix_events_time", "event_time"),
    # Sequences must never be reused, also after retention empties the table.
    sqlite_autoincrement=True,
)

# One row: the highest sequence purged by retention. Cursors below it have expired.
event_log_state = Table(
    "event_log_state",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("purged_through", BigInteger, nullable=False),
)

# Per-identity send rates, shared by every replica (domain/ratelimit.py): the theoretical
# arrival time, the earliest moment the identity's next send may go.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("account_id", String(63), primary_key=True),
    Column("identity_id", String(63), primary_key=True),
    Column("tat", BigInteger, nullable=False),
)

# Connections that one replica at a time may hold (an SMPP bind): who holds each, until when.
connection_leases = Table(
    "connection_leases",
    metadata,
    Column("account_id", String(63), primary_key=True),
    Column("identity_id", String(63), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("expire_time", BigInteger, nullable=False),
)

EVENT_STATUS = 1
EVENT_INBOUND = 2
