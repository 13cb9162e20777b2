"""A fast `item.metadata[key] = value` for plain data: the one module that touches OTIO's private bindings.

OTIO's own `metadata[key] = value` converts every value through isinstance checks against the abstract
collection types; for a feature-length timeline that is most of the assembly time. `set_metadata` converts
plain dicts, lists and scalars by their exact type instead (the same PyAny values, several times faster) and
hands anything else to OTIO's conversion. The names it needs are OTIO's Python binding internals: when they
are missing (another OTIO release), it falls back to the public assignment.
"""

from __future__ import annotations

from typing import Any

import opentimelineio as otio

try:
    from opentimelineio.core._core_utils import _value_to_any
except ImportError:  # another OTIO release: the public assignment below is used
    _value_to_any = None

_PyAny = getattr(otio._otio, "PyAny", None)
_dict_put = getattr(otio._otio.AnyDictionary, "__internal_setitem__", None)
_vector_insert = getattr(otio._otio.AnyVector, "__internal_insert", None)
_FAST_METADATA = None not in (_PyAny, _dict_put, _vector_insert, _value_to_any)
_SCALARS = (str, int, float, bool, type(None))


def _to_any(value: Any) -> Any:
    """A plain value as OTIO's PyAny (what `AnyDictionary.__setitem__` stores), by exact type."""
    kind = type(value)
    if kind in _SCALARS:
        return _PyAny(value)  # type: ignore[misc]
    if kind is dict:
        out = otio._otio.AnyDictionary()
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError(f"key '{key}' is not a string")
            _dict_put(out, key, _to_any(item))  # type: ignore[misc]
        return _PyAny(out)  # type: ignore[misc]
    if kind is list or kind is tuple:
        vector = otio._otio.AnyVector()
        for index, item in enumerate(value):
            _vector_insert(vector, index, _to_any(item))  # type: ignore[misc]
        return _PyAny(vector)  # type: ignore[misc]
    return _value_to_any(value)  # type: ignore[misc]


def set_metadata(item: Any, key: str, value: Any) -> None:
    """`item.metadata[key] = value`, converted quickly when `value` is plain data (dicts, lists, scalars)."""
    if _FAST_METADATA:
        try:
            converted = _to_any(value)
        except (RuntimeError, TypeError):  # e.g. an int beyond int64: let OTIO raise its own clear error
            converted = None
        if converted is not None:
            _dict_put(item.metadata, key, converted)  # type: ignore[misc]
            return
    item.metadata[key] = value


#: The types a metadata dictionary / list has once read back (OTIO's own, or plain): for fast isinstance checks.
DICT_TYPES: tuple[type, ...] = (otio._otio.AnyDictionary, dict)
LIST_TYPES: tuple[type, ...] = (otio._otio.AnyVector, list, tuple)
