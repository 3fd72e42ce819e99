import datetime

from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from omnirelay.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NumberType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NUMBER_TYPE_UNSPECIFIED: _ClassVar[NumberType]
    NUMBER_TYPE_LONG_CODE: _ClassVar[NumberType]
    NUMBER_TYPE_SHORT_CODE: _ClassVar[NumberType]
    NUMBER_TYPE_TOLL_FREE: _ClassVar[NumberType]
NUMBER_TYPE_UNSPECIFIED: NumberType
NUMBER_TYPE_LONG_CODE: NumberType
NUMBER_TYPE_SHORT_CODE: NumberType
NUMBER_TYPE_TOLL_FREE: NumberType

class ChannelIdentity(_message.Message):
    __slots__ = ("name", "channel", "address", "adapter", "display_name", "settings", "credentials", "credential_keys", "number_type", "create_time", "update_time", "webhook_url", "auth_error", "auth_error_time")
    class SettingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class CredentialsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_KEYS_FIELD_NUMBER: _ClassVar[int]
    NUMBER_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_URL_FIELD_NUMBER: _ClassVar[int]
    AUTH_ERROR_FIELD_NUMBER: _ClassVar[int]
    AUTH_ERROR_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    channel: _common_pb2.Channel
    address: str
    adapter: str
    display_name: str
    settings: _containers.ScalarMap[str, str]
    credentials: _containers.ScalarMap[str, str]
    credential_keys: _containers.RepeatedScalarFieldContainer[str]
    number_type: NumberType
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    webhook_url: str
    auth_error: _common_pb2.MessageError
    auth_error_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., address: _Optional[str] = ..., adapter: _Optional[str] = ..., display_name: _Optional[str] = ..., settings: _Optional[_Mapping[str, str]] = ..., credentials: _Optional[_Mapping[str, str]] = ..., credential_keys: _Optional[_Iterable[str]] = ..., number_type: _Optional[_Union[NumberType, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., webhook_url: _Optional[str] = ..., auth_error: _Optional[_Union[_common_pb2.MessageError, _Mapping]] = ..., auth_error_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateChannelIdentityRequest(_message.Message):
    __slots__ = ("parent", "channel_identity", "channel_identity_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_IDENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    channel_identity: ChannelIdentity
    channel_identity_id: str
    def __init__(self, parent: _Optional[str] = ..., channel_identity: _Optional[_Union[ChannelIdentity, _Mapping]] = ..., channel_identity_id: _Optional[str] = ...) -> None: ...

class GetChannelIdentityRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListChannelIdentitiesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListChannelIdentitiesResponse(_message.Message):
    __slots__ = ("channel_identities", "next_page_token")
    CHANNEL_IDENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    channel_identities: _containers.RepeatedCompositeFieldContainer[ChannelIdentity]
    next_page_token: str
    def __init__(self, channel_identities: _Optional[_Iterable[_Union[ChannelIdentity, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateChannelIdentityRequest(_message.Message):
    __slots__ = ("channel_identity", "update_mask")
    CHANNEL_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    channel_identity: ChannelIdentity
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, channel_identity: _Optional[_Union[ChannelIdentity, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteChannelIdentityRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...
