from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]
    CHANNEL_MMS: _ClassVar[Channel]
    CHANNEL_RCS: _ClassVar[Channel]
    CHANNEL_WHATSAPP: _ClassVar[Channel]
    CHANNEL_APPLE: _ClassVar[Channel]
    CHANNEL_PUSH: _ClassVar[Channel]
    CHANNEL_MESSENGER: _ClassVar[Channel]

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_OUTBOUND: _ClassVar[Direction]
    DIRECTION_INBOUND: _ClassVar[Direction]

class MessageStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_STATUS_UNSPECIFIED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_QUEUED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_SENDING: _ClassVar[MessageStatus]
    MESSAGE_STATUS_SENT: _ClassVar[MessageStatus]
    MESSAGE_STATUS_DELIVERED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_READ: _ClassVar[MessageStatus]
    MESSAGE_STATUS_FAILED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_UNDELIVERED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_EXPIRED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_CANCELED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_REJECTED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_RECEIVED: _ClassVar[MessageStatus]
    MESSAGE_STATUS_SWITCHING_CHANNEL: _ClassVar[MessageStatus]

class SmsEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_ENCODING_UNSPECIFIED: _ClassVar[SmsEncoding]
    SMS_ENCODING_GSM7: _ClassVar[SmsEncoding]
    SMS_ENCODING_UCS2: _ClassVar[SmsEncoding]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_SMS: Channel
CHANNEL_MMS: Channel
CHANNEL_RCS: Channel
CHANNEL_WHATSAPP: Channel
CHANNEL_APPLE: Channel
CHANNEL_PUSH: Channel
CHANNEL_MESSENGER: Channel
DIRECTION_UNSPECIFIED: Direction
DIRECTION_OUTBOUND: Direction
DIRECTION_INBOUND: Direction
MESSAGE_STATUS_UNSPECIFIED: MessageStatus
MESSAGE_STATUS_QUEUED: MessageStatus
MESSAGE_STATUS_SENDING: MessageStatus
MESSAGE_STATUS_SENT: MessageStatus
MESSAGE_STATUS_DELIVERED: MessageStatus
MESSAGE_STATUS_READ: MessageStatus
MESSAGE_STATUS_FAILED: MessageStatus
MESSAGE_STATUS_UNDELIVERED: MessageStatus
MESSAGE_STATUS_EXPIRED: MessageStatus
MESSAGE_STATUS_CANCELED: MessageStatus
MESSAGE_STATUS_REJECTED: MessageStatus
MESSAGE_STATUS_RECEIVED: MessageStatus
MESSAGE_STATUS_SWITCHING_CHANNEL: MessageStatus
SMS_ENCODING_UNSPECIFIED: SmsEncoding
SMS_ENCODING_GSM7: SmsEncoding
SMS_ENCODING_UCS2: SmsEncoding

class MessageError(_message.Message):
    __slots__ = ("code", "description", "permanent", "provider_code")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    description: str
    permanent: bool
    provider_code: str
    def __init__(self, code: _Optional[str] = ..., description: _Optional[str] = ..., permanent: _Optional[bool] = ..., provider_code: _Optional[str] = ...) -> None: ...
