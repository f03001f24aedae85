"""LangGraph pieces: a persona, and a node that answers by Verbalized Sampling.

Multi-agent persona simulations are where mode collapse hurts most: agents drift to the same
generic lines within a few turns. [`VerbalizedNode`][langchain_vs.graph.VerbalizedNode] draws every
turn from a verbalized
distribution; [`create_persona_simulation()`][langchain_vs.graph.create_persona_simulation] wires
personas into a
compiled graph.

Examples:
    ```python
    from langgraph.graph import START, MessagesState, StateGraph

    from langchain_vs import VerbalizedNode, local_chat_model

    class State(MessagesState):
        draws: list  # where the node appends its draw records

    graph = StateGraph(State)
    graph.add_node("assistant", VerbalizedNode(local_chat_model(), k=4, seed=1))
    graph.add_edge(START, "assistant")
    state = graph.compile().invoke({"messages": [("user", "Name a sea creature.")]})
    ```
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from langgraph.config import get_stream_writer
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PrivateAttr,
    field_validator,
    model_validator,
)

from langchain_vs.core import (
    FACE_MODEL_CONFIG,
    METADATA_KEY,
    CandidateCount,
    Draw,
    Method,
    SelectionStrategy,
    UnitInterval,
    VerbalizedConfig,
    VerbalizedEngine,
    configured_copy,
)
from langchain_vs.local import resolve_chat_model
from langchain_vs.quality import selection_utility

__all__ = [
    "CUSTOM_EVENT_TYPE",
    "DRAWS_KEY",
    "Persona",
    "VerbalizedNode",
    "persona_view",
]

DRAWS_KEY = "draws"
"""State key of the per-turn records: plain JSON-able dicts with ``turn``, ``persona``,
``chosen_index``, ``candidates`` (text, probability, raw value, index, repairs) and the rest of
the distribution record."""
CUSTOM_EVENT_TYPE = METADATA_KEY
"""The ``type`` of the records a node writes to LangGraph's ``custom`` stream."""


def usable_persona_name(name: str) -> str:
    """``name`` stripped, if a persona may be called that (a profile's name is checked too).

    Raises:
        ValueError: It is blank or holds ':', '|' or a newline.
    """
    name = name.strip()
    if not name or any(ch in name for ch in ":|\n"):
        raise ValueError(f"persona name {name!r} must be non-empty, without ':', '|' or newlines")
    return name


class Persona(BaseModel):
    """One voice in a simulation: a name, who it is, and optional VS options of its own."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    """How the persona is called; also its graph node's name and its messages' ``name``."""
    description: str = Field(min_length=1)
    """Who the persona is: goes into its system prompt."""
    k: CandidateCount | None = None
    """Candidates per turn for this persona (the same bounds as everywhere: 1 to 50)."""
    method: Method | None = None
    selection: SelectionStrategy | None = None
    tail_threshold: UnitInterval | None = None
    model_settings: dict[str, Any] = Field(default_factory=dict)
    """Settings for this persona's copy of the model, e.g. ``{"temperature": 1.0}``."""
    profile: dict[str, JsonValue] | None = None
    """The generated profile the persona was made from (plain JSON; see
    [`persona_from_profile()`][langchain_vs.graph.persona_from_profile]), or ``None``. Only
    ``description`` is
    shown to the model."""

    @field_validator("name")
    @classmethod
    def _usable_name(cls, name: str) -> str:
        return usable_persona_name(name)

    @field_validator("description")
    @classmethod
    def _not_blank(cls, description: str) -> str:
        if not description.strip():
            raise ValueError("persona description is blank: say who the persona is")
        return description

    def system_prompt(self, others: Sequence[str]) -> str:
        """The persona's instruction for its next line."""
        company = f" You are talking with {', '.join(others)}." if others else ""
        return (
            f"You are {self.name}. {self.description}{company} Say your next line in the "
            f"conversation, as {self.name}, in one to three sentences, without your name in front."
        )

    def vs_options(self) -> dict[str, Any]:
        """The VS options this persona sets (the unset ones are left to the node)."""
        options = {
            "k": self.k,
            "method": self.method,
            "selection": self.selection,
            "tail_threshold": self.tail_threshold,
        }
        return {key: value for key, value in options.items() if value is not None}


