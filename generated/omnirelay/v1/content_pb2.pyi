import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MediaKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEDIA_KIND_UNSPECIFIED: _ClassVar[MediaKind]
    MEDIA_KIND_IMAGE: _ClassVar[MediaKind]
    MEDIA_KIND_AUDIO: _ClassVar[MediaKind]
    MEDIA_KIND_VIDEO: _ClassVar[MediaKind]
    MEDIA_KIND_FILE: _ClassVar[MediaKind]

class ChoiceStyle(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHOICE_STYLE_UNSPECIFIED: _ClassVar[ChoiceStyle]
    CHOICE_STYLE_BUTTONS: _ClassVar[ChoiceStyle]
    CHOICE_STYLE_QUICK_REPLIES: _ClassVar[ChoiceStyle]
    CHOICE_STYLE_SUGGESTIONS: _ClassVar[ChoiceStyle]

class AdaptationMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADAPTATION_MODE_UNSPECIFIED: _ClassVar[AdaptationMode]
    ADAPTATION_MODE_STRICT: _ClassVar[AdaptationMode]
    ADAPTATION_MODE_ADAPT: _ClassVar[AdaptationMode]
MEDIA_KIND_UNSPECIFIED: MediaKind
MEDIA_KIND_IMAGE: MediaKind
MEDIA_KIND_AUDIO: MediaKind
MEDIA_KIND_VIDEO: MediaKind
MEDIA_KIND_FILE: MediaKind
CHOICE_STYLE_UNSPECIFIED: ChoiceStyle
CHOICE_STYLE_BUTTONS: ChoiceStyle
CHOICE_STYLE_QUICK_REPLIES: ChoiceStyle
CHOICE_STYLE_SUGGESTIONS: ChoiceStyle
ADAPTATION_MODE_UNSPECIFIED: AdaptationMode
ADAPTATION_MODE_STRICT: AdaptationMode
ADAPTATION_MODE_ADAPT: AdaptationMode

class Content(_message.Message):
    __slots__ = ("text", "media", "location", "contact", "template", "choice", "list", "card", "carousel", "product", "choice_reply")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    CHOICE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    CARD_FIELD_NUMBER: _ClassVar[int]
    CAROUSEL_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    CHOICE_REPLY_FIELD_NUMBER: _ClassVar[int]
    text: Text
    media: Media
    location: Location
    contact: ContactCard
    template: Template
    choice: Choice
    list: ListPicker
    card: Card
    carousel: Carousel
    product: Product
    choice_reply: ChoiceReply
    def __init__(self, text: _Optional[_Union[Text, _Mapping]] = ..., media: _Optional[_Union[Media, _Mapping]] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., contact: _Optional[_Union[ContactCard, _Mapping]] = ..., template: _Optional[_Union[Template, _Mapping]] = ..., choice: _Optional[_Union[Choice, _Mapping]] = ..., list: _Optional[_Union[ListPicker, _Mapping]] = ..., card: _Optional[_Union[Card, _Mapping]] = ..., carousel: _Optional[_Union[Carousel, _Mapping]] = ..., product: _Optional[_Union[Product, _Mapping]] = ..., choice_reply: _Optional[_Union[ChoiceReply, _Mapping]] = ...) -> None: ...

class Text(_message.Message):
    __slots__ = ("body", "preview_url")
    BODY_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_URL_FIELD_NUMBER: _ClassVar[int]
    body: str
    preview_url: bool
    def __init__(self, body: _Optional[str] = ..., preview_url: _Optional[bool] = ...) -> None: ...

class Media(_message.Message):
    __slots__ = ("kind", "url", "mime_type", "caption", "filename", "size_bytes", "expire_time")
    KIND_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPTION_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    kind: MediaKind
    url: str
    mime_type: str
    caption: str
    filename: str
    size_bytes: int
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[MediaKind, str]] = ..., url: _Optional[str] = ..., mime_type: _Optional[str] = ..., caption: _Optional[str] = ..., filename: _Optional[str] = ..., size_bytes: _Optional[int] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("latitude", "longitude", "name", "address")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    name: str
    address: str
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., name: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class ContactCard(_message.Message):
    __slots__ = ("formatted_name", "first_name", "last_name", "phone_numbers", "emails", "organization", "urls")
    FORMATTED_NAME_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    URLS_FIELD_NUMBER: _ClassVar[int]
    formatted_name: str
    first_name: str
    last_name: str
    phone_numbers: _containers.RepeatedScalarFieldContainer[str]
    emails: _containers.RepeatedScalarFieldContainer[str]
    organization: str
    urls: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, formatted_name: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., phone_numbers: _Optional[_Iterable[str]] = ..., emails: _Optional[_Iterable[str]] = ..., organization: _Optional[str] = ..., urls: _Optional[_Iterable[str]] = ...) -> None: ...

