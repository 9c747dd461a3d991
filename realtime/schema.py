"""Shapes of event payloads: a few checkers, small enough to read at a glance.

An app declares each event's payload with them (``<app>/events.py``); ``realtime.events`` checks
every published payload against its shape in tests and under DEBUG, so a payload that drifts
from what docs/protocol.md says fails the test that sent it, not a screen in the room. In the
manner of Zulip's ``zerver/lib/event_schema.py``, kept in-house: objects are strict (a key the
shape does not name is an error), so a new field is declared where the event is.

    obj(poll_id=int, voted=int, partial=optional(dict_of(NUMBER)))

Plain ``int``, ``str``, ``bool`` and ``dict`` literals stand for ``Type(int)`` … ``obj(**dict)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ShapeMismatch(ValueError):
    """A payload that is not of its declared shape; the message names the path."""


class Shape:
    def check(self, value: Any, path: str = "data") -> None:
        raise NotImplementedError


def shape(spec: Any) -> Shape:
    """``int`` / ``str`` / ``bool`` / ``float`` / a dict of fields / a Shape, as a Shape."""
    if isinstance(spec, Shape):
        return spec
    if spec in (int, str, bool):
        return Type(spec)
    if spec is float:
        return NUMBER
    if isinstance(spec, Mapping):
        return Obj(spec)
    raise TypeError(f"not a shape: {spec!r}")


class Type(Shape):
    def __init__(self, *types: type) -> None:
        self.types = types

    def check(self, value: Any, path: str = "data") -> None:
        # JSON has no bool among its numbers: True is not a count.
        if isinstance(value, bool) and bool not in self.types:
            raise ShapeMismatch(f"{path}: {value!r} is a boolean")
        if not isinstance(value, self.types):
            names = " or ".join(t.__name__ for t in self.types)
            raise ShapeMismatch(f"{path}: {value!r} is not {names}")


NUMBER = Type(int, float)


class Any_(Shape):
    """Anything JSON can carry (a value whose inner form belongs to someone else)."""

    def check(self, value: Any, path: str = "data") -> None:
        return None


ANY = Any_()


class Nullable(Shape):
    def __init__(self, inner: Any) -> None:
        self.inner = shape(inner)

    def check(self, value: Any, path: str = "data") -> None:
        if value is not None:
            self.inner.check(value, path)


def nullable(inner: Any) -> Shape:
    return Nullable(inner)


class Choice(Shape):
    """One of a few fixed strings (a status, a kind)."""

    def __init__(self, *values: str) -> None:
        self.values = frozenset(values)

    def check(self, value: Any, path: str = "data") -> None:
        if value not in self.values:
            raise ShapeMismatch(f"{path}: {value!r} is not one of {sorted(self.values)}")


def one_of(*values: str) -> Shape:
    return Choice(*values)


class ListOf(Shape):
    def __init__(self, item: Any) -> None:
        self.item = shape(item)

    def check(self, value: Any, path: str = "data") -> None:
        if not isinstance(value, list):
            raise ShapeMismatch(f"{path}: {value!r} is not a list")
        for index, item in enumerate(value):
            self.item.check(item, f"{path}[{index}]")


def list_of(item: Any) -> Shape:
    return ListOf(item)


class DictOf(Shape):
    """A mapping with keys of its own making (counts per choice): string keys, one value shape."""

    def __init__(self, value: Any) -> None:
        self.value = shape(value)

    def check(self, value: Any, path: str = "data") -> None:
        if not isinstance(value, dict):
            raise ShapeMismatch(f"{path}: {value!r} is not an object")
        for key, item in value.items():
            if not isinstance(key, str):
                raise ShapeMismatch(f"{path}: key {key!r} is not a string")
            self.value.check(item, f"{path}.{key}")


def dict_of(value: Any) -> Shape:
    return DictOf(value)


class Optional(Shape):
    """Marks a field of an object that may be left out (present, it must be of the shape)."""

    def __init__(self, inner: Any) -> None:
        self.inner = shape(inner)

    def check(self, value: Any, path: str = "data") -> None:
        self.inner.check(value, path)


def optional(inner: Any) -> Shape:
    return Optional(inner)


class Obj(Shape):
    """An object with named fields: each required unless ``optional``; no others."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = {name: shape(spec) for name, spec in fields.items()}
        self.required = frozenset(
            name for name, spec in self.fields.items() if not isinstance(spec, Optional)
        )

    def check(self, value: Any, path: str = "data") -> None:
        if not isinstance(value, dict):
            raise ShapeMismatch(f"{path}: {value!r} is not an object")
        missing = sorted(self.required - value.keys())
        if missing:
            raise ShapeMismatch(f"{path}: missing {', '.join(missing)}")
        unknown = sorted(value.keys() - self.fields.keys())
        if unknown:
            raise ShapeMismatch(f"{path}: undeclared {', '.join(map(str, unknown))}")
        for name, item in value.items():
            self.fields[name].check(item, f"{path}.{name}")


def obj(**fields: Any) -> Obj:
    return Obj(fields)


EMPTY = obj()
