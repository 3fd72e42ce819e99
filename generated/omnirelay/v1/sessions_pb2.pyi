import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from omnirelay.v1 import common_pb2 as _common_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetSessionWindowRequest(_message.Message):
    __slots__ = ("identity", "contact")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    identity: str
    contact: str
    def __init__(self, identity: _Optional[str] = ..., contact: _Optional[str] = ...) -> None: ...

class SessionWindow(_message.Message):
    __slots__ = ("identity", "contact", "channel", "window_applies", "open", "last_inbound_time", "expire_time")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_APPLIES_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    LAST_INBOUND_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    identity: str
    contact: str
    channel: _common_pb2.Channel
    window_applies: bool
    open: bool
    last_inbound_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, identity: _Optional[str] = ..., contact: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., window_applies: _Optional[bool] = ..., open: _Optional[bool] = ..., last_inbound_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