class Template(_message.Message):
    __slots__ = ("name", "language", "body_parameters", "header_media", "header_parameters", "button_parameters")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    BODY_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    HEADER_MEDIA_FIELD_NUMBER: _ClassVar[int]
    HEADER_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    BUTTON_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    language: str
    body_parameters: _containers.RepeatedScalarFieldContainer[str]
    header_media: Media
    header_parameters: _containers.RepeatedScalarFieldContainer[str]
    button_parameters: _containers.RepeatedCompositeFieldContainer[TemplateButtonParameter]
    def __init__(self, name: _Optional[str] = ..., language: _Optional[str] = ..., body_parameters: _Optional[_Iterable[str]] = ..., header_media: _Optional[_Union[Media, _Mapping]] = ..., header_parameters: _Optional[_Iterable[str]] = ..., button_parameters: _Optional[_Iterable[_Union[TemplateButtonParameter, _Mapping]]] = ...) -> None: ...

class TemplateButtonParameter(_message.Message):
    __slots__ = ("index", "value")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    index: int
    value: str
    def __init__(self, index: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...

class Action(_message.Message):
    __slots__ = ("text", "postback_data", "reply", "open_url", "dial", "share_location")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    POSTBACK_DATA_FIELD_NUMBER: _ClassVar[int]
    REPLY_FIELD_NUMBER: _ClassVar[int]
    OPEN_URL_FIELD_NUMBER: _ClassVar[int]
    DIAL_FIELD_NUMBER: _ClassVar[int]
    SHARE_LOCATION_FIELD_NUMBER: _ClassVar[int]
    text: str
    postback_data: str
    reply: Reply
    open_url: OpenUrl
    dial: Dial
    share_location: ShareLocation
    def __init__(self, text: _Optional[str] = ..., postback_data: _Optional[str] = ..., reply: _Optional[_Union[Reply, _Mapping]] = ..., open_url: _Optional[_Union[OpenUrl, _Mapping]] = ..., dial: _Optional[_Union[Dial, _Mapping]] = ..., share_location: _Optional[_Union[ShareLocation, _Mapping]] = ...) -> None: ...

class Reply(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OpenUrl(_message.Message):
    __slots__ = ("url",)
    URL_FIELD_NUMBER: _ClassVar[int]
    url: str
    def __init__(self, url: _Optional[str] = ...) -> None: ...

class Dial(_message.Message):
    __slots__ = ("phone_number",)
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    phone_number: str
    def __init__(self, phone_number: _Optional[str] = ...) -> None: ...

class ShareLocation(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Choice(_message.Message):
    __slots__ = ("text", "actions", "style")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    text: str
    actions: _containers.RepeatedCompositeFieldContainer[Action]
    style: ChoiceStyle
    def __init__(self, text: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[Action, _Mapping]]] = ..., style: _Optional[_Union[ChoiceStyle, str]] = ...) -> None: ...

class ListPicker(_message.Message):
    __slots__ = ("title", "text", "button_text", "sections")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    BUTTON_TEXT_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    title: str
    text: str
    button_text: str
    sections: _containers.RepeatedCompositeFieldContainer[ListSection]
    def __init__(self, title: _Optional[str] = ..., text: _Optional[str] = ..., button_text: _Optional[str] = ..., sections: _Optional[_Iterable[_Union[ListSection, _Mapping]]] = ...) -> None: ...

class ListSection(_message.Message):
    __slots__ = ("title", "rows")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    title: str
    rows: _containers.RepeatedCompositeFieldContainer[ListRow]
    def __init__(self, title: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[ListRow, _Mapping]]] = ...) -> None: ...

