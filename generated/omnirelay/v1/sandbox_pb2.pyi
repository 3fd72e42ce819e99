from omnirelay.v1 import content_pb2 as _content_pb2
from omnirelay.v1 import messaging_pb2 as _messaging_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InjectInboundMessageRequest(_message.Message):
    __slots__ = ("identity", "sender", "content", "reply_to")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_FIELD_NUMBER: _ClassVar[int]
    identity: str
    sender: str
    content: _content_pb2.Content
    reply_to: str
    def __init__(self, identity: _Optional[str] = ..., sender: _Optional[str] = ..., content: _Optional[_Union[_content_pb2.Content, _Mapping]] = ..., reply_to: _Optional[str] = ...) -> None: ...
