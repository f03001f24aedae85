"""The VS engine: one model, one frozen configuration, the exchange run four ways, and the draw.

Every face — [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler],
[`VerbalizedChatModel`][langchain_vs.runnables.VerbalizedChatModel],
[`VerbalizedNode`][langchain_vs.graph.VerbalizedNode],
the RAG chain and the benchmark — *holds* a [`VerbalizedEngine`][langchain_vs.core.VerbalizedEngine]
and asks it for a
[`Draw`][langchain_vs.core.Draw]. The engine decides per request whether to use structured output,
binds the schema
the request carries, drives the sans-I/O conversation (sync, async, stream, astream), notes the
endpoint on a fault, and applies merging, the floor, the scorer (``score`` in the sync paths,
``ascore`` in the async ones; everything after it is shared, so one seed picks the same
candidate both ways), ``min_score``, the tilt and the pick.

Examples:
    >>> from langchain_core.language_models import GenericFakeChatModel
    >>> fake = GenericFakeChatModel(messages=iter([
    ...     '{"responses": [{"text": "Tea", "probability": 0.7},'
    ...     ' {"text": "Coffee", "probability": 0.3}]}']))
    >>> engine = VerbalizedEngine(fake, VerbalizedConfig(k=2, selection="argmax"))
    >>> draw = engine.invoke([("human", "A hot drink?")])
    >>> draw.chosen.text, draw.record["k"], draw.record["model_calls"]
    ('Tea', 2, 1)
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_messages
from langchain_core.runnables import Runnable, RunnableConfig, RunnableSequence, ensure_config

from langchain_vs.core._conversation import ModelRequest, SamplingOutcome, VerbalizedConversation
from langchain_vs.core._distribution import Candidate, VerbalizedDistribution
from langchain_vs.core._drivers import adrive, adrive_stream, drive, drive_stream
from langchain_vs.core._model_errors import is_fault, note_endpoint
from langchain_vs.core._options import StructuredOutputMode, VerbalizedConfig
from langchain_vs.core._scoring import CandidateScore, checked_scores, scorer_name
from langchain_vs.core._utility import Utility, display_name, lexical_utility

__all__ = [
    "Draw",
    "METADATA_KEY",
    "NOSTREAM_TAG",
    "DrawRecord",
    "VerbalizedEngine",
    "declare_grammar_server",
    "model_call_config",
    "require_request",
    "structured_binding",
    "structured_output_method",
    "withdraw_grammar_server",
]

METADATA_KEY = "verbalized_sampling"
"""Where a drawn message carries its [`DrawRecord`][langchain_vs.core.DrawRecord]
(``response_metadata[METADATA_KEY]``),
and the prefix of the custom events and stream parts VS sends."""

NOSTREAM_TAG = "nostream"
"""The tag of the engine's model calls: LangGraph's ``TAG_NOSTREAM`` (the core does not import
LangGraph; a test checks the two agree). A model call's tokens are the raw VS reply, never what
a face says, so they stay out of LangGraph's ``stream_mode="messages"``; the faces stream the
candidates and the draw instead."""


def model_call_config(config: RunnableConfig | None) -> RunnableConfig:
    """``config`` for the engine's model calls: tagged `NOSTREAM_TAG` (once)."""
    inner = ensure_config(config)
    tags = inner.get("tags") or []
    return inner if NOSTREAM_TAG in tags else {**inner, "tags": [*tags, NOSTREAM_TAG]}


_grammar_servers: set[str] = set()
"""Base URLs whose structured output constrains the weights by default (see below)."""


def declare_grammar_server(base_url: str) -> None:
    """Declare an OpenAI-compatible server whose JSON-schema decoding enforces ``enum``.

    VS requests to a model with this ``base_url`` then constrain the weights by default
    (``constrained_weights=None``). The embedded
    [`LocalModelServer`][langchain_vs.local.LocalModelServer]
    declares itself while it runs; for a server of your own, ``constrained_weights=True`` is
    the simpler switch.
    """
    _grammar_servers.add(base_url.rstrip("/"))


def withdraw_grammar_server(base_url: str) -> None:
    """Undo `declare_grammar_server()` (a server that stopped)."""
    _grammar_servers.discard(base_url.rstrip("/"))