def persona_view(persona: Persona, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The conversation from ``persona``'s side.

    Its own lines become assistant turns; everyone else's become user turns that carry the
    speaker's name (few chat templates show a message's ``name`` field). The view always ends
    on a user turn.
    """
    others = sorted({m.name for m in messages if m.name and m.name != persona.name})
    view: list[BaseMessage] = [SystemMessage(content=persona.system_prompt(others))]
    for message in messages:
        if isinstance(message, SystemMessage):
            continue
        if isinstance(message, AIMessage) and message.name == persona.name:
            view.append(AIMessage(content=message.text))
        else:
            speaker = message.name or ("user" if isinstance(message, HumanMessage) else "someone")
            view.append(HumanMessage(content=f"{speaker}: {message.text}"))
    if len(view) == 1:
        view.append(HumanMessage(content="Open the conversation."))
    elif isinstance(view[-1], AIMessage):
        # It spoke last (a custom turn order or parallel drafts): end on a user turn, or
        # servers take the request as a prefill of that line (llama.cpp's JSON grammar then
        # refuses to start: "Failed to initialize samplers").
        view.append(HumanMessage(content="(Your turn again: say your next line.)"))
    return view


class VerbalizedNode(VerbalizedConfig, RunnableSerializable[dict[str, Any], dict[str, Any]]):
    """A LangGraph node that answers by Verbalized Sampling, as a persona or as an assistant.

    Put it straight into ``StateGraph.add_node``. It reads ``state[messages_key]``, shows the
    conversation from the persona's side (see [`persona_view()`][langchain_vs.graph.persona_view]),
    draws a distribution,
    picks one candidate (seeded per turn: the same ``seed`` gives the same transcript with a
    deterministic model) and returns a partial state update: an ``AIMessage`` named after the
    persona under ``messages_key``, and the draw record under ``draws_key``. The inner model
    call is tagged ``nostream`` (as every VS engine call is), so its raw JSON stays out of
    ``stream_mode="messages"``; the record is written to the ``custom`` stream as
    ``{"type": "verbalized_sampling", ...}``.

    Args:
        model: Any chat model, or its name (``"openai:gpt-4.1-mini"``, ``"local"``; see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        persona: Who speaks; ``None`` answers as a plain assistant over the messages.
        messages_key: The state key of the conversation.
        draws_key: The state key where draw records are appended (a list with ``operator.add``).
        turn_key: An int state key counting turns, incremented by the node; ``None`` counts the
            records under ``draws_key`` instead.
        **options: Any [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler] option; the
            persona's
            own options win over these.
    """

    model_config = FACE_MODEL_CONFIG

    model: BaseChatModel
    """The chat model that is asked (any LangChain chat model)."""
    persona: Persona | None = None
    messages_key: str = "messages"
    draws_key: str = DRAWS_KEY
    turn_key: str | None = None

    _engine: VerbalizedEngine = PrivateAttr()

    def __init__(
        self, model: BaseChatModel | str, persona: Persona | None = None, **options: Any
    ) -> None:
        own = persona.vs_options() if persona is not None else {}
        super().__init__(model=model, persona=persona, **{**options, **own})  # type: ignore[call-arg]

    @field_validator("model", mode="before")
    @classmethod
    def _resolve_model(cls, value: Any) -> BaseChatModel:
        return resolve_chat_model(value)

    @model_validator(mode="after")
    def _build_engine(self) -> VerbalizedNode:
        # Runs at construction and on every assignment: the engine follows the options.
        settings, owner = {}, "model_settings"
        if self.persona is not None:
            for name, value in self.persona.vs_options().items():
                if getattr(self, name) != value:  # only an assignment can get here
                    raise ValueError(
                        f"persona {self.persona.name!r} sets {name}={value!r}, and a persona's "
                        "own options win over the node's: give the persona the option instead "
                        "and build the node with it, VerbalizedNode(model, persona, ...)"
                    )
            settings = self.persona.model_settings
            owner = f"persona {self.persona.name!r}'s model_settings"
        speaker_model = configured_copy(self.model, settings, owner=owner)
        options = self.frozen_options()
        self._engine = VerbalizedEngine(speaker_model, options, utility=selection_utility(options))
        return self

    def inner_model(self) -> BaseChatModel:
        """The model with the persona's settings."""
        return self._engine.model

    # -- pieces shared by invoke and ainvoke ---------------------------------------------------

    def _turn(self, state: dict[str, Any]) -> int:
        if self.turn_key is not None:
            return int(state.get(self.turn_key) or 0)
        return len(state.get(self.draws_key) or [])

    def _view(self, state: dict[str, Any]) -> list[BaseMessage]:
        messages = list(state.get(self.messages_key) or [])
        return messages if self.persona is None else persona_view(self.persona, messages)

    def _rng(self, turn: int) -> random.Random | None:
        if self.seed is None:
            return None
        name = self.persona.name if self.persona else ""
        return random.Random(f"{self.seed}:{name}:{turn}")  # str seeds are stable across runs

    def _update(self, draw: Draw, turn: int) -> dict[str, Any]:
        name = self.persona.name if self.persona else None
        record = {"turn": turn, "persona": name, **draw.record}
        message = AIMessage(
            content=draw.chosen.text,
            name=name,
            response_metadata={METADATA_KEY: record},  # the same record as in the draws
            usage_metadata=draw.outcome.usage,
        )
        with contextlib.suppress(RuntimeError, KeyError):  # outside a graph: no custom stream
            get_stream_writer()({"type": CUSTOM_EVENT_TYPE, **record})
        update: dict[str, Any] = {self.messages_key: [message], self.draws_key: [record]}
        if self.turn_key is not None:
            update[self.turn_key] = turn + 1
        return update

    # -- invoke / ainvoke ----------------------------------------------------------------------

    def invoke(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Draw this turn's line; return the state update."""
        return self._call_with_config(self._invoke, input, config, **kwargs)

    def _invoke(
        self,
        state: dict[str, Any],
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> dict[str, Any]:
        turn = self._turn(state)
        draw = self._engine.invoke(self._view(state), config, rng=self._rng(turn))
        return self._update(draw, turn)

    async def ainvoke(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Async twin of `invoke()`."""
        return await self._acall_with_config(self._ainvoke, input, config, **kwargs)

    async def _ainvoke(
        self,
        state: dict[str, Any],
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> dict[str, Any]:
        turn = self._turn(state)
        draw = await self._engine.ainvoke(self._view(state), config, rng=self._rng(turn))
        return self._update(draw, turn)
