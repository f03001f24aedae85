"""LangGraph persona simulations: a VS node, its state, and a simulation factory.

Multi-agent persona simulations are where mode collapse hurts most: agents drift to the same
generic lines within a few turns. :class:`VerbalizedNode` draws every turn from a verbalized
distribution; :func:`create_persona_simulation` wires personas into an uncompiled ``StateGraph``.

Example:
    .. code-block:: python

        from langgraph.checkpoint.memory import InMemorySaver

        from langchain_vs import Persona, create_persona_simulation, local_chat_model

        personas = [Persona(name="Ada", description="An optimistic engineer."),
                    Persona(name="Bo", description="A skeptical economist.")]
        graph = create_persona_simulation(personas, local_chat_model(), max_turns=4,
                                          opening="Should cities ban cars?", seed=1)
        app = graph.compile(checkpointer=InMemorySaver())
        state = app.invoke({"messages": []}, {"configurable": {"thread_id": "debate-1"}})
"""

from __future__ import annotations

import contextlib
import operator
import random
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from langgraph.config import get_stream_writer
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from langchain_vs.conversation import ModelRequest, adrive, drive
from langchain_vs.distribution import SelectionStrategy
from langchain_vs.methods import Method
from langchain_vs.options import Draw, VerbalizedOptions, configured_copy

__all__ = [
    "DRAWS_KEY",
    "OPENING_NODE",
    "Persona",
    "PersonaSimulationState",
    "VerbalizedNode",
    "create_persona_simulation",
]

DRAWS_KEY = "draws"
"""State key of the per-turn records: plain JSON-able dicts with ``turn``, ``persona``,
``chosen_index``, ``candidates`` (text, probability, raw value, index, repairs) and the rest of
the distribution record."""
OPENING_NODE = "opening"
CUSTOM_EVENT_TYPE = "verbalized_sampling"
_RESERVED = frozenset({OPENING_NODE, START, END})


class Persona(BaseModel):
    """One voice in a simulation: a name, who it is, and optional VS options of its own."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=64)
    """How the persona is called; also its graph node's name and its messages' ``name``."""
    description: str = Field(min_length=1)
    """Who the persona is: goes into its system prompt."""
    k: int | None = None
    method: Method | None = None
    selection: SelectionStrategy | None = None
    tail_threshold: float | None = None
    model_settings: dict[str, Any] = Field(default_factory=dict)
    """Settings for this persona's copy of the model, e.g. ``{"temperature": 1.0}``."""

    @field_validator("name")
    @classmethod
    def _usable_name(cls, name: str) -> str:
        name = name.strip()
        if not name or any(ch in name for ch in ":|\n"):
            raise ValueError(
                f"persona name {name!r} must be non-empty, without ':', '|' or newlines"
            )
        return name

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