class DrawRecord(TypedDict):
    """What one VS request produced, as plain JSON-able data.

    It goes into ``response_metadata["verbalized_sampling"]``
    ([`METADATA_KEY`][langchain_vs.core.METADATA_KEY]) of every
    message VS draws, the ``verbalized_sampling.*`` custom events, and a persona simulation's
    ``draws``.
    """

    candidates: list[dict[str, Any]]
    """Each candidate's ``text``, ``probability``, ``raw_probability``, ``index``, ``repairs``."""
    method: str | None
    probability_definition: str | None
    reasoning: str | None
    repairs: list[str]
    """Distribution-level repairs (``json_repaired``, ``dropped_cut_off``, ``floor``…)."""
    transforms: list[str]
    """What was done to the distribution before the pick (``filter`` by ``min_score``,
    ``tilt(beta=…)``)."""
    k: int
    """How many candidates the user asked for (the ``k`` option)."""
    candidates_asked: int
    """How many the method asked the model for in all (1 for the direct methods, else ``k``)."""
    chosen_index: int
    selection: str
    seed: int | None
    scorer: str | None
    """The scorer's name, if there was one."""
    scores: list[dict[str, Any]] | None
    """Every candidate the scorer saw: ``index``, ``score``, ``reason`` (before ``min_score``)."""
    tilt: float | None
    min_score: float | None
    utility: str | None
    """``mbr``'s utility, by name."""
    expected_utilities: list[dict[str, Any]] | None
    """``mbr``: each candidate's ``index`` and ``expected_utility``."""
    model_calls: int
    """Every call made, re-asks and turns included."""
    structured: bool
    """Whether the final turns used structured output (``structured_output`` is the option)."""
    structured_error: str | None
    """Why this request was asked in text instead, if it was."""
    constrained_weights: bool
    """Whether the final turns' schema constrained the weights (``constrained_weights``)."""


@dataclass(frozen=True)
class Draw:
    """One finished VS request: the distribution, the pick and its record."""

    distribution: VerbalizedDistribution
    chosen: Candidate
    record: DrawRecord
    outcome: SamplingOutcome

    def message(self, *, chunk: bool = False) -> AIMessage:
        """The pick as an ``AIMessage`` (or ``AIMessageChunk``) with the record and usage."""
        metadata: dict[str, Any] = {METADATA_KEY: self.record}
        replies = self.outcome.replies
        if replies and (model_name := replies[-1].response_metadata.get("model_name")):
            metadata["model_name"] = model_name
        message_type = AIMessageChunk if chunk else AIMessage
        return message_type(
            content=self.chosen.text,
            response_metadata=metadata,
            usage_metadata=self.outcome.usage,
        )


def structured_output_method(model: BaseChatModel, mode: StructuredOutputMode) -> str | None:
    """The ``with_structured_output`` method to ask ``model`` with, or ``None`` for text.

    The one place this is decided, for VS requests and for the quality layer's judges: a named
    ``mode`` is used as given; ``"auto"`` picks ``json_schema`` when the model's class (or its
    profile) offers structured output, else ``function_calling`` when it has tools, else text.
    """
    if mode == "none":
        return None
    if mode != "auto":
        return mode
    profile = getattr(model, "profile", None) or {}
    model_type = type(model)
    if profile.get("structured_output") or (
        model_type.with_structured_output is not BaseChatModel.with_structured_output
    ):
        return "json_schema"
    if profile.get("tool_calling") or model_type.bind_tools is not BaseChatModel.bind_tools:
        return "function_calling"
    return None


def structured_binding(
    model: BaseChatModel, schema: dict[str, Any], method: str
) -> Runnable[Any, Any]:
    """``model`` bound to answer as ``schema`` by ``method``, returning the reply message."""
    bound = model.with_structured_output(schema, method=method)
    # Keep the bound model, not its parser: the reply's text and token usage are needed.
    return bound.first if isinstance(bound, RunnableSequence) else bound


def require_request(messages: Sequence[Any]) -> list[BaseMessage]:
    """The conversation as messages; ``ValueError`` when it holds no text to answer."""
    converted = convert_to_messages(messages)
    if not any(m.text.strip() for m in converted):
        raise ValueError("The prompt is empty: give the model a request to answer.")
    return converted


