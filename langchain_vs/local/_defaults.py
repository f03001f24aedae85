"""The local model's defaults that the command line needs too, without starting anything.

Kept apart from the server so that ``langchain-vs --help`` imports no HTTP client.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT_N_CTX", "N_CTX_ENV", "context_size"]

N_CTX_ENV = "LANGCHAIN_VS_N_CTX"
"""Environment variable with the local model's default context size in tokens."""
DEFAULT_N_CTX = 16384
"""The context size in tokens (shared by the server's 4 slots) when nothing says otherwise."""


def context_size(n_ctx: int | None = None) -> int:
    """The local server's context size: ``n_ctx``, else ``$LANGCHAIN_VS_N_CTX``, else the default.

    Examples:
        >>> context_size(2048)
        2048

    Raises:
        ValueError: The value is not a whole number of at least 1 (naming where it came from).
    """
    source: str
    value: object
    if n_ctx is not None:
        source, value = "n_ctx", n_ctx
    else:
        source, value = N_CTX_ENV, os.environ.get(N_CTX_ENV)
    if value is None:
        return DEFAULT_N_CTX
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size < 1 or isinstance(value, bool | float):
        raise ValueError(f"{source} must be a whole number of tokens, at least 1; got {value!r}")
    return size
