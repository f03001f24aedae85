"""What a failed model call means: a reply cut off, a capability missing, or a fault to report.

The engine asks three questions of an exception from a chat model, and this module answers them
for every provider, so that the core imports no provider SDK:

* [`cut_off_reply()`][langchain_vs.core.cut_off_reply] — was it a *reply* cut at the token limit
  (OpenAI's client raises
  ``LengthFinishReasonError`` for a structured call instead of returning it)? Then it is read.
* `is_capability_error()` — does the model lack what the request used (no structured
  output, a schema or ``response_format`` the server rejects)? Then the request is asked in
  text instead.
* anything else (a refused connection, a time-out, 429 or 5xx after the client's own retries)
  is a fault: it propagates unchanged, with a note
  ([`note_endpoint()`][langchain_vs.core.note_endpoint]) naming the model and
  the endpoint it could not reach.

Examples:
    >>> is_capability_error(NotImplementedError("no structured output"))
    True
    >>> is_capability_error(TimeoutError())
    False
"""

from __future__ import annotations

import sys

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, UsageMetadata

__all__ = [
    "cut_off_error_types",
    "cut_off_reply",
    "describe_model",
    "is_capability_error",
    "is_fault",
    "note_endpoint",
]

_REJECTED_REQUEST = (400, 422)
"""HTTP statuses of a request the server understood and refused: a shape it does not support."""


def cut_off_error_types() -> tuple[type[BaseException], ...]:
    """The exception types that providers raise for a reply cut at the token limit."""
    openai = sys.modules.get("openai")
    return () if openai is None else (openai.LengthFinishReasonError,)


def cut_off_reply(error: BaseException) -> AIMessage | None:
    """The reply carried by an error raised for a reply that hit the token limit, else ``None``."""
    # An OpenAI error implies that its SDK is imported already: nothing is imported here.
    if not isinstance(error, cut_off_error_types()):
        return None
    completion = error.completion  # type: ignore[attr-defined]  # narrowed at run time
    text = (completion.choices[0].message.content or "") if completion.choices else ""
    usage: UsageMetadata | None = None
    if completion.usage is not None:
        usage = UsageMetadata(
            input_tokens=completion.usage.prompt_tokens,
            output_tokens=completion.usage.completion_tokens,
            total_tokens=completion.usage.total_tokens,
        )
    return AIMessage(
        content=text, usage_metadata=usage, response_metadata={"finish_reason": "length"}
    )


def is_capability_error(error: BaseException) -> bool:
    """Whether a structured call failed because the model or server cannot do what it asked.

    ``NotImplementedError`` (no structured output in the LangChain class) and a request refused
    as malformed (HTTP 400 or 422: an unsupported schema, ``response_format`` or tool choice —
    but not a prompt too long for the context). Connection errors, time-outs, rate limits and
    server errors are faults, not capabilities.
    """
    if isinstance(error, NotImplementedError):
        return True
    status = getattr(error, "status_code", None)
    if status is None:
        status = getattr(getattr(error, "response", None), "status_code", None)
    if not (isinstance(status, int) and status in _REJECTED_REQUEST):
        return False
    # A prompt too long for the context is refused the same way, in text mode too.
    return "context" not in str(error).lower()


def is_fault(error: BaseException, *, structured: bool) -> bool:
    """Whether a failed call is a fault to report, not something the conversation recovers from.

    The conversation recovers from a reply cut at the token limit (it reads it) and, for a
    structured call, from a capability error (it asks in text instead); everything else — a
    connection refused, a time-out, a rate limit, a server error — propagates at once, after
    the chat model's own retries.
    """
    return cut_off_reply(error) is None and not (structured and is_capability_error(error))


def describe_model(model: BaseChatModel) -> str:
    """The model's name and endpoint, as far as its class tells them."""
    name = None
    for attribute in ("model_name", "model", "model_id", "deployment_name"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            name = value
            break
    endpoint = None
    for attribute in ("openai_api_base", "base_url", "endpoint", "api_base"):
        value = getattr(model, attribute, None)
        if value:
            endpoint = str(value)
            break
    described = f"{type(model).__name__}" + (f" model {name!r}" if name else "")
    return described + (f" at {endpoint}" if endpoint else "")


def note_endpoint(error: BaseException, model: BaseChatModel) -> None:
    """Add a note to ``error`` naming the model and endpoint whose call failed (once)."""
    note = (
        f"langchain-vs: the call to {describe_model(model)} failed after the chat model's own "
        "retries (set timeout= and max_retries= on the chat model to bound them)"
    )
    if note not in getattr(error, "__notes__", ()):
        error.add_note(note)
