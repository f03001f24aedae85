"""A drop-in chat model that answers by Verbalized Sampling through another chat model.

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> fake = GenericFakeChatModel(messages=iter([
    ...     '{"responses": [{"text": "Tea", "probability": 0.6},'
    ...     ' {"text": "Coffee", "probability": 0.4}]}']))
    >>> model = VerbalizedChatModel(model=fake, k=2, selection="argmax")
    >>> model.invoke("A hot drink?").content
    'Tea'
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Annotated, Any

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import add_usage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from langchain_vs.core import (
    FACE_MODEL_CONFIG,
    CandidateSchema,
    Draw,
    StructuredOutputMode,
    VerbalizedConfig,
    VerbalizedEngine,
    configured_copy,
    setting_names,
)
from langchain_vs.local import resolve_chat_model
from langchain_vs.quality import selection_utility
from langchain_vs.runnables._sampler import VerbalizedSampler

__all__ = ["VerbalizedChatModel"]

_JSON_ROOM_PER_RESPONSE = 50
"""Tokens of JSON around each response, added to the wrapped model's token limit."""


def _cut_at_stop(text: str, stop: Sequence[str] | None) -> str:
    for word in stop or ():
        if word and word in text:
            text = text[: text.index(word)]
    return text


def _child_config(
    run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None,
) -> RunnableConfig:
    """Callbacks that make the wrapped model's calls children of this model's run."""
    if run_manager is None:
        return {}
    manager_type = (
        AsyncCallbackManager
        if isinstance(run_manager, AsyncCallbackManagerForLLMRun)
        else CallbackManager
    )
    manager = manager_type(handlers=[], parent_run_id=run_manager.run_id)
    manager.set_handlers(run_manager.inheritable_handlers)
    manager.add_tags(run_manager.inheritable_tags)
    manager.add_metadata(run_manager.inheritable_metadata)
    return {"callbacks": manager}


def _as_chunk(message: AIMessage) -> AIMessageChunk:
    return AIMessageChunk(
        content=message.content,
        id=message.id,
        response_metadata=message.response_metadata,
        usage_metadata=message.usage_metadata,
        tool_call_chunks=[
            {"name": call["name"], "args": json.dumps(call["args"]), "id": call["id"], "index": i}
            for i, call in enumerate(message.tool_calls)
        ],
        chunk_position="last",
    )


def _traced_schema(candidate: CandidateSchema) -> dict[str, Any]:
    """The schema tracing shows, as for any model's structured output.

    LangChain's reading of the user's schema where it has one; where it has none for a schema
    that ``schema=`` accepts (an untitled JSON schema, a ``NotRequired`` key), the candidate's
    JSON schema, titled.
    """
    try:
        return convert_to_json_schema(candidate.source)
    except (ValueError, TypeError):
        return {"title": candidate.name, **candidate.json_schema}


