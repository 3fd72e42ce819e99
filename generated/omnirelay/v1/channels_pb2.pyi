import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from omnirelay.v1 import common_pb2 as _common_pb2
from omnirelay.v1 import content_pb2 as _content_pb2
from omnirelay.v1 import identities_pb2 as _identities_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTENT_TYPE_UNSPECIFIED: _ClassVar[ContentType]
    CONTENT_TYPE_TEXT: _ClassVar[ContentType]
    CONTENT_TYPE_IMAGE: _ClassVar[ContentType]
    CONTENT_TYPE_AUDIO: _ClassVar[ContentType]
    CONTENT_TYPE_VIDEO: _ClassVar[ContentType]
    CONTENT_TYPE_FILE: _ClassVar[ContentType]
    CONTENT_TYPE_LOCATION: _ClassVar[ContentType]
    CONTENT_TYPE_TEMPLATE: _ClassVar[ContentType]
    CONTENT_TYPE_BUTTONS: _ClassVar[ContentType]
    CONTENT_TYPE_CAROUSEL: _ClassVar[ContentType]
    CONTENT_TYPE_CONTACT: _ClassVar[ContentType]
CONTENT_TYPE_UNSPECIFIED: ContentType
CONTENT_TYPE_TEXT: ContentType
CONTENT_TYPE_IMAGE: ContentType
CONTENT_TYPE_AUDIO: ContentType
CONTENT_TYPE_VIDEO: ContentType
CONTENT_TYPE_FILE: ContentType
CONTENT_TYPE_LOCATION: ContentType
CONTENT_TYPE_TEMPLATE: ContentType
CONTENT_TYPE_BUTTONS: ContentType
CONTENT_TYPE_CAROUSEL: ContentType
CONTENT_TYPE_CONTACT: ContentType

class ListChannelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListChannelsResponse(_message.Message):
    __slots__ = ("channels",)
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    channels: _containers.RepeatedCompositeFieldContainer[ChannelCapabilities]
    def __init__(self, channels: _Optional[_Iterable[_Union[ChannelCapabilities, _Mapping]]] = ...) -> None: ...

class ChannelCapabilities(_message.Message):
    __slots__ = ("channel", "outbound", "inbound", "limits", "inbound_media_retention", "adapters")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_FIELD_NUMBER: _ClassVar[int]
    INBOUND_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    INBOUND_MEDIA_RETENTION_FIELD_NUMBER: _ClassVar[int]
    ADAPTERS_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    outbound: _containers.RepeatedScalarFieldContainer[ContentType]
    inbound: _containers.RepeatedScalarFieldContainer[ContentType]
    limits: ChannelLimits
    inbound_media_retention: _duration_pb2.Duration
    adapters: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., outbound: _Optional[_Iterable[_Union[ContentType, str]]] = ..., inbound: _Optional[_Iterable[_Union[ContentType, str]]] = ..., limits: _Optional[_Union[ChannelLimits, _Mapping]] = ..., inbound_media_retention: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., adapters: _Optional[_Iterable[str]] = ...) -> None: ...

class ChannelLimits(_message.Message):
    __slots__ = ("max_text_chars", "max_caption_chars", "max_buttons", "max_quick_replies", "max_suggestions", "max_action_chars", "max_list_rows", "max_list_row_chars", "max_card_actions", "min_carousel_cards", "max_carousel_cards", "max_card_title_chars", "max_payload_bytes", "max_segments", "media_size_limits", "recommended_media_bytes")
    MAX_TEXT_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_CAPTION_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_BUTTONS_FIELD_NUMBER: _ClassVar[int]
    MAX_QUICK_REPLIES_FIELD_NUMBER: _ClassVar[int]
    MAX_SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    MAX_ACTION_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_LIST_ROWS_FIELD_NUMBER: _ClassVar[int]
    MAX_LIST_ROW_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_CARD_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    MIN_CAROUSEL_CARDS_FIELD_NUMBER: _ClassVar[int]
    MAX_CAROUSEL_CARDS_FIELD_NUMBER: _ClassVar[int]
    MAX_CARD_TITLE_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_PAYLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_SIZE_LIMITS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_MEDIA_BYTES_FIELD_NUMBER: _ClassVar[int]
    max_text_chars: int
    max_caption_chars: int
    max_buttons: int
    max_quick_replies: int
    max_suggestions: int
    max_action_chars: int
    max_list_rows: int
    max_list_row_chars: int
    max_card_actions: int
    min_carousel_cards: int
    max_carousel_cards: int
    max_card_title_chars: int
    max_payload_bytes: int
    max_segments: int
    media_size_limits: _containers.RepeatedCompositeFieldContainer[MediaSizeLimit]
    recommended_media_bytes: int
    def __init__(self, max_text_chars: _Optional[int] = ..., max_caption_chars: _Optional[int] = ..., max_buttons: _Optional[int] = ..., max_quick_replies: _Optional[int] = ..., max_suggestions: _Optional[int] = ..., max_action_chars: _Optional[int] = ..., max_list_rows: _Optional[int] = ..., max_list_row_chars: _Optional[int] = ..., max_card_actions: _Optional[int] = ..., min_carousel_cards: _Optional[int] = ..., max_carousel_cards: _Optional[int] = ..., max_card_title_chars: _Optional[int] = ..., max_payload_bytes: _Optional[int] = ..., max_segments: _Optional[int] = ..., media_size_limits: _Optional[_Iterable[_Union[MediaSizeLimit, _Mapping]]] = ..., recommended_media_bytes: _Optional[int] = ...) -> None: ...

