import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from omnirelay.v1 import common_pb2 as _common_pb2
from omnirelay.v1 import content_pb2 as _content_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Message(_message.Message):
    __slots__ = ("name", "channel", "identity", "sender", "recipient", "direction", "content", "channel_content", "options", "status", "error", "provider_message_ids", "sms_encoding", "segment_count", "create_time", "update_time", "sent_time", "delivered_time", "read_time", "expire_time", "attempts", "metadata", "request_id", "reply_to", "receive_time", "reply_to_provider_message_id", "adaptations", "warnings", "fallbacks", "fallback_success_status", "fallback_timeout", "channel_attempts")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_CONTENT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    SMS_ENCODING_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SENT_TIME_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_TIME_FIELD_NUMBER: _ClassVar[int]
    READ_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_PROVIDER_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ADAPTATIONS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_SUCCESS_STATUS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    channel: _common_pb2.Channel
    identity: str
    sender: str
    recipient: str
    direction: _common_pb2.Direction
    content: _content_pb2.Content
    channel_content: _content_pb2.ChannelContent
    options: _content_pb2.ChannelOptions
    status: _common_pb2.MessageStatus
    error: _common_pb2.MessageError
    provider_message_ids: _containers.RepeatedScalarFieldContainer[str]
    sms_encoding: _common_pb2.SmsEncoding
    segment_count: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    sent_time: _timestamp_pb2.Timestamp
    delivered_time: _timestamp_pb2.Timestamp
    read_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    attempts: int
    metadata: _containers.ScalarMap[str, str]
    request_id: str
    reply_to: str
    receive_time: _timestamp_pb2.Timestamp
    reply_to_provider_message_id: str
    adaptations: _containers.RepeatedScalarFieldContainer[str]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    fallbacks: _containers.RepeatedCompositeFieldContainer[Fallback]
    fallback_success_status: _common_pb2.MessageStatus
    fallback_timeout: _duration_pb2.Duration
    channel_attempts: _containers.RepeatedCompositeFieldContainer[ChannelAttempt]
    def __init__(self, name: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., identity: _Optional[str] = ..., sender: _Optional[str] = ..., recipient: _Optional[str] = ..., direction: _Optional[_Union[_common_pb2.Direction, str]] = ..., content: _Optional[_Union[_content_pb2.Content, _Mapping]] = ..., channel_content: _Optional[_Union[_content_pb2.ChannelContent, _Mapping]] = ..., options: _Optional[_Union[_content_pb2.ChannelOptions, _Mapping]] = ..., status: _Optional[_Union[_common_pb2.MessageStatus, str]] = ..., error: _Optional[_Union[_common_pb2.MessageError, _Mapping]] = ..., provider_message_ids: _Optional[_Iterable[str]] = ..., sms_encoding: _Optional[_Union[_common_pb2.SmsEncoding, str]] = ..., segment_count: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., read_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempts: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., reply_to: _Optional[str] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reply_to_provider_message_id: _Optional[str] = ..., adaptations: _Optional[_Iterable[str]] = ..., warnings: _Optional[_Iterable[str]] = ..., fallbacks: _Optional[_Iterable[_Union[Fallback, _Mapping]]] = ..., fallback_success_status: _Optional[_Union[_common_pb2.MessageStatus, str]] = ..., fallback_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., channel_attempts: _Optional[_Iterable[_Union[ChannelAttempt, _Mapping]]] = ...) -> None: ...

class Fallback(_message.Message):
    __slots__ = ("identity", "recipient", "content", "channel_content", "options", "channel", "sender")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_CONTENT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    identity: str
    recipient: str
    content: _content_pb2.Content
    channel_content: _content_pb2.ChannelContent
    options: _content_pb2.ChannelOptions
    channel: _common_pb2.Channel
    sender: str
    def __init__(self, identity: _Optional[str] = ..., recipient: _Optional[str] = ..., content: _Optional[_Union[_content_pb2.Content, _Mapping]] = ..., channel_content: _Optional[_Union[_content_pb2.ChannelContent, _Mapping]] = ..., options: _Optional[_Union[_content_pb2.ChannelOptions, _Mapping]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., sender: _Optional[str] = ...) -> None: ...

class ChannelAttempt(_message.Message):
    __slots__ = ("identity", "channel", "sender", "recipient", "status", "error", "provider_message_ids", "attempts", "start_time", "end_time")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    identity: str
    channel: _common_pb2.Channel
    sender: str
    recipient: str
    status: _common_pb2.MessageStatus
    error: _common_pb2.MessageError
    provider_message_ids: _containers.RepeatedScalarFieldContainer[str]
    attempts: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, identity: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., sender: _Optional[str] = ..., recipient: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.MessageStatus, str]] = ..., error: _Optional[_Union[_common_pb2.MessageError, _Mapping]] = ..., provider_message_ids: _Optional[_Iterable[str]] = ..., attempts: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SendMessageRequest(_message.Message):
    __slots__ = ("parent", "identity", "recipient", "content", "channel_content", "options", "expire_time", "metadata", "request_id", "reply_to", "adaptation_mode", "fallbacks", "fallback_success_status", "fallback_timeout")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PARENT_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_CONTENT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    ADAPTATION_MODE_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_SUCCESS_STATUS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    identity: str
    recipient: str
    content: _content_pb2.Content
    channel_content: _content_pb2.ChannelContent
    options: _content_pb2.ChannelOptions
    expire_time: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    request_id: str
    reply_to: str
    adaptation_mode: _content_pb2.AdaptationMode
    fallbacks: _containers.RepeatedCompositeFieldContainer[Fallback]
    fallback_success_status: _common_pb2.MessageStatus
    fallback_timeout: _duration_pb2.Duration
    def __init__(self, parent: _Optional[str] = ..., identity: _Optional[str] = ..., recipient: _Optional[str] = ..., content: _Optional[_Union[_content_pb2.Content, _Mapping]] = ..., channel_content: _Optional[_Union[_content_pb2.ChannelContent, _Mapping]] = ..., options: _Optional[_Union[_content_pb2.ChannelOptions, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., reply_to: _Optional[str] = ..., adaptation_mode: _Optional[_Union[_content_pb2.AdaptationMode, str]] = ..., fallbacks: _Optional[_Iterable[_Union[Fallback, _Mapping]]] = ..., fallback_success_status: _Optional[_Union[_common_pb2.MessageStatus, str]] = ..., fallback_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetMessageRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListMessagesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "filter")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    filter: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ...) -> None: ...

class ListMessagesResponse(_message.Message):
    __slots__ = ("messages", "next_page_token", "cursor")
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    next_page_token: str
    cursor: str
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., cursor: _Optional[str] = ...) -> None: ...

class CancelMessageRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class StreamStart(_message.Message):
    __slots__ = ("cursor", "time", "oldest", "now")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    OLDEST_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    time: _timestamp_pb2.Timestamp
    oldest: bool
    now: bool
    def __init__(self, cursor: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., oldest: _Optional[bool] = ..., now: _Optional[bool] = ...) -> None: ...

class Checkpoint(_message.Message):
    __slots__ = ("cursor", "time")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, cursor: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MessageEventFilter(_message.Message):
    __slots__ = ("channels", "identity", "recipient", "statuses", "message", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedScalarFieldContainer[_common_pb2.Channel]
    identity: str
    recipient: str
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.MessageStatus]
    message: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, channels: _Optional[_Iterable[_Union[_common_pb2.Channel, str]]] = ..., identity: _Optional[str] = ..., recipient: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.MessageStatus, str]]] = ..., message: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class StreamMessageEventsRequest(_message.Message):
    __slots__ = ("parent", "filter", "start")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    parent: str
    filter: MessageEventFilter
    start: StreamStart
    def __init__(self, parent: _Optional[str] = ..., filter: _Optional[_Union[MessageEventFilter, _Mapping]] = ..., start: _Optional[_Union[StreamStart, _Mapping]] = ...) -> None: ...

class MessageEvent(_message.Message):
    __slots__ = ("event_id", "cursor", "sequence", "event_time", "message", "status", "error", "provider_code", "channel", "identity", "recipient", "metadata", "provider_message_ids", "channel_attempt")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_MESSAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    cursor: str
    sequence: int
    event_time: _timestamp_pb2.Timestamp
    message: str
    status: _common_pb2.MessageStatus
    error: _common_pb2.MessageError
    provider_code: str
    channel: _common_pb2.Channel
    identity: str
    recipient: str
    metadata: _containers.ScalarMap[str, str]
    provider_message_ids: _containers.RepeatedScalarFieldContainer[str]
    channel_attempt: int
    def __init__(self, event_id: _Optional[str] = ..., cursor: _Optional[str] = ..., sequence: _Optional[int] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.MessageStatus, str]] = ..., error: _Optional[_Union[_common_pb2.MessageError, _Mapping]] = ..., provider_code: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., identity: _Optional[str] = ..., recipient: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., provider_message_ids: _Optional[_Iterable[str]] = ..., channel_attempt: _Optional[int] = ...) -> None: ...

class StreamMessageEventsResponse(_message.Message):
    __slots__ = ("event", "checkpoint")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    event: MessageEvent
    checkpoint: Checkpoint
    def __init__(self, event: _Optional[_Union[MessageEvent, _Mapping]] = ..., checkpoint: _Optional[_Union[Checkpoint, _Mapping]] = ...) -> None: ...

class InboundMessageFilter(_message.Message):
    __slots__ = ("channels", "identity", "sender", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedScalarFieldContainer[_common_pb2.Channel]
    identity: str
    sender: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, channels: _Optional[_Iterable[_Union[_common_pb2.Channel, str]]] = ..., identity: _Optional[str] = ..., sender: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class StreamInboundMessagesRequest(_message.Message):
    __slots__ = ("parent", "filter", "start")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    parent: str
    filter: InboundMessageFilter
    start: StreamStart
    def __init__(self, parent: _Optional[str] = ..., filter: _Optional[_Union[InboundMessageFilter, _Mapping]] = ..., start: _Optional[_Union[StreamStart, _Mapping]] = ...) -> None: ...

class InboundMessageEvent(_message.Message):
    __slots__ = ("event_id", "cursor", "sequence", "event_time", "message")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    cursor: str
    sequence: int
    event_time: _timestamp_pb2.Timestamp
    message: Message
    def __init__(self, event_id: _Optional[str] = ..., cursor: _Optional[str] = ..., sequence: _Optional[int] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[_Union[Message, _Mapping]] = ...) -> None: ...

class StreamInboundMessagesResponse(_message.Message):
    __slots__ = ("inbound", "checkpoint")
    INBOUND_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    inbound: InboundMessageEvent
    checkpoint: Checkpoint
    def __init__(self, inbound: _Optional[_Union[InboundMessageEvent, _Mapping]] = ..., checkpoint: _Optional[_Union[Checkpoint, _Mapping]] = ...) -> None: ...
