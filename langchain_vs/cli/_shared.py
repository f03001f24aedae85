"""What the commands share: the model and the embeddings named on the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

__all__ = ["add_model_arguments", "chat_model", "embeddings_for", "is_local"]


def add_model_arguments(command: argparse.ArgumentParser) -> None:
    """Add ``--model`` and ``--base-url`` to a command."""
    command.add_argument(
        "--model",
        default="local",
        help="'local' (the embedded llama.cpp model), 'provider:model' as LangChain's "
        "init_chat_model takes it ('openai:gpt-4.1-mini', 'anthropic:…', 'ollama:…'), or with "
        "--base-url the model name the endpoint serves",
    )
    command.add_argument(
        "--base-url",
        default=None,
        help="an OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama), e.g. "
        "http://127.0.0.1:8080/v1; its key from OPENAI_API_KEY, if it needs one",
    )


def chat_model(args: argparse.Namespace) -> BaseChatModel:
    """The chat model ``--model`` (and ``--base-url``) name, at ``--temperature``."""
    from langchain_vs.local import resolve_chat_model

    return resolve_chat_model(
        args.model, base_url=args.base_url, n_ctx=args.n_ctx, temperature=args.temperature
    )


def is_local(args: argparse.Namespace) -> bool:
    """Whether the command runs on the embedded model (so ``--n-ctx`` applies)."""
    from langchain_vs.local import LOCAL_MODEL

    return args.base_url is None and args.model.strip() == LOCAL_MODEL


def embeddings_for(choice: str) -> Embeddings:
    """The embeddings ``--embeddings`` names."""
    from langchain_vs.eval import HashedNgramEmbeddings, MiniLMEmbeddings, default_embeddings

    if choice == "minilm":
        return MiniLMEmbeddings()
    return HashedNgramEmbeddings() if choice == "hashed" else default_embeddings()