class ListRow(_message.Message):
    __slots__ = ("id", "title", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    description: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class Card(_message.Message):
    __slots__ = ("title", "description", "media", "actions")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    title: str
    description: str
    media: Media
    actions: _containers.RepeatedCompositeFieldContainer[Action]
    def __init__(self, title: _Optional[str] = ..., description: _Optional[str] = ..., media: _Optional[_Union[Media, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[Action, _Mapping]]] = ...) -> None: ...

class Carousel(_message.Message):
    __slots__ = ("cards",)
    CARDS_FIELD_NUMBER: _ClassVar[int]
    cards: _containers.RepeatedCompositeFieldContainer[Card]
    def __init__(self, cards: _Optional[_Iterable[_Union[Card, _Mapping]]] = ...) -> None: ...

class Product(_message.Message):
    __slots__ = ("catalog_id", "product_ids", "text")
    CATALOG_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    catalog_id: str
    product_ids: _containers.RepeatedScalarFieldContainer[str]
    text: str
    def __init__(self, catalog_id: _Optional[str] = ..., product_ids: _Optional[_Iterable[str]] = ..., text: _Optional[str] = ...) -> None: ...

class ChoiceReply(_message.Message):
    __slots__ = ("postback_data", "text")
    POSTBACK_DATA_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    postback_data: str
    text: str
    def __init__(self, postback_data: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class ChannelContent(_message.Message):
    __slots__ = ("sms", "mms", "whatsapp", "rcs", "apple", "push", "messenger")
    SMS_FIELD_NUMBER: _ClassVar[int]
    MMS_FIELD_NUMBER: _ClassVar[int]
    WHATSAPP_FIELD_NUMBER: _ClassVar[int]
    RCS_FIELD_NUMBER: _ClassVar[int]
    APPLE_FIELD_NUMBER: _ClassVar[int]
    PUSH_FIELD_NUMBER: _ClassVar[int]
    MESSENGER_FIELD_NUMBER: _ClassVar[int]
    sms: SmsContent
    mms: MmsContent
    whatsapp: WhatsAppContent
    rcs: RcsContent
    apple: AppleContent
    push: PushContent
    messenger: MessengerContent
    def __init__(self, sms: _Optional[_Union[SmsContent, _Mapping]] = ..., mms: _Optional[_Union[MmsContent, _Mapping]] = ..., whatsapp: _Optional[_Union[WhatsAppContent, _Mapping]] = ..., rcs: _Optional[_Union[RcsContent, _Mapping]] = ..., apple: _Optional[_Union[AppleContent, _Mapping]] = ..., push: _Optional[_Union[PushContent, _Mapping]] = ..., messenger: _Optional[_Union[MessengerContent, _Mapping]] = ...) -> None: ...

class SmsContent(_message.Message):
    __slots__ = ("text", "flash")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FLASH_FIELD_NUMBER: _ClassVar[int]
    text: str
    flash: bool
    def __init__(self, text: _Optional[str] = ..., flash: _Optional[bool] = ...) -> None: ...

class MmsContent(_message.Message):
    __slots__ = ("subject", "text", "media")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    subject: str
    text: str
    media: _containers.RepeatedCompositeFieldContainer[Media]
    def __init__(self, subject: _Optional[str] = ..., text: _Optional[str] = ..., media: _Optional[_Iterable[_Union[Media, _Mapping]]] = ...) -> None: ...

class WhatsAppContent(_message.Message):
    __slots__ = ("sticker", "reaction", "custom")
    STICKER_FIELD_NUMBER: _ClassVar[int]
    REACTION_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    sticker: Media
    reaction: Reaction
    custom: _struct_pb2.Struct
    def __init__(self, sticker: _Optional[_Union[Media, _Mapping]] = ..., reaction: _Optional[_Union[Reaction, _Mapping]] = ..., custom: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Reaction(_message.Message):
    __slots__ = ("provider_message_id", "emoji")
    PROVIDER_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EMOJI_FIELD_NUMBER: _ClassVar[int]
    provider_message_id: str
    emoji: str
    def __init__(self, provider_message_id: _Optional[str] = ..., emoji: _Optional[str] = ...) -> None: ...

class RcsContent(_message.Message):
    __slots__ = ("custom",)
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    custom: _struct_pb2.Struct
    def __init__(self, custom: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AppleContent(_message.Message):
    __slots__ = ("custom",)
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    custom: _struct_pb2.Struct
    def __init__(self, custom: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class PushContent(_message.Message):
    __slots__ = ("data",)
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.ScalarMap[str, str]
    def __init__(self, data: _Optional[_Mapping[str, str]] = ...) -> None: ...

class MessengerContent(_message.Message):
    __slots__ = ("custom",)
    CUSTOM_FIELD_NUMBER: _ClassVar[int]
    custom: _struct_pb2.Struct
    def __init__(self, custom: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ChannelOptions(_message.Message):
    __slots__ = ("sms", "push", "messenger", "mms")
    SMS_FIELD_NUMBER: _ClassVar[int]
    PUSH_FIELD_NUMBER: _ClassVar[int]
    MESSENGER_FIELD_NUMBER: _ClassVar[int]
    MMS_FIELD_NUMBER: _ClassVar[int]
    sms: SmsOptions
    push: PushOptions
    messenger: MessengerOptions
    mms: MmsOptions
    def __init__(self, sms: _Optional[_Union[SmsOptions, _Mapping]] = ..., push: _Optional[_Union[PushOptions, _Mapping]] = ..., messenger: _Optional[_Union[MessengerOptions, _Mapping]] = ..., mms: _Optional[_Union[MmsOptions, _Mapping]] = ...) -> None: ...

class SmsOptions(_message.Message):
    __slots__ = ("validity_period",)
    VALIDITY_PERIOD_FIELD_NUMBER: _ClassVar[int]
    validity_period: _duration_pb2.Duration
    def __init__(self, validity_period: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class PushOptions(_message.Message):
    __slots__ = ("title", "badge", "sound", "ttl", "data")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BADGE_FIELD_NUMBER: _ClassVar[int]
    SOUND_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    title: str
    badge: int
    sound: str
    ttl: _duration_pb2.Duration
    data: _containers.ScalarMap[str, str]
    def __init__(self, title: _Optional[str] = ..., badge: _Optional[int] = ..., sound: _Optional[str] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., data: _Optional[_Mapping[str, str]] = ...) -> None: ...

class MmsOptions(_message.Message):
    __slots__ = ("carrier",)
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    def __init__(self, carrier: _Optional[str] = ...) -> None: ...

class MessengerOptions(_message.Message):
    __slots__ = ("tag",)
    TAG_FIELD_NUMBER: _ClassVar[int]
    tag: str
    def __init__(self, tag: _Optional[str] = ...) -> None: ...
