"""The VS Runnable over any chat model, and the one-call `verbalize()` helper.

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> from langchain_core.messages import AIMessage
    >>> fake = GenericFakeChatModel(messages=iter([AIMessage(
    ...     '{"responses": [{"text": "Tea", "probability": 0.7},'
    ...     ' {"text": "Coffee", "probability": 0.3}]}')]))
    >>> sampler = VerbalizedSampler(model=fake, k=2, selection="argmax", output="text")
    >>> sampler.invoke("A hot drink?")
    'Tea'
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForChainRun,
    CallbackManagerForChainRun,
    adispatch_custom_event,
    dispatch_custom_event,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    BaseMessage,
    HumanMessage,
    convert_to_messages,
)
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from pydantic import PrivateAttr, field_validator, model_validator

from langchain_vs.core import (
    FACE_MODEL_CONFIG,
    METADATA_KEY,
    Candidate,
    Draw,
    Method,
    SelectionStrategy,
    StructuredOutputMode,
    VerbalizedConfig,
    VerbalizedDistribution,
    VerbalizedEngine,
    WeightedText,
    require_request,
)
from langchain_vs.local import resolve_chat_model
from langchain_vs.quality import selection_utility

__all__ = [
    "CANDIDATE_EVENT",
    "DISTRIBUTION_EVENT",
    "OutputKind",
    "VerbalizedSampler",
    "to_messages",
    "verbalize",
]

OutputKind = Literal["message", "text", "candidate", "distribution", "value"]

CANDIDATE_EVENT = f"{METADATA_KEY}.candidate"
"""Custom event dispatched for each candidate as it completes (``astream_events``)."""
DISTRIBUTION_EVENT = f"{METADATA_KEY}.distribution"
"""Custom event dispatched with the final distribution and the chosen index."""


def to_messages(input: Any) -> list[BaseMessage]:
    """Read a sampler input (text, messages, a ``PromptValue``, ``{"messages": ...}``).

    Raises:
        ValueError: The input is of another type, or holds no text to answer.
    """
    if isinstance(input, str):
        messages: list[BaseMessage] = [HumanMessage(content=input)]
    elif isinstance(input, PromptValue):
        messages = input.to_messages()
    elif isinstance(input, BaseMessage):
        messages = [input]
    elif isinstance(input, dict) and "messages" in input:
        messages = convert_to_messages(input["messages"])
    elif isinstance(input, Sequence):
        messages = convert_to_messages(input)
    else:
        raise ValueError(
            "Expected a string, a list of messages, a PromptValue or a dict with 'messages'; "
            f"got {type(input).__name__}."
        )
    return require_request(messages)


class VerbalizedSampler(VerbalizedConfig, RunnableSerializable[Any, Any]):
    """Verbalized Sampling as a Runnable: ask for k responses with probabilities, draw one.

    Wraps any LangChain chat model. Input: a string, a list of messages, a ``PromptValue``
    (so ``prompt | sampler`` works) or a dict with ``messages``. Output, by ``output``:
    ``"message"`` (an ``AIMessage`` with the chosen text as content, the distribution in
    ``response_metadata["verbalized_sampling"]`` and token usage summed over every model call),
    ``"text"``, ``"candidate"`` (a [`Candidate`][langchain_vs.core.Candidate]), ``"distribution"``,
    or ``"value"``
    (with a ``schema``: the picked object). Keyword arguments bound with ``.bind()`` or passed
    to ``invoke`` go to every model call (e.g. ``stop``).

    With ``schema`` (a pydantic model class, ``TypedDict`` or JSON-schema dict) each candidate
    is an object of that schema: ``Candidate.value`` holds it validated, ``Candidate.text`` its
    canonical JSON. Responses that do not validate are dropped (repair ``dropped_invalid``); a
    reply with none valid is asked again, then ``OutputParserException``.

    Streaming: with ``output="candidate"`` each candidate is yielded as it completes and the
    pick last; with ``"distribution"`` the growing distribution, then the final one; with
    ``"text"`` / ``"message"`` only the pick (concatenating candidates would corrupt them), while
    every candidate is still dispatched as the custom event ``CANDIDATE_EVENT``.

    Examples:
        ```python
        from langchain_vs import VerbalizedSampler, local_chat_model

        sampler = VerbalizedSampler(model=local_chat_model(), k=5, seed=1)
        print(sampler.invoke("Tell me a joke about coffee.").content)
        ```
    """

    model_config = FACE_MODEL_CONFIG

    model: BaseChatModel
    """The chat model that is asked for the distribution: any LangChain chat model, or its name
    (``"openai:gpt-4.1-mini"``, ``"local"``; see
    [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model])."""
    output: OutputKind = "message"
    """What ``invoke`` returns: ``message``, ``text``, ``candidate``, ``distribution`` or
    ``value`` (a structured candidate's object; needs ``schema``)."""

    _engine: VerbalizedEngine = PrivateAttr()

    @field_validator("model", mode="before")
    @classmethod
    def _resolve_model(cls, value: Any) -> BaseChatModel:
        return resolve_chat_model(value)

    @model_validator(mode="after")
    def _build_engine(self) -> VerbalizedSampler:
        # Runs at construction and on every assignment: the engine follows the options.
        if self.output == "value" and self.candidate_schema is None:
            raise ValueError(
                'output="value" returns a structured candidate\'s object: pass schema= too '
                '(a pydantic model class, TypedDict or JSON-schema dict), or use output="text"'
            )
        options = self.frozen_options()
        self._engine = VerbalizedEngine(self.model, options, utility=selection_utility(options))
        return self

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Serializable with LangChain's ``dumpd`` (the wrapped model must be too)."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """The namespace used in serialized form."""
        return ["langchain_vs", "sampler"]

    def _output(self, draw: Draw, *, chunk: bool = False) -> Any:
        if self.output == "text":
            return draw.chosen.text
        if self.output == "candidate":
            return draw.chosen
        if self.output == "distribution":
            return draw.distribution
        if self.output == "value":
            return draw.chosen.value
        return draw.message(chunk=chunk)

    # -- invoke ---------------------------------------------------------------------------------

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Ask for the distribution, draw one candidate, return it as ``output`` says."""
        return self._call_with_config(self._invoke, input, config, **kwargs)

    def _invoke(
        self,
        input: Any,
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Any:
        draw = self._engine.invoke(to_messages(input), config, **kwargs)
        dispatch_custom_event(DISTRIBUTION_EVENT, draw.record, config=config)
        return self._output(draw)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Async twin of `invoke()`, through the model's own async API."""
        return await self._acall_with_config(self._ainvoke, input, config, **kwargs)

    async def _ainvoke(
        self,
        input: Any,
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Any:
        draw = await self._engine.ainvoke(to_messages(input), config, **kwargs)
        await adispatch_custom_event(DISTRIBUTION_EVENT, draw.record, config=config)
        return self._output(draw)

    # -- stream ---------------------------------------------------------------------------------

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        """Stream candidates as they complete (see the class docs), then the pick."""
        yield from self._transform_stream_with_config(iter([input]), self._stream, config, **kwargs)

    def _stream(
        self,
        inputs: Iterator[Any],
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Iterator[Any]:
        arrived: list[Candidate] = []
        for event in self._engine.stream(to_messages(next(inputs)), config, **kwargs):
            if isinstance(event, Candidate):
                arrived.append(event)
                dispatch_custom_event(CANDIDATE_EVENT, event.to_dict(), config=config)
                yield from self._progress(event, arrived)
                continue
            dispatch_custom_event(DISTRIBUTION_EVENT, event.record, config=config)
            yield self._output(event, chunk=True)

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Async twin of `stream()`."""

        async def single() -> AsyncIterator[Any]:
            yield input

        async for item in self._atransform_stream_with_config(
            single(), self._astream, config, **kwargs
        ):
            yield item

    async def _astream(
        self,
        inputs: AsyncIterator[Any],
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        arrived: list[Candidate] = []
        async for event in self._engine.astream(to_messages(await anext(inputs)), config, **kwargs):
            if isinstance(event, Candidate):
                arrived.append(event)
                await adispatch_custom_event(CANDIDATE_EVENT, event.to_dict(), config=config)
                for item in self._progress(event, arrived):
                    yield item
                continue
            await adispatch_custom_event(DISTRIBUTION_EVENT, event.record, config=config)
            yield self._output(event, chunk=True)

    def _progress(self, candidate: Candidate, arrived: list[Candidate]) -> list[Any]:
        """What the stream shows of a newly completed candidate, by ``output``."""
        if self.output == "candidate":
            return [candidate]
        if self.output == "distribution":
            return [
                VerbalizedDistribution.from_weighted(
                    [
                        WeightedText(c.text, c.probability, c.raw_probability, c.repairs, c.value)
                        for c in arrived
                    ],
                    method=self.method,
                )
            ]
        return []


def verbalize(
    prompt: str | None = None,
    *,
    messages: Sequence[Any] | None = None,
    model: BaseChatModel | str | None = None,
    k: int = 5,
    method: Method | str = Method.VS_STANDARD,
    tail_threshold: float | None = None,
    min_probability: float | None = None,
    selection: SelectionStrategy = "sample",
    seed: int | None = None,
    structured_output: StructuredOutputMode = "auto",
    schema: Any = None,
    scorer: Any = None,
    **options: Any,
) -> VerbalizedDistribution:
    """Ask a chat model for a verbalized distribution of ``k`` responses, in one call.

    Args:
        prompt: The request (or pass ``messages``).
        messages: A conversation to answer instead of ``prompt``.
        model: Any LangChain chat model, or its name (``"openai:gpt-4.1-mini"``, ``"local"``;
            see [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]); ``None``: OpenAI
            when
            ``OPENAI_API_KEY`` is set, else the embedded local model (see
            [`default_chat_model()`][langchain_vs.local.default_chat_model]).
        k: How many responses.
        method: The sampling method.
        tail_threshold: Ask for responses each below this probability (more diversity).
        min_probability: Drop candidates below this probability afterwards (less diversity).
        selection: Strategy used by the sampler's pick (the whole distribution is returned).
        seed: Seed for the pick.
        structured_output: Structured-output mode (``auto`` by default).
        schema: Structured candidates: a pydantic model class, ``TypedDict`` or JSON-schema
            dict each response must follow (``Candidate.value`` holds the object).
        scorer: A [`Scorer`][langchain_vs.core.Scorer] (see
            [`as_scorer()`][langchain_vs.quality.as_scorer]): its scores are in the draw, and with
            ``min_score=`` or ``tilt=`` (in ``options``) the distribution returned is the one
            filtered or tilted by them.
        **options: Any other [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler] option
            (``tilt``, ``min_score``,
            ``utility``...).

    Returns:
        The distribution; draw from it with ``.sample(seed=...)``.

    Examples:
        ```python
        dist = verbalize("Write an opening line for a story.", k=5)
        print(dist.to_markdown())
        line = dist.sample(seed=0).text
        ```
    """
    if (prompt is None) == (messages is None):
        raise ValueError("Pass exactly one of prompt or messages.")
    if model is None:
        from langchain_vs.local import default_chat_model

        model = default_chat_model()
    sampler = VerbalizedSampler(
        model=model,
        k=k,
        method=Method(method),
        tail_threshold=tail_threshold,
        min_probability=min_probability,
        selection=selection,
        seed=seed,
        structured_output=structured_output,
        candidate_schema=schema,
        scorer=scorer,
        output="distribution",
        **options,
    )
    result: VerbalizedDistribution = sampler.invoke(prompt if messages is None else list(messages))
    return result
