"""Frozen dataclasses that are cheap to build: an ``__init__`` that sets the slots directly."""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, TypeVar

__all__ = ["slot_setting_init"]

_Slotted = TypeVar("_Slotted")


def slot_setting_init(cls: type[_Slotted]) -> type[_Slotted]:
    """Give a frozen slots dataclass an ``__init__`` that sets its slots directly.

    The generated one assigns each field through ``object.__setattr__`` (to get past the frozen
    ``__setattr__``), which costs twice what the slot's own setter does; a parse builds two
    such objects per response. Same signature and defaults; assignment stays refused.

    Examples:
        >>> from dataclasses import FrozenInstanceError, dataclass
        >>> @slot_setting_init
        ... @dataclass(frozen=True, slots=True)
        ... class Point:
        ...     x: int
        ...     y: int = 0
        >>> Point(1)
        Point(x=1, y=0)
        >>> try:
        ...     Point(1).x = 2
        ... except FrozenInstanceError:
        ...     print("frozen")
        frozen
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__, which this __init__ would not call")
    params, lines = [], []
    namespace: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]  # a dataclass: applied over @dataclass
        if f.default_factory is not MISSING or not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain positional fields are supported")
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        lines.append(f"    _set_{f.name}(self, {f.name})")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(lines), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
