"""Lazy package faces: each public name is imported from its module on first use.

The same pattern as langchain-core's ``_dynamic_imports``: a package lists where its names live,
and importing the package costs nothing until a name is used, so ``import langchain_vs`` pulls
in neither a provider SDK nor LangGraph, numpy or onnxruntime.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names live in its modules.

    Args:
        package: The package's ``__name__``.
        homes: Each public name to the module (relative to ``package``) that defines it.
        namespace: The package's ``globals()``: a name, once imported, is stored there so the
            next access is a plain lookup.
    """

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return list(namespace.get("__all__", homes))

    return __getattr__, __dir__