class MediaSizeLimit(_message.Message):
    __slots__ = ("carrier", "number_type", "max_bytes")
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    NUMBER_TYPE_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    number_type: _identities_pb2.NumberType
    max_bytes: int
    def __init__(self, carrier: _Optional[str] = ..., number_type: _Optional[_Union[_identities_pb2.NumberType, str]] = ..., max_bytes: _Optional[int] = ...) -> None: ...

class TranscodeMessageRequest(_message.Message):
    __slots__ = ("parent", "channels", "identity", "adapter", "recipient", "content", "channel_content", "options", "adaptation_mode", "number_type")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_CONTENT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    ADAPTATION_MODE_FIELD_NUMBER: _ClassVar[int]
    NUMBER_TYPE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    channels: _containers.RepeatedScalarFieldContainer[_common_pb2.Channel]
    identity: str
    adapter: str
    recipient: str
    content: _content_pb2.Content
    channel_content: _content_pb2.ChannelContent
    options: _content_pb2.ChannelOptions
    adaptation_mode: _content_pb2.AdaptationMode
    number_type: _identities_pb2.NumberType
    def __init__(self, parent: _Optional[str] = ..., channels: _Optional[_Iterable[_Union[_common_pb2.Channel, str]]] = ..., identity: _Optional[str] = ..., adapter: _Optional[str] = ..., recipient: _Optional[str] = ..., content: _Optional[_Union[_content_pb2.Content, _Mapping]] = ..., channel_content: _Optional[_Union[_content_pb2.ChannelContent, _Mapping]] = ..., options: _Optional[_Union[_content_pb2.ChannelOptions, _Mapping]] = ..., adaptation_mode: _Optional[_Union[_content_pb2.AdaptationMode, str]] = ..., number_type: _Optional[_Union[_identities_pb2.NumberType, str]] = ...) -> None: ...

class TranscodeMessageResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[TranscodeResult]
    def __init__(self, results: _Optional[_Iterable[_Union[TranscodeResult, _Mapping]]] = ...) -> None: ...

class TranscodeResult(_message.Message):
    __slots__ = ("channel", "adapter", "payloads", "content", "adaptations", "warnings", "sms_encoding", "segment_count", "error")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    PAYLOADS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ADAPTATIONS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    SMS_ENCODING_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    channel: _common_pb2.Channel
    adapter: str
    payloads: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    content: _content_pb2.Content
    adaptations: _containers.RepeatedScalarFieldContainer[str]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    sms_encoding: _common_pb2.SmsEncoding
    segment_count: int
    error: TranscodeError
    def __init__(self, channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., adapter: _Optional[str] = ..., payloads: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., content: _Optional[_Union[_content_pb2.Content, _Mapping]] = ..., adaptations: _Optional[_Iterable[str]] = ..., warnings: _Optional[_Iterable[str]] = ..., sms_encoding: _Optional[_Union[_common_pb2.SmsEncoding, str]] = ..., segment_count: _Optional[int] = ..., error: _Optional[_Union[TranscodeError, _Mapping]] = ...) -> None: ...

class TranscodeError(_message.Message):
    __slots__ = ("reason", "message", "field_violations")
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    reason: str
    message: str
    field_violations: _containers.RepeatedCompositeFieldContainer[TranscodeFieldViolation]
    def __init__(self, reason: _Optional[str] = ..., message: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[TranscodeFieldViolation, _Mapping]]] = ...) -> None: ...

class TranscodeFieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...