class PersonaSimulationState(TypedDict, total=False):
    """The state of :func:`create_persona_simulation` graphs (all plain, serializable data).

    Attributes:
        messages: The transcript; each persona line is an ``AIMessage`` named after its persona.
        turn: How many persona lines have been spoken.
        draws: One record per line (see ``DRAWS_KEY``): the whole distribution and the pick, so
            that replaying a checkpoint never draws again.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    turn: int
    draws: Annotated[list[dict[str, Any]], operator.add]


def persona_view(persona: Persona, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The conversation from ``persona``'s side.

    Its own lines become assistant turns; everyone else's become user turns that carry the
    speaker's name (few chat templates show a message's ``name`` field).
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
    return view


class VerbalizedNode(VerbalizedOptions, RunnableSerializable[dict[str, Any], dict[str, Any]]):
    """A LangGraph node that answers by Verbalized Sampling, as a persona or as an assistant.

    Put it straight into ``StateGraph.add_node``. It reads ``state[messages_key]``, shows the
    conversation from the persona's side (see :func:`persona_view`), draws a distribution,
    picks one candidate (seeded per turn: the same ``seed`` gives the same transcript with a
    deterministic model) and returns a partial state update: an ``AIMessage`` named after the
    persona under ``messages_key``, and the draw record under ``draws_key``. The inner model
    call is tagged ``nostream``, so its raw JSON stays out of ``stream_mode="messages"``; the
    record is written to the ``custom`` stream as ``{"type": "verbalized_sampling", ...}``.

    Args:
        model: Any chat model.
        persona: Who speaks; ``None`` answers as a plain assistant over the messages.
        messages_key: The state key of the conversation.
        draws_key: The state key where draw records are appended (a list with ``operator.add``).
        turn_key: An int state key counting turns, incremented by the node; ``None`` counts the
            records under ``draws_key`` instead.
        **options: Any :class:`~langchain_vs.sampler.VerbalizedSampler` option; the persona's
            own options win over these.
    """

    persona: Persona | None = None
    messages_key: str = "messages"
    draws_key: str = DRAWS_KEY
    turn_key: str | None = None

    _speaker_model: BaseChatModel = PrivateAttr()

    def __init__(
        self, model: BaseChatModel, persona: Persona | None = None, **options: Any
    ) -> None:
        own = persona.vs_options() if persona is not None else {}
        super().__init__(model=model, persona=persona, **{**options, **own})

    @model_validator(mode="after")
    def _configure_speaker_model(self) -> VerbalizedNode:
        settings = self.persona.model_settings if self.persona else {}
        self._speaker_model = configured_copy(self.model, settings)
        return self

    def inner_model(self) -> BaseChatModel:
        """The model with the persona's settings."""
        return self._speaker_model

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
            response_metadata={
                "verbalized_sampling": {"turn": turn, "chosen_index": draw.chosen.index}
            },
            usage_metadata=draw.outcome.usage,
        )
        with contextlib.suppress(RuntimeError, KeyError):  # outside a graph: no custom stream
            get_stream_writer()({"type": CUSTOM_EVENT_TYPE, **record})
        update: dict[str, Any] = {self.messages_key: [message], self.draws_key: [record]}
        if self.turn_key is not None:
            update[self.turn_key] = turn + 1
        return update

    @staticmethod
    def _quiet(config: RunnableConfig) -> RunnableConfig:
        # The inner call's raw JSON must not reach stream_mode="messages".
        return {**config, "tags": [*config.get("tags", []), TAG_NOSTREAM]}

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
        turn, quiet = self._turn(state), self._quiet(config)

        def call(request: ModelRequest) -> Any:
            return self.runnable_for(request).invoke(request.messages, quiet)

        outcome = drive(self.new_conversation(self._view(state)), call)
        return self._update(self.draw(outcome, rng=self._rng(turn)), turn)

    async def ainvoke(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Async twin of :meth:`invoke`."""
        return await self._acall_with_config(self._ainvoke, input, config, **kwargs)

    async def _ainvoke(
        self,
        state: dict[str, Any],
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> dict[str, Any]:
        turn, quiet = self._turn(state), self._quiet(config)

        async def call(request: ModelRequest) -> Any:
            return await self.runnable_for(request).ainvoke(request.messages, quiet)

        outcome = await adrive(self.new_conversation(self._view(state)), call)
        return self._update(self.draw(outcome, rng=self._rng(turn)), turn)


TurnOrder = Literal["round_robin"] | Callable[[dict[str, Any]], str]
"""``"round_robin"`` (the first persona opens) or a function from the state to a persona name."""


def _check_setup(personas: Sequence[Persona], max_turns: int) -> None:
    if not personas:
        raise ValueError("create_persona_simulation needs at least one persona")
    names = [p.name for p in personas]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"persona names must be unique; repeated: {', '.join(duplicates)}")
    if clashes := sorted(set(names) & _RESERVED):
        raise ValueError(f"persona names {clashes} are reserved for the graph's own nodes")
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
        raise ValueError(f"max_turns must be an int of at least 1, got {max_turns!r}")


def create_persona_simulation(
    personas: Sequence[Persona],
    model: BaseChatModel,
    *,
    max_turns: int,
    turn_order: TurnOrder = "round_robin",
    opening: str | None = None,
    stop_condition: Callable[[dict[str, Any]], bool] | None = None,
    **node_options: Any,
) -> StateGraph[Any]:
    """Wire personas into an uncompiled ``StateGraph`` that runs a VS conversation.

    Each persona is a :class:`VerbalizedNode` named after it. After the optional opening line
    (a ``HumanMessage`` named ``moderator``, added when the transcript is empty), a router picks
    the next speaker until ``max_turns`` persona lines were spoken or ``stop_condition(state)``
    is true. Compile it with a checkpointer (``InMemorySaver``, ``SqliteSaver``) to make runs
    resumable by thread id.

    Args:
        personas: The voices, in speaking order for round robin.
        model: Any chat model (each persona gets its own configured copy if it has settings).
        max_turns: Persona lines in total (three personas, ``max_turns=9``: three lines each).
        turn_order: ``"round_robin"`` or a function from the state to the next persona's name.
        opening: The moderator's first line, if any.
        stop_condition: Ends the conversation early when it returns True.
        **node_options: VS options for every node (``k``, ``method``, ``seed``…).

    Returns:
        The graph, with state schema :class:`PersonaSimulationState`.

    Raises:
        ValueError: No personas, duplicate or reserved names, ``max_turns`` < 1, an unknown
            ``turn_order``.
    """
    _check_setup(personas, max_turns)
    if turn_order != "round_robin" and not callable(turn_order):
        raise ValueError(f"turn_order must be 'round_robin' or a callable, got {turn_order!r}")
    names = [p.name for p in personas]

    def next_speaker(state: dict[str, Any]) -> str:
        turn = int(state.get("turn") or 0)
        if turn >= max_turns or (stop_condition is not None and stop_condition(state)):
            return END
        if turn_order == "round_robin":
            return names[turn % len(names)]
        chosen = turn_order(state)
        if chosen not in names:
            raise ValueError(f"turn_order chose {chosen!r}, not one of {names}")
        return chosen

    def open_conversation(state: PersonaSimulationState) -> dict[str, Any]:
        if opening and not state.get("messages"):
            return {"messages": [HumanMessage(content=opening, name="moderator")], "turn": 0}
        return {"turn": int(state.get("turn") or 0)}

    graph: StateGraph[Any] = StateGraph(PersonaSimulationState)
    graph.add_node(OPENING_NODE, open_conversation)
    for persona in personas:
        node = VerbalizedNode(model, persona, turn_key="turn", **node_options)
        graph.add_node(persona.name, node)  # type: ignore[type-var]  # a node for any dict state
    graph.add_edge(START, OPENING_NODE)
    for source in [OPENING_NODE, *names]:
        graph.add_conditional_edges(source, next_speaker, [*names, END])
    return graph
