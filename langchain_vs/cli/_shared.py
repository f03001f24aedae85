"""What the commands share: the model and the embeddings named on the command line."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

__all__ = ["chat_model", "embeddings_for"]


def chat_model(spec: str, temperature: float, n_ctx: int | None) -> BaseChatModel:
    """The chat model ``--model`` names."""
    if spec == "local":
        from langchain_vs.local import local_chat_model

        return local_chat_model(temperature=temperature, n_ctx=n_ctx)
    if spec.startswith("openai:") and len(spec) > len("openai:"):
        if not os.environ.get("OPENAI_API_KEY"):
            raise ValueError(f"--model {spec} needs OPENAI_API_KEY in the environment")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=spec.split(":", 1)[1], temperature=temperature)
    raise ValueError(f"unknown --model {spec!r}; use 'local' or 'openai:MODEL'")


def embeddings_for(choice: str) -> Embeddings:
    """The embeddings ``--embeddings`` names."""
    from langchain_vs.eval import HashedNgramEmbeddings, MiniLMEmbeddings, default_embeddings

    if choice == "minilm":
        return MiniLMEmbeddings()
    return HashedNgramEmbeddings() if choice == "hashed" else default_embeddings()
