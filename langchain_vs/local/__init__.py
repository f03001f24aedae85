"""The embedded default model, served by llama.cpp on 127.0.0.1.

SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible server, used through ``ChatOpenAI``;
and [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model], the one place a model given by
name becomes a chat model.
Imports nothing else of ``langchain_vs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.local._defaults import DEFAULT_N_CTX, N_CTX_ENV, context_size
    from langchain_vs.local._models import LOCAL_MODEL, resolve_chat_model
    from langchain_vs.local._server import (
        DEFAULT_MODEL_FILE,
        LocalModelError,
        LocalModelServer,
        default_chat_model,
        default_model_path,
        local_chat_model,
        remove_stale_logs,
        shared_server,
    )

_HOMES = {
    "DEFAULT_N_CTX": "_defaults",
    "context_size": "_defaults",
    "DEFAULT_MODEL_FILE": "_server",
    "LOCAL_MODEL": "_models",
    "LocalModelError": "_server",
    "LocalModelServer": "_server",
    "N_CTX_ENV": "_defaults",
    "default_chat_model": "_server",
    "default_model_path": "_server",
    "local_chat_model": "_server",
    "remove_stale_logs": "_server",
    "resolve_chat_model": "_models",
    "shared_server": "_server",
}

__all__ = [
    "DEFAULT_N_CTX",
    "context_size",
    "DEFAULT_MODEL_FILE",
    "LOCAL_MODEL",
    "LocalModelError",
    "LocalModelServer",
    "N_CTX_ENV",
    "default_chat_model",
    "default_model_path",
    "local_chat_model",
    "remove_stale_logs",
    "resolve_chat_model",
    "shared_server",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
