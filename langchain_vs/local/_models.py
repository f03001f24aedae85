"""A chat model by name, as LangChain's ``create_agent`` takes one: the one resolver.

Every place of ``langchain_vs`` that takes a model (the faces, the judges, the graph, the apps,
the CLI) passes it through [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]:

* a ``BaseChatModel`` is used as it is;
* ``"local"`` is the embedded llama.cpp model ([`local_chat_model()`][langchain_vs.local.local_chat_model]);
* ``"provider:model"`` (``"openai:gpt-4.1-mini"``, ``"anthropic:claude-sonnet-4-5"``,
  ``"ollama:llama3.2"``) or a bare name LangChain can place (``"gpt-4.1-mini"``) goes through
  LangChain's ``init_chat_model`` (the ``langchain`` package, a dependency of langchain-vs); a
  provider's integration package (``langchain-anthropic``…) is installed separately, and a
  missing one is named in the error with its ``pip install`` line;
* with ``base_url``, the string is the model name an OpenAI-compatible endpoint (vLLM,
  llama.cpp, Ollama's ``/v1``) serves, taken verbatim (``"qwen2.5:0.5b"`` is a name, not a
  provider), and the model is a ``ChatOpenAI`` on that endpoint, its key from
  ``$OPENAI_API_KEY`` or ``"unused"``.

Lives in ``local`` because that layer sits under every face and judge and already owns the
default model.

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> fake = GenericFakeChatModel(messages=iter([]))
    >>> resolve_chat_model(fake) is fake
    True
    >>> resolve_chat_model(42)
    Traceback (most recent call last):
    ...
    TypeError: model must be a LangChain chat model (BaseChatModel), 'local', or a 'provider:model' string such as 'openai:gpt-4.1-mini'; got int
"""  # noqa: E501

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from langchain_core.language_models import BaseChatModel

__all__ = ["LOCAL_MODEL", "resolve_chat_model"]

LOCAL_MODEL = "local"
"""The name of the embedded llama.cpp model."""
_ACCEPTED = (
    "a LangChain chat model (BaseChatModel), 'local', or a 'provider:model' string such as "
    "'openai:gpt-4.1-mini'"
)


def resolve_chat_model(
    model: BaseChatModel | str,
    *,
    base_url: str | None = None,
    n_ctx: int | None = None,
    **chat_kwargs: Any,
) -> BaseChatModel:
    """The chat model ``model`` names (a model object is returned unchanged).

    Args:
        model: A ``BaseChatModel``; ``"local"``; ``"provider:model"`` or a bare model name for
            ``init_chat_model``; with ``base_url``, the endpoint's own model name.
        base_url: An OpenAI-compatible endpoint (``http://127.0.0.1:8080/v1``).
        n_ctx: The embedded model's context size in tokens (``"local"`` only).
        **chat_kwargs: Settings of a model built from a name (``temperature``…); a model object
            is not changed.

    Returns:
        The chat model.

    Raises:
        TypeError: ``model`` is neither a chat model nor a string.
        ValueError: An empty name, a provider without a model (``"openai"``, ``"openai:"``), an
            unknown provider, ``"local"`` with ``base_url``, or a ``base_url`` that is not an
            http(s) URL. The message says what is accepted.
        ImportError: The provider's package is not installed (the message has its
            ``pip install`` line).
    """
    if isinstance(model, BaseChatModel):
        return model
    if not isinstance(model, str):
        raise TypeError(f"model must be {_ACCEPTED}; got {type(model).__name__}")
    name = model.strip()
    if not name:
        raise ValueError(f"model is an empty string; give {_ACCEPTED}")
    if base_url is not None:
        return _endpoint_model(name, base_url, chat_kwargs)
    if name == LOCAL_MODEL:
        from langchain_vs.local._server import local_chat_model

        return local_chat_model(n_ctx=n_ctx, **chat_kwargs)
    return _named_model(name, chat_kwargs)


def _endpoint_model(name: str, base_url: str, chat_kwargs: dict[str, Any]) -> BaseChatModel:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url must be an http(s) URL of an OpenAI-compatible endpoint, such as "
            f"http://127.0.0.1:8080/v1; got {base_url!r}"
        )
    if name == LOCAL_MODEL:
        raise ValueError(
            "with base_url, the model is the name the endpoint serves (e.g. 'qwen2.5:0.5b'), "
            "not 'local' (the embedded model needs no base_url)"
        )
    from langchain_openai import ChatOpenAI

    api_key = os.environ.get("OPENAI_API_KEY") or "unused"
    return ChatOpenAI(base_url=base_url, model=name, api_key=api_key, **chat_kwargs)


def _named_model(name: str, chat_kwargs: dict[str, Any]) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    provider, colon, model_name = name.partition(":")
    if colon and not model_name.strip():
        raise ValueError(f"model {name!r} names a provider but no model: use '{provider}:MODEL'")
    try:
        built: BaseChatModel = init_chat_model(name, **chat_kwargs)
    except ImportError as error:
        package = _missing_package(error)
        raise ImportError(
            f"model {name!r} needs the {package} package: pip install {package}"
            if package
            else f"model {name!r}: {error}"
        ) from error
    except ValueError as error:
        supported = _supported_providers(str(error))
        if not supported:
            raise  # the provider's own check of a setting: its message says what was wrong
        if not colon and name.lower() in supported:
            raise ValueError(
                f"model {name!r} names a provider but no model: use '{name}:MODEL'"
            ) from None
        raise ValueError(
            f"model {name!r}: "
            + (f"unknown provider {provider!r}" if colon else "no provider fits this name")
            + f"; give {_ACCEPTED} (providers: {', '.join(supported)})"
        ) from None
    return built


def _missing_package(error: ImportError) -> str | None:
    """The distribution to install: from LangChain's message, else the module not found."""
    text = str(error)
    if "pip install " in text:
        words = text.split("pip install ", 1)[1].replace("`", " ").split()
        words = [w for w in words if not w.startswith("-")]
        if words:
            return words[0]
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ModuleNotFoundError) and seen.name:
            return seen.name.split(".")[0].replace("_", "-")
        seen = seen.__cause__ or seen.__context__
    return None


def _supported_providers(message: str) -> list[str]:
    """The providers ``init_chat_model`` lists when it cannot place a name (else none)."""
    for line in message.splitlines():
        head, _, listed = line.partition("providers:")
        if listed and "upported" in head:
            return [p.strip() for p in listed.split(",") if p.strip()]
    return []