class VerbalizedChatModel(VerbalizedConfig, BaseChatModel):
    """A chat model that answers by Verbalized Sampling through another chat model.

    Takes the same options as [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler] and
    goes wherever a
    chat model goes: a chain, a RAG pipeline, a LangGraph node, an agent. Each call asks the
    wrapped model for ``k`` responses with probabilities and returns one drawn from them: an
    ``AIMessage`` with the pick as content, the distribution in
    ``response_metadata["verbalized_sampling"]``, and token usage summed over every inner call.

    Behaviour worth knowing:

    * **Streaming** yields the pick as one chunk once the distribution is complete (a pick
      needs every candidate), so the first chunk arrives when ``invoke`` would return.
    * **Tools**: with tools bound, the wrapped model is called with them first. A turn that calls
      tools passes straight through; a turn that answers in text is replaced by a VS draw over the
      same messages (one extra call, its usage included).
    * **Structured output** (``with_structured_output``) draws an object from a VS
      distribution over objects of the schema, with any wrapped model.
    * ``temperature`` and ``timeout`` are set on the wrapped model, and so is ``max_retries``
      when it is set here: the re-asks after an unreadable reply and the wrapped client's
      retries of a failed request (``max_retries=0``: neither); ``max_tokens`` limits each
      response (a call of the wrapped model gets it once for each response that call asks for
      — ``k`` for VS-Standard, one for the direct methods and ``multi_turn``, a turn's share
      for VS-Multi — plus room for the JSON); ``stop`` cuts
      the chosen response at the first stop sequence.

    Examples:
        ```python
        from langchain_vs import VerbalizedChatModel, local_chat_model

        model = VerbalizedChatModel(model=local_chat_model(), k=5)
        print(model.invoke("Tell me a joke about coffee.").content)
        ```
    """

    model_config = FACE_MODEL_CONFIG

    model: BaseChatModel
    """The chat model that is asked for the distribution: any LangChain chat model, or its name
    (``"openai:gpt-4.1-mini"``, ``"local"``; see
    [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model])."""
    temperature: Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)] | None = None
    """Sampling temperature of the wrapped model, a finite number of at least 0 (``None`` keeps
    its own; the provider may cap it, e.g. at 2 for OpenAI)."""
    max_tokens: Annotated[int, Field(strict=True, ge=1)] | None = None
    """Token limit of one response, an ``int`` of at least 1 (``None`` keeps the wrapped
    model's)."""
    timeout: Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)] | None = None
    """Request timeout of the wrapped model, in seconds: a finite number above 0 (``None``
    keeps its own)."""
    api_key: SecretStr | None = None
    """API key for a copy of the wrapped model, if it takes one (``None`` keeps its own)."""
    stop: list[str] | None = None
    """Stop sequences: the chosen response is cut at the first one."""
    streaming: Annotated[bool, Field(strict=True)] = False
    """Whether ``invoke`` streams internally (kept for LangChain compatibility)."""

    _engine: VerbalizedEngine = PrivateAttr()

    @field_validator("model", mode="before")
    @classmethod
    def _resolve_model(cls, value: Any) -> BaseChatModel:
        return resolve_chat_model(value)

    @model_validator(mode="after")
    def _set_model_profile(self) -> VerbalizedChatModel:
        # Replaces BaseChatModel's validator of this name (same name, so it runs in its place).
        # That one assigns `profile` even when it has none to give, and with validate_assignment
        # an assignment re-runs every validator, itself included: a RecursionError it swallows,
        # after ~400 engine builds (1.4 s a construction). The wrapper has the wrapped model's
        # profile (unless one is given), set without re-validating.
        if "profile" not in self.model_fields_set:
            self.__dict__["profile"] = self.model.profile
        return self

    @model_validator(mode="after")
    def _build_engine(self) -> VerbalizedChatModel:
        # Runs at construction and on every assignment: the engine follows the options.
        # Settings a wrapper cannot apply on the fly become settings of a copy of the inner
        # model, rebuilt so that its client honours them (timeout, key).
        per_call_tokens = (
            None
            if self.max_tokens is None
            else self.responses_per_call * (self.max_tokens + _JSON_ROOM_PER_RESPONSE)
        )
        # `max_retries` set on the wrapper is also the wrapped client's (what the name means on
        # every chat model that has it); unset, the wrapped model keeps its own retries.
        client_retries = (
            self.max_retries
            if "max_retries" in self.model_fields_set and "max_retries" in setting_names(self.model)
            else None
        )
        inner = configured_copy(
            self.model,
            {
                "temperature": self.temperature,
                "max_tokens": per_call_tokens,
                "timeout": self.timeout,
                "api_key": self.api_key,
                "max_retries": client_retries,
            },
            owner="VerbalizedChatModel's temperature, max_tokens, timeout, api_key and max_retries",
        )
        options = self.frozen_options()
        self._engine = VerbalizedEngine(inner, options, utility=selection_utility(options))
        return self

    def inner_model(self) -> BaseChatModel:
        """The wrapped model with this wrapper's temperature, token limit, timeout and retries."""
        return self._engine.model

    @property
    def _llm_type(self) -> str:
        return "verbalized-sampling"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model._llm_type,
            "inner_params": self.model._identifying_params,
            "method": self.method.value,
            "k": self.k,
            "selection": self.selection,
            "tail_threshold": self.tail_threshold,
            "min_probability": self.min_probability,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        inner = self.model._get_ls_params(stop=stop, **kwargs)
        params = LangSmithParams(
            ls_provider="langchain_vs",
            ls_model_name=str(kwargs.get("model") or inner.get("ls_model_name") or "unknown"),
            ls_model_type="chat",
        )
        temperature = (
            self.temperature if self.temperature is not None else inner.get("ls_temperature")
        )
        if temperature is not None:
            params["ls_temperature"] = temperature
        if self.max_tokens is not None:
            params["ls_max_tokens"] = self.max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    # -- tools and structured output ---------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools: tool-calling turns go straight to the wrapped model (see the class doc)."""
        return self.bind(vs_tools=list(tools), vs_tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self,
        schema: Any,
        *,
        include_raw: bool = False,
        method: StructuredOutputMode | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """An object of ``schema`` drawn from a VS distribution over such objects.

        The wrapped model is asked for ``k`` objects with probabilities — with its own
        structured output when it has it (the schema nested per response), in text with format
        instructions otherwise — and one is drawn as the other options say. Objects that do not
        validate are dropped; a reply with none valid is asked again, then
        ``OutputParserException``.

        Args:
            schema: A pydantic model class, a ``TypedDict`` or a JSON-schema dict.
            include_raw: Return ``{"raw": AIMessage, "parsed": object, "parsing_error": None}``;
                when no reply can be used, ``parsed`` is ``None`` and ``parsing_error`` the
                ``OutputParserException`` (``raw`` then holds the last reply's text).
            method: How to ask the wrapped model (``json_schema``, ``function_calling``,
                ``json_mode``; ``None``: this model's ``structured_output``).
            strict: Accepted for compatibility; the VS schema is never sent in strict mode
                (strict schemas forbid the probability bounds it declares).
            **kwargs: Not supported (``ValueError``).

        Returns:
            A Runnable returning the object (a pydantic instance for a pydantic schema, else a
            dict), or the ``include_raw`` dict.

        Examples:
            ```python
            class Joke(BaseModel):
                setup: str
                punchline: str

            model = VerbalizedChatModel(model=local_chat_model(), k=3)
            print(model.with_structured_output(Joke).invoke("A joke about cats."))
            ```
        """
        if kwargs:
            raise ValueError(f"with_structured_output got unexpected arguments: {sorted(kwargs)}")
        mode = method or self.structured_output
        candidate_schema = CandidateSchema.of(schema)  # what schema= accepts, nothing less
        options = {name: getattr(self, name) for name in VerbalizedConfig.model_fields}
        sampler = VerbalizedSampler(
            model=self.inner_model(),
            **{**options, "candidate_schema": candidate_schema, "structured_output": mode},
            output="message" if include_raw else "value",
        ).bind(
            # Tracing shows the user's schema, as for any model's structured output.
            ls_structured_output_format={
                "kwargs": {"method": mode, "strict": strict},
                "schema": _traced_schema(candidate_schema),
            }
        )
        if not include_raw:
            return sampler

        def parsed(message: AIMessage) -> dict[str, Any]:
            value = candidate_schema.validate(json.loads(message.text))
            return {"raw": message, "parsed": value, "parsing_error": None}

        def failed(error: OutputParserException) -> dict[str, Any]:
            raw = AIMessage(content=error.llm_output or "")
            return {"raw": raw, "parsed": None, "parsing_error": error}

        def with_raw(input: Any, config: RunnableConfig) -> dict[str, Any]:
            try:
                return parsed(sampler.invoke(input, config))
            except OutputParserException as error:
                return failed(error)

        async def awith_raw(input: Any, config: RunnableConfig) -> dict[str, Any]:
            try:
                return parsed(await sampler.ainvoke(input, config))
            except OutputParserException as error:
                return failed(error)

        return RunnableLambda(with_raw, afunc=awith_raw, name="VerbalizedStructuredOutput")

    @staticmethod
    def _tool_model(
        engine: VerbalizedEngine, tools: list[Any], tool_choice: str | None
    ) -> Runnable[Any, Any]:
        if tool_choice is None:
            return engine.model.bind_tools(tools)
        return engine.model.bind_tools(tools, tool_choice=tool_choice)

    # -- generation --------------------------------------------------------------------------

    def _sampled(
        self, draw: Draw, tool_reply: AIMessage | None, stop: list[str] | None
    ) -> ChatResult:
        message = draw.message()
        if tool_reply is not None:  # the tool-enabled call that answered in text counts too
            message.usage_metadata = add_usage(message.usage_metadata, tool_reply.usage_metadata)
        cut = _cut_at_stop(message.text, stop or self.stop)
        if cut != message.text:
            message = message.model_copy(update={"content": cut})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        vs_tools: list[Any] | None = None,
        vs_tool_choice: str | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        engine = self._engine  # one engine for the whole call, whatever is assigned meanwhile
        config = _child_config(run_manager)
        tool_reply = None
        if vs_tools:
            tool_reply = self._tool_model(engine, vs_tools, vs_tool_choice).invoke(
                messages, config, **kwargs
            )
            if tool_reply.tool_calls:
                return ChatResult(generations=[ChatGeneration(message=tool_reply)])
        draw = engine.invoke(messages, config, **kwargs)
        return self._sampled(draw, tool_reply, stop)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        *,
        vs_tools: list[Any] | None = None,
        vs_tool_choice: str | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        engine = self._engine  # one engine for the whole call, whatever is assigned meanwhile
        config = _child_config(run_manager)
        tool_reply = None
        if vs_tools:
            tool_model = self._tool_model(engine, vs_tools, vs_tool_choice)
            tool_reply = await tool_model.ainvoke(messages, config, **kwargs)
            if tool_reply.tool_calls:
                return ChatResult(generations=[ChatGeneration(message=tool_reply)])
        draw = await engine.ainvoke(messages, config, **kwargs)
        return self._sampled(draw, tool_reply, stop)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        result = self._generate(messages, stop, run_manager, **kwargs)
        message = result.generations[0].message
        assert isinstance(message, AIMessage)
        chunk = ChatGenerationChunk(message=_as_chunk(message))
        if run_manager:
            run_manager.on_llm_new_token(message.text, chunk=chunk)
        yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        result = await self._agenerate(messages, stop, run_manager, **kwargs)
        message = result.generations[0].message
        assert isinstance(message, AIMessage)
        chunk = ChatGenerationChunk(message=_as_chunk(message))
        if run_manager:
            await run_manager.on_llm_new_token(message.text, chunk=chunk)
        yield chunk
