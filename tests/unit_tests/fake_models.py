"""FAKE chat models for unit tests of logic only (no model, no network).

Integration tests use the real local model through ``ChatOpenAI`` instead.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable
from pydantic import Field, PrivateAttr, SecretStr

Reply = str | AIMessage | Exception


class RejectedRequestError(Exception):
    """FAKE of an HTTP client's error for a request the server refused (400 Bad Request)."""

    status_code = 400


class ScriptedFakeChatModel(BaseChatModel):
    """FAKE: answers each call with the next scripted reply and records what it was sent.

    ``structured=True`` makes it offer ``with_structured_output`` (the call is recorded as
    structured); ``fail_structured=True`` makes structured calls raise, like a server that
    rejects ``response_format``.
    """

    replies: list[Any]  # str | AIMessage | Exception (Any: pydantic would coerce them)
    structured: bool = False
    fail_structured: bool = False
    chunk_size: int = 7
    input_tokens: int = 10
    calls: list[dict[str, Any]] = Field(default_factory=list)
    _position: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        structured = "structured_schema" in kwargs
        with self._lock:
            self.calls.append(
                {
                    "messages": messages,
                    "structured": structured,
                    "schema": kwargs.get("structured_schema"),
                }
            )
            if structured and self.fail_structured:
                raise RejectedRequestError("response_format json_schema is not supported")
            reply = self.replies[min(self._position, len(self.replies) - 1)]
            self._position += 1
        if isinstance(reply, Exception):
            raise reply
        message = reply if isinstance(reply, AIMessage) else AIMessage(content=reply)
        if message.usage_metadata is None:
            output_tokens = max(1, len(message.text) // 4)
            message = message.model_copy(
                update={
                    "usage_metadata": {
                        "input_tokens": self.input_tokens,
                        "output_tokens": output_tokens,
                        "total_tokens": self.input_tokens + output_tokens,
                    }
                }
            )
        return message

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages, kwargs))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages, kwargs))])

    def _chunks(self, message: AIMessage) -> list[ChatGenerationChunk]:
        text = message.text
        pieces = [text[i : i + self.chunk_size] for i in range(0, len(text), self.chunk_size)]
        chunks = [ChatGenerationChunk(message=AIMessageChunk(content=p)) for p in pieces]
        chunks.append(
            ChatGenerationChunk(
                message=AIMessageChunk(content="", usage_metadata=message.usage_metadata)
            )
        )
        return chunks

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._chunks(self._next(messages, kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._next(messages, kwargs)):
            yield chunk

    def with_structured_output(
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        if not self.structured:
            raise NotImplementedError("this fake has no structured output")
        return (
            self.bind(structured_schema=schema, structured_method=kwargs.get("method"))
            | JsonOutputParser()
        )

    @property
    def structured_calls(self) -> list[bool]:
        return [call["structured"] for call in self.calls]


def vs_json(pairs: Sequence[tuple[str, Any]], field: str = "probability", **extra: Any) -> str:
    """A VS reply as a model would write it."""
    return json.dumps({**extra, "responses": [{"text": t, field: p} for t, p in pairs]})


class ToolCallingFakeChatModel(ScriptedFakeChatModel):
    """FAKE that supports ``bind_tools``: the bound tools are recorded with each call."""

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[Any, Any]:
        return self.bind(
            fake_tools=[getattr(t, "name", t) for t in tools], fake_tool_choice=tool_choice
        )

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        message = super()._next(messages, kwargs)
        self.calls[-1]["tools"] = kwargs.get("fake_tools")
        self.calls[-1]["kwargs"] = kwargs
        return message

    def _chunks(self, message: AIMessage) -> list[ChatGenerationChunk]:
        # Streamed replies keep their tool calls (and id), as a provider's do.
        chunks = super()._chunks(message)
        last = chunks[-1].message
        chunks[-1] = ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                id=message.id,
                usage_metadata=last.usage_metadata,
                tool_call_chunks=[
                    {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                    for i, c in enumerate(message.tool_calls)
                ],
            )
        )
        return chunks


class SettingsFakeChatModel(ScriptedFakeChatModel):
    """FAKE that declares the settings a provider's model has (it only stores them)."""

    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float | None = None
    api_key: SecretStr | None = None


class FakeRetriever(BaseRetriever):
    """FAKE retriever: returns its fixed documents for any query and records the queries."""

    documents: list[Document]
    queries: list[str] = Field(default_factory=list)

    def _get_relevant_documents(self, query: str, *, run_manager: Any = None) -> list[Document]:
        self.queries.append(query)
        return list(self.documents)