class VerbalizedEngine:
    """Runs VS requests against one chat model with one configuration.

    Args:
        model: Any LangChain chat model, already configured as it should be called.
        config: The VS options (frozen).
        utility: ``selection="mbr"``'s utility, resolved (the faces pass
            [`selection_utility()`][langchain_vs.quality.selection_utility]); ``None`` takes
            ``config.utility``
            when it is a callable or ``"lexical"``. ``"auto"`` and ``"embedding"`` need the
            embeddings, which the core does not import: resolve them above it.
    """

    def __init__(
        self, model: BaseChatModel, config: VerbalizedConfig, *, utility: Utility | None = None
    ) -> None:
        if not isinstance(model, BaseChatModel):
            raise ValueError(
                f"model must be a LangChain chat model (BaseChatModel), got {type(model).__name__}"
            )
        self.model = model
        self.config = config
        self.utility: Utility | None = None
        if config.selection == "mbr":
            if utility is None and config.utility == "lexical":
                utility = lexical_utility
            elif utility is None and callable(config.utility):
                utility = config.utility
            if utility is None:
                raise ValueError(
                    f"utility={config.utility!r} is resolved by langchain_vs.quality, which "
                    "knows the embeddings: pass utility=langchain_vs.selection_utility(config), "
                    'or utility="lexical"'
                )
            self.utility = utility

    # -- one request ----------------------------------------------------------------------

    def structured_method(self) -> str | None:
        """The ``with_structured_output`` method a new request starts with, or ``None``."""
        if not self.config.asks_json:
            return None
        return structured_output_method(self.model, self.config.structured_output)

    def constrains_weights(self) -> bool:
        """Whether structured requests constrain the weights: the one place this is decided.

        ``constrained_weights`` when it is set; otherwise, whether the model's ``base_url`` is
        a declared grammar server (the embedded local server is one).
        """
        if self.config.constrained_weights is not None:
            return self.config.constrained_weights
        base_url = getattr(self.model, "openai_api_base", None)
        return isinstance(base_url, str) and base_url.rstrip("/") in _grammar_servers

    def conversation(self, messages: Sequence[Any]) -> VerbalizedConversation:
        """A fresh, I/O-free conversation for one request (``ValueError`` if it is empty)."""
        method = self.structured_method()
        return VerbalizedConversation(
            require_request(messages),
            self.config,
            structured=method is not None,
            format_in_prompt=method == "json_mode",
            constrained_weights=method is not None and self.constrains_weights(),
        )

    def runnable_for(self, request: ModelRequest) -> Runnable[Any, Any]:
        """The model, or its structured-output binding for the request's schema."""
        method = self.structured_method()
        if request.reply_schema is None or method is None:
            return self.model
        return structured_binding(self.model, request.reply_schema, method)

    def _note_fault(self, error: Exception, request: ModelRequest) -> None:
        if is_fault(error, structured=request.structured):
            note_endpoint(error, self.model)

    def _prepared(self, outcome: SamplingOutcome) -> VerbalizedDistribution:
        """The distribution after merging and the post-hoc floor: what the scorer sees."""
        config, distribution = self.config, outcome.distribution
        if config.merge_duplicates:
            distribution = distribution.merge_duplicates()
        if config.min_probability is not None:
            distribution = distribution.with_floor(
                config.min_probability, min_survivors=config.min_survivors
            )
        return distribution

    @staticmethod
    def _distinct(distribution: VerbalizedDistribution) -> list[Candidate]:
        # The scores are cached per (request, text) for the draw: a text that comes twice is
        # scored once, and every use of the scores (min_score, tilt, best) reads that one call.
        first: dict[str, Candidate] = {}
        for candidate in distribution.candidates:
            first.setdefault(candidate.text, candidate)
        return list(first.values())

    def _by_index(
        self, distribution: VerbalizedDistribution, distinct: list[Candidate], scores: Any
    ) -> dict[int, CandidateScore]:
        checked = checked_scores(self.config.scorer, scores, distinct)
        by_text = {c.text: s for c, s in zip(distinct, checked, strict=True)}
        return {c.index: by_text[c.text] for c in distribution.candidates}

    def draw(
        self,
        outcome: SamplingOutcome,
        request: Sequence[BaseMessage] = (),
        *,
        rng: random.Random | None = None,
    ) -> Draw:
        """Merge, floor, score (``scorer.score``), filter, tilt, then pick one candidate.

        The pick uses ``rng`` when given (e.g. one derived per simulation turn), else the seed.
        ``request`` is the conversation the scorer is told was answered.
        """
        distribution = self._prepared(outcome)
        scores = None
        if (scorer := self.config.scorer) is not None:
            distinct = self._distinct(distribution)
            scores = self._by_index(distribution, distinct, scorer.score(request, distinct))
        return self._pick(outcome, distribution, scores, rng)

    async def adraw(
        self,
        outcome: SamplingOutcome,
        request: Sequence[BaseMessage] = (),
        *,
        rng: random.Random | None = None,
    ) -> Draw:
        """The asynchronous twin of `draw()`: the scorer's ``ascore`` is awaited."""
        distribution = self._prepared(outcome)
        scores = None
        if (scorer := self.config.scorer) is not None:
            distinct = self._distinct(distribution)
            scored = await scorer.ascore(request, distinct)
            scores = self._by_index(distribution, distinct, scored)
        return self._pick(outcome, distribution, scores, rng)

    def _pick(
        self,
        outcome: SamplingOutcome,
        distribution: VerbalizedDistribution,
        scores: dict[int, CandidateScore] | None,
        rng: random.Random | None,
    ) -> Draw:
        config = self.config
        if scores is not None and config.min_score is not None:
            floor = config.min_score
            if any(scores[c.index].value >= floor for c in distribution):
                distribution = distribution.filter(lambda c: scores[c.index].value >= floor)
            else:  # none reaches it: keep the best-scored, a draw always answers
                best = distribution.best([scores[c.index].value for c in distribution])
                distribution = distribution.filter(lambda c: c.index == best.index)
        if scores is not None and config.tilt is not None:
            values = [scores[c.index].value for c in distribution]
            distribution = distribution.tilt(values, beta=config.tilt)
        expected = None
        if config.selection == "mbr" and self.utility is not None:
            expected = distribution.expected_utilities(self.utility)
            chosen = distribution.best(expected)
        elif config.selection == "best" and scores is not None:
            chosen = distribution.best([scores[c.index].value for c in distribution])
        else:
            chosen = distribution.select(config.selection, seed=config.seed if rng is None else rng)
        data = distribution.to_dict()
        record = DrawRecord(
            candidates=data["candidates"],
            method=data["method"],
            probability_definition=data["probability_definition"],
            reasoning=data["reasoning"],
            repairs=data["repairs"],
            transforms=data["transforms"],
            k=config.k,
            candidates_asked=config.candidates_asked,
            chosen_index=chosen.index,
            selection=config.selection,
            seed=config.seed,
            scorer=None if config.scorer is None else scorer_name(config.scorer),
            scores=None
            if scores is None
            else [
                {"index": index, "score": score.value, "reason": score.reason}
                for index, score in scores.items()
            ],
            tilt=config.tilt,
            min_score=config.min_score,
            utility=None if self.utility is None else display_name(self.utility),
            expected_utilities=None
            if expected is None
            else [
                {"index": c.index, "expected_utility": u}
                for c, u in zip(distribution, expected, strict=True)
            ],
            model_calls=len(outcome.replies),
            structured=outcome.structured,
            structured_error=outcome.structured_error,
            constrained_weights=outcome.constrained_weights,
        )
        return Draw(distribution, chosen, record, outcome)

    # -- the four drivers -------------------------------------------------------------------

    def invoke(
        self,
        messages: Sequence[Any],
        config: RunnableConfig | None = None,
        *,
        rng: random.Random | None = None,
        **kwargs: Any,
    ) -> Draw:
        """Run one request synchronously; ``kwargs`` go to every model call."""
        config = model_call_config(config)

        def call(request: ModelRequest) -> Any:
            try:
                return self.runnable_for(request).invoke(request.messages, config, **kwargs)
            except Exception as error:
                self._note_fault(error, request)
                raise

        conversation = self.conversation(messages)
        return self.draw(drive(conversation, call), conversation.messages, rng=rng)

    async def ainvoke(
        self,
        messages: Sequence[Any],
        config: RunnableConfig | None = None,
        *,
        rng: random.Random | None = None,
        **kwargs: Any,
    ) -> Draw:
        """The asynchronous twin of `invoke()`, through the model's own async API."""
        config = model_call_config(config)

        async def call(request: ModelRequest) -> Any:
            try:
                return await self.runnable_for(request).ainvoke(request.messages, config, **kwargs)
            except Exception as error:
                self._note_fault(error, request)
                raise

        conversation = self.conversation(messages)
        return await self.adraw(await adrive(conversation, call), conversation.messages, rng=rng)

    def stream(
        self, messages: Sequence[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Candidate | Draw]:
        """Yield each candidate as it completes, then the [`Draw`][langchain_vs.core.Draw]."""
        config = model_call_config(config)

        def call(request: ModelRequest) -> Iterator[Any]:
            try:
                yield from self.runnable_for(request).stream(request.messages, config, **kwargs)
            except Exception as error:
                self._note_fault(error, request)
                raise

        conversation = self.conversation(messages)
        for event in drive_stream(conversation, call):
            yield event if isinstance(event, Candidate) else self.draw(event, conversation.messages)

    async def astream(
        self, messages: Sequence[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Candidate | Draw]:
        """The asynchronous twin of `stream()`."""
        config = model_call_config(config)

        async def call(request: ModelRequest) -> AsyncIterator[Any]:
            try:
                async for chunk in self.runnable_for(request).astream(
                    request.messages, config, **kwargs
                ):
                    yield chunk
            except Exception as error:
                self._note_fault(error, request)
                raise

        conversation = self.conversation(messages)
        async for event in adrive_stream(conversation, call):
            if isinstance(event, Candidate):
                yield event
            else:
                yield await self.adraw(event, conversation.messages)
