"""Dialog state <-> plain JSON, with an allow-list of the classes that may come back.

botbuilder keeps objects in conversation state (DialogState, DialogInstance, PromptOptions
holding Activities, Choices, enums). Its Azure storages persist them with jsonpickle,
which records a Python import path in the data and re-imports whatever the data names:
anyone able to write a row could make the bot instantiate arbitrary classes. We store
plain JSON instead and only ever rebuild classes registered here.

Encoding: JSON scalars, lists and string-keyed dicts are stored as themselves. Anything
else becomes a small tagged object `{"$t": NAME, ...}`:
  - registered classes  {"$t": "DialogInstance", "$o": {attribute: value, ...}}
  - registered enums    {"$t": "ListStyle", "$e": "suggested_action"}
  - datetime/date/time  {"$t": "datetime", "$s": "2026-11-21T23:40:00+00:00"}
  - tuple/set/bytes     {"$t": "tuple", "$l": [...]}, {"$t": "bytes", "$s": base64}
  - dicts that are not plain (a "$t"/"$enc" key, or non-string keys) {"$t": "dict", "$i": [[k, v], ...]}

Restoring a registered class bypasses __init__ and sets the saved attributes, which is
how the state looked when it was saved. An unregistered class raises TypeError at write
time, loudly, rather than being stored in a form that cannot be read back.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
from datetime import date, datetime, time
from typing import Any

TAG = "$t"
ENCRYPTED = "$enc"  # bot.persistence.storage wraps encrypted state as {"$enc": token}
_RESERVED_KEYS = frozenset((TAG, ENCRYPTED))

_classes: dict[str, type] = {}


def register_state_type(cls: type, name: str | None = None) -> type:
    """Allow instances of `cls` (a class or Enum) in stored state. Usable as a decorator.

    Dialog code that keeps its own objects in state (e.g. a dataclass of answers) must
    register them once at import time; plain dicts and lists need nothing.
    """
    name = name or cls.__qualname__
    known = _classes.get(name)
    if known is not None and known is not cls:
        raise ValueError(f"state type name {name!r} is already used by {known.__module__}.{known.__qualname__}")
    _classes[name] = cls
    cls.__state_name__ = name
    return cls


def _name_of(cls: type) -> str | None:
    name = cls.__dict__.get("__state_name__")
    return name if name is not None and _classes.get(name) is cls else None


def encode(value: Any) -> Any:
    """`value` as JSON-compatible data (raises TypeError for an unregistered class)."""
    if isinstance(value, enum.Enum):  # before str/int: many botbuilder enums subclass str
        name = _name_of(type(value))
        if name is None:
            raise TypeError(
                f"cannot store enum {type(value).__qualname__}: register it with bot.persistence.state_codec.register_state_type"
            )
        return {TAG: name, "$e": encode(value.value)}
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if not (value.keys() & _RESERVED_KEYS) and all(isinstance(key, str) for key in value):
            return {key: encode(item) for key, item in value.items()}
        return {TAG: "dict", "$i": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, datetime):
        return {TAG: "datetime", "$s": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "$s": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "time", "$s": value.isoformat()}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return {TAG: "tuple", "$l": [encode(item) for item in value]}
    if isinstance(value, (set, frozenset)):
        return {TAG: type(value).__name__, "$l": [encode(item) for item in value]}
    if isinstance(value, (bytes, bytearray)):
        return {TAG: "bytes", "$s": base64.b64encode(bytes(value)).decode("ascii")}
    name = _name_of(type(value))
    if name is None:
        raise TypeError(
            f"cannot store {type(value).__module__}.{type(value).__qualname__} in bot state: "
            "register it with bot.persistence.state_codec.register_state_type, or store a plain dict"
        )
    if dataclasses.is_dataclass(value) and hasattr(value, "__slots__") and not hasattr(value, "__dict__"):
        attributes = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    else:
        attributes = vars(value)
    return {TAG: name, "$o": {key: encode(item) for key, item in attributes.items()}}


_SIMPLE = {
    "datetime": lambda data: datetime.fromisoformat(data["$s"]),
    "date": lambda data: date.fromisoformat(data["$s"]),
    "time": lambda data: time.fromisoformat(data["$s"]),
    "bytes": lambda data: base64.b64decode(data["$s"]),
    "tuple": lambda data: tuple(decode(item) for item in data["$l"]),
    "set": lambda data: {decode(item) for item in data["$l"]},
    "frozenset": lambda data: frozenset(decode(item) for item in data["$l"]),
    "dict": lambda data: {decode(key): decode(item) for key, item in data["$i"]},
}


def decode(data: Any) -> Any:
    """The inverse of `encode`; only registered classes are ever instantiated."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    tag = data.get(TAG)
    if tag is None:
        return {key: decode(item) for key, item in data.items()}
    simple = _SIMPLE.get(tag)
    if simple is not None:
        return simple(data)
    cls = _classes.get(tag)
    if cls is None:
        raise ValueError(f"stored state names an unknown type {tag!r}; it was not restored")
    if "$e" in data:
        return cls(decode(data["$e"]))
    obj = cls.__new__(cls)
    attributes = {key: decode(item) for key, item in data["$o"].items()}
    if hasattr(obj, "__dict__"):
        obj.__dict__.update(attributes)
    else:  # slotted dataclass
        for key, item in attributes.items():
            object.__setattr__(obj, key, item)
    return obj


def _register_botbuilder_types() -> None:
    """Everything botbuilder itself puts into dialog and conversation state."""
    from botbuilder.core import StoreItem
    from botbuilder.core.serializer_helper import DEPENDICIES_DICT  # every botbuilder.schema model and enum
    from botbuilder.dialogs import DialogInstance, DialogReason, DialogState, DialogTurnStatus
    from botbuilder.dialogs.choices import (
        Choice,
        ChoiceFactoryOptions,
        FindChoicesOptions,
        FindValuesOptions,
        FoundChoice,
        FoundValue,
        ListStyle,
        ModelResult,
        SortedValue,
        Token,
    )
    from botbuilder.dialogs.prompts import DateTimeResolution, PromptOptions

    for name, cls in DEPENDICIES_DICT.items():
        register_state_type(cls, name)
    for cls in (
        StoreItem,
        DialogInstance,
        DialogState,
        DialogReason,
        DialogTurnStatus,
        Choice,
        ChoiceFactoryOptions,
        FindChoicesOptions,
        FindValuesOptions,
        FoundChoice,
        FoundValue,
        ListStyle,
        ModelResult,
        SortedValue,
        Token,
        DateTimeResolution,
        PromptOptions,
    ):
        register_state_type(cls)


_register_botbuilder_types()
