"""Persona simulations: personas wired into a compiled LangGraph graph.

[`create_persona_simulation()`][langchain_vs.graph.create_persona_simulation] makes each persona a
[`VerbalizedNode`][langchain_vs.graph.VerbalizedNode]
and routes turns between them: round robin, a function of the state, or *parallel drafts* —
every persona drafts a line at once (fan-out with ``Send``) and a rule picks who speaks.

Examples:
    ```python
    from langgraph.checkpoint.memory import InMemorySaver

    from langchain_vs import Persona, create_persona_simulation, local_chat_model

    personas = [Persona(name="Ada", description="An optimistic engineer."),
                Persona(name="Bo", description="A skeptical economist.")]
    app = create_persona_simulation(personas, local_chat_model(), max_turns=4,
                                    turn_order="parallel_drafts", seed=1,
                                    opening="Should cities ban cars?",
                                    checkpointer=InMemorySaver())
    state = app.invoke({"messages": []}, {"configurable": {"thread_id": "debate-1"}})
    ```
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Send
from pydantic import ValidationError

from langchain_vs.core import did_you_mean
from langchain_vs.graph._node import DRAWS_KEY, Persona, VerbalizedNode
from langchain_vs.local import resolve_chat_model

if TYPE_CHECKING:
    from langgraph.cache.base import BaseCache
    from langgraph.graph.state import CompiledStateGraph
    from langgraph.store.base import BaseStore
    from langgraph.types import Checkpointer

__all__ = [
    "DRAFT_NODE",
    "FINISH_NODE",
    "NEXT_SPEAKER_NODE",
    "OPENING_NODE",
    "SPEAK_NODE",
    "PersonaSimulationState",
    "SimulationStatus",
    "SpeakerRule",
    "TurnOrder",
    "acontinue_simulation",
    "asimulation_status",
    "continue_simulation",
    "create_persona_simulation",
    "most_likely_speaker",
    "simulation_status",
]

OPENING_NODE = "opening"
FINISH_NODE = "finish"
"""The last node: marks the state ``finished``, so that a thread's status is read from it."""
DRAFT_NODE = "draft"
"""With parallel drafts: the node every persona's draft runs in (one ``Send`` each)."""
SPEAK_NODE = "speak"
"""With parallel drafts: the node that picks the speaker and adds the line to the transcript."""
NEXT_SPEAKER_NODE = "next_speaker"
"""With round robin or a ``turn_order`` function: the one node that picks who speaks next. The
opening and every persona lead to it, so the graph has O(personas) edges (not one conditional
edge per persona to every persona)."""


def _add_drafts(
    current: list[dict[str, Any]] | None, update: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    # ``None`` clears the finished round's drafts; a list adds a persona's draft.
    return [] if update is None else [*(current or []), *update]


class PersonaSimulationState(TypedDict, total=False):
    """The state of `create_persona_simulation()` graphs (all plain, serializable data).

    Attributes:
        messages: The transcript; each persona line is an ``AIMessage`` named after its persona.
        turn: How many persona lines have been spoken.
        draws: One record per line (see ``DRAWS_KEY``): the whole distribution and the pick, so
            that replaying a checkpoint never draws again. With parallel drafts it also holds
            ``drafts``: every persona's drafted line, its probability and its model calls.
        drafts: With parallel drafts, the current round's drafts (emptied when a line is
            spoken): ``persona``, ``message`` and ``record`` each.
        finished: True once the conversation has ended (``max_turns`` lines, or the stop
            condition): what [`simulation_status()`][langchain_vs.graph.simulation_status] reads.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    turn: int
    draws: Annotated[list[dict[str, Any]], operator.add]
    drafts: Annotated[list[dict[str, Any]], _add_drafts]
    finished: bool


TurnOrder = Literal["round_robin", "parallel_drafts"] | Callable[[dict[str, Any]], str]
"""``"round_robin"`` (the first persona opens), ``"parallel_drafts"`` (everyone drafts, a
[`SpeakerRule`][langchain_vs.graph.SpeakerRule] picks), or a function from the state to a persona
name."""
SpeakerRule = Callable[[dict[str, Any], list[dict[str, Any]]], str]
"""With parallel drafts: ``(state, drafts) -> name`` of the persona who speaks. ``drafts`` are in
persona order, each with ``persona``, ``message`` (the drafted ``AIMessage``) and ``record``."""


def _pick_probability(draft: dict[str, Any]) -> float:
    record = draft["record"]
    return float(
        next(c["probability"] for c in record["candidates"] if c["index"] == record["chosen_index"])
    )


def most_likely_speaker(state: dict[str, Any], drafts: list[dict[str, Any]]) -> str:
    """The default `SpeakerRule`: the most confident draft, but never the last speaker.

    Picks the draft whose chosen line had the highest verbalized probability among personas
    other than the one who spoke last (when anyone else drafted); ties go to the earlier persona.
    """
    last = next(
        (m.name for m in reversed(state.get("messages") or []) if m.type == "ai" and m.name), None
    )
    eligible = [d for d in drafts if d["persona"] != last] or drafts
    return str(max(eligible, key=_pick_probability)["persona"])


_TURN_ORDERS = ("round_robin", "parallel_drafts")


def _as_personas(personas: Any) -> list[Persona]:
    """The personas as `Persona` objects, each given as one or as its dict.

    Raises:
        TypeError: ``personas`` is not a list of them (a string, a single persona…), or holds
            something else.
        ValueError: A dict that is not a valid persona (the message names its position).
    """
    accepted = "a list of Persona objects or dicts with 'name' and 'description'"
    if isinstance(personas, (str, bytes, Mapping, Persona)) or not isinstance(personas, Iterable):
        raise TypeError(
            f"personas must be {accepted}, got {type(personas).__name__}; "
            "wrap a single persona in a list"
        )
    checked = []
    for position, persona in enumerate(personas):
        if isinstance(persona, Mapping):
            try:
                persona = Persona.model_validate(dict(persona))
            except ValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or 'persona'}: {e['msg']}"
                    for e in error.errors()[:3]
                )
                raise ValueError(
                    f"personas[{position}] is not a valid persona: {problems}"
                ) from None
        elif not isinstance(persona, Persona):
            raise TypeError(
                f"personas[{position}] must be a Persona or its dict (with 'name' and "
                f"'description'), got {type(persona).__name__}"
            )
        checked.append(persona)
    return checked


def _check_setup(
    personas: list[Persona],
    *,
    max_turns: int,
    turn_order: TurnOrder,
    speaker_rule: SpeakerRule | None,
    opening: str | None,
    stop_condition: Callable[[dict[str, Any]], bool] | None,
) -> None:
    if not personas:
        raise ValueError("create_persona_simulation needs at least one persona")
    names = [p.name for p in personas]
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise ValueError(f"persona names must be unique; repeated: {', '.join(duplicates)}")
    reserved = {OPENING_NODE, FINISH_NODE, START, END}
    if turn_order != "parallel_drafts":  # the personas are nodes beside the router
        reserved.add(NEXT_SPEAKER_NODE)
    if clashes := sorted(set(names) & reserved):
        raise ValueError(f"persona names {clashes} are reserved for the graph's own nodes")
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
        raise ValueError(f"max_turns must be an int of at least 1, got {max_turns!r}")
    if isinstance(turn_order, str) and turn_order not in _TURN_ORDERS:
        raise ValueError(
            f"unknown turn_order {turn_order!r}{did_you_mean(turn_order, _TURN_ORDERS)}; "
            "give 'round_robin', 'parallel_drafts' or a function from the state to a name"
        )
    if not isinstance(turn_order, str) and not callable(turn_order):
        raise TypeError(
            "turn_order must be 'round_robin', 'parallel_drafts' or a function from the state "
            f"to a persona name, got {type(turn_order).__name__}"
        )
    if speaker_rule is not None and not callable(speaker_rule):
        raise TypeError(
            "speaker_rule must be a function (state, drafts) -> persona name, "
            f"got {type(speaker_rule).__name__}"
        )
    if speaker_rule is not None and turn_order != "parallel_drafts":
        raise ValueError("speaker_rule applies to turn_order='parallel_drafts' only")
    if stop_condition is not None and not callable(stop_condition):
        raise TypeError(
            "stop_condition must be a function from the state to a bool, "
            f"got {type(stop_condition).__name__}"
        )
    if opening is not None and not isinstance(opening, str):
        raise TypeError(f"opening must be a string or None, got {type(opening).__name__}")
    if opening and not opening.strip():
        raise ValueError("opening is blank: give the moderator's first line, or None for none")


def _check_interrupts(**interrupts: list[str] | None) -> None:
    # LangGraph would read a string as its letters; "*" (every node) is LangGraph's own.
    for option, nodes in interrupts.items():
        if isinstance(nodes, str) and nodes != "*":
            raise TypeError(f"{option} must be a list of node names, e.g. [{nodes!r}], got a str")


def _add_parallel_drafting(
    graph: StateGraph[Any],
    nodes: dict[str, VerbalizedNode],
    finished: Callable[[dict[str, Any]], bool],
    speaker_rule: SpeakerRule,
) -> None:
    names = list(nodes)

    def fan_out(state: dict[str, Any]) -> list[Send] | str:
        if finished(state):
            return FINISH_NODE
        view = {"messages": state.get("messages") or [], "turn": int(state.get("turn") or 0)}
        return [Send(DRAFT_NODE, {**view, "drafter": name}) for name in names]

    def as_draft(name: str, update: dict[str, Any]) -> dict[str, Any]:
        (message,), (record,) = update["messages"], update[DRAWS_KEY]
        return {"drafts": [{"persona": name, "message": message, "record": record}]}

    def draft(task: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        return as_draft(task["drafter"], nodes[task["drafter"]].invoke(task, config))

    async def adraft(task: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        return as_draft(task["drafter"], await nodes[task["drafter"]].ainvoke(task, config))

    def speak(state: dict[str, Any]) -> dict[str, Any]:
        drafts = sorted(state.get("drafts") or [], key=lambda d: names.index(d["persona"]))
        chosen = speaker_rule(state, drafts)
        spoken = next((d for d in drafts if d["persona"] == chosen), None)
        if spoken is None:
            drafted = [d["persona"] for d in drafts]
            raise ValueError(f"speaker_rule chose {chosen!r}, not one of the drafters {drafted}")
        summary = [
            {
                "persona": d["persona"],
                "text": d["message"].text,
                "probability": _pick_probability(d),
                "model_calls": d["record"]["model_calls"],
            }
            for d in drafts
        ]
        return {
            "messages": [spoken["message"]],
            DRAWS_KEY: [{**spoken["record"], "drafts": summary}],
            "turn": int(state.get("turn") or 0) + 1,
            "drafts": None,
        }

    # Both take the state as a plain dict; StateGraph's typing wants its schema type.
    graph.add_node(DRAFT_NODE, RunnableLambda(draft, afunc=adraft, name=DRAFT_NODE))  # type: ignore[type-var]
    graph.add_node(SPEAK_NODE, speak)  # type: ignore[type-var]
    graph.add_edge(DRAFT_NODE, SPEAK_NODE)  # runs once every draft of the round is in
    for source in (OPENING_NODE, SPEAK_NODE):
        graph.add_conditional_edges(source, fan_out, [DRAFT_NODE, FINISH_NODE])


def create_persona_simulation(
    personas: Sequence[Persona | Mapping[str, Any]],
    model: BaseChatModel | str,
    *,
    max_turns: int,
    turn_order: TurnOrder = "round_robin",
    speaker_rule: SpeakerRule | None = None,
    opening: str | None = None,
    stop_condition: Callable[[dict[str, Any]], bool] | None = None,
    checkpointer: Checkpointer = None,
    store: BaseStore | None = None,
    interrupt_before: list[str] | None = None,
    interrupt_after: list[str] | None = None,
    debug: bool = False,
    name: str = "persona_simulation",
    cache: BaseCache[Any] | None = None,
    **node_options: Any,
) -> CompiledStateGraph[Any]:
    """A compiled LangGraph graph that runs a VS conversation between personas.

    It follows LangChain's ``create_agent``: every option is named, the persistence options
    (``checkpointer``, ``store``, ``cache``), interrupts, ``debug`` and ``name`` go to
    ``StateGraph.compile``, and the compiled graph comes back.

    Each persona is a [`VerbalizedNode`][langchain_vs.graph.VerbalizedNode]. After the optional
    opening
    line (a ``HumanMessage`` named ``moderator``, added when the transcript is empty), turns
    run until ``max_turns`` persona lines were spoken or ``stop_condition(state)`` is true.
    With ``"round_robin"`` or a function, one persona node (named after the persona) speaks per
    turn, and the ``next_speaker`` node between turns picks who speaks next (one router, so the
    graph grows linearly with the personas: 1,000 compile in about a second). With
    ``"parallel_drafts"``, every persona drafts its line concurrently in the ``draft`` node (one
    ``Send`` each; a server with parallel slots answers them at once), then the ``speak`` node
    lets ``speaker_rule`` pick the line that is spoken. Give it a checkpointer
    (``InMemorySaver``, ``SqliteSaver``, ``PostgresSaver``) to make runs resumable by thread id.

    Args:
        personas: The voices, in speaking order for round robin:
            [`Persona`][langchain_vs.graph.Persona] objects or
            their dicts (``{"name": ..., "description": ...}``, validated as a ``Persona``).
        model: Any chat model, or its name (``"openai:gpt-4.1-mini"``, ``"local"``; see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]). Each persona gets its
            own
            configured copy if it has settings.
        max_turns: Persona lines in total (three personas, ``max_turns=9``: three lines each
            in round robin).
        turn_order: ``"round_robin"``, ``"parallel_drafts"``, or a function from the state to
            the next persona's name.
        speaker_rule: With ``"parallel_drafts"``: ``(state, drafts) -> name``; default
            [`most_likely_speaker()`][langchain_vs.graph.most_likely_speaker].
        opening: The moderator's first line, if any.
        stop_condition: Ends the conversation early when it returns True.
        checkpointer: Saves the state after every step (resume, history, interrupts); ``None``
            inside a LangGraph Server, which brings its own.
        store: A long-term store the nodes can reach (``BaseStore``).
        interrupt_before: Node names to pause before (a persona's name pauses before its line).
        interrupt_after: Node names to pause after.
        debug: LangGraph's debug mode.
        name: The compiled graph's name (traces, subgraphs, LangGraph Server).
        cache: A node cache (``BaseCache``).
        **node_options: VS options for every node (``k``, ``method``, ``seed``…).

    Returns:
        The compiled graph, with state schema
        [`PersonaSimulationState`][langchain_vs.graph.PersonaSimulationState].

    Raises:
        ValueError: No personas, a persona dict that is not valid, duplicate or reserved names
            (``opening``, ``finish``, and ``next_speaker`` unless drafting in parallel),
            ``max_turns`` not an int of at least 1, an unknown ``turn_order``, a
            ``speaker_rule`` without parallel drafts, or a blank ``opening``.
        TypeError: ``personas`` not a list of personas or dicts (e.g. a string),
            ``turn_order`` neither a name nor a function, ``speaker_rule`` or
            ``stop_condition`` not callable, ``opening`` not a string, or an interrupt option
            given as a string (not a list of node names).
    """
    voices = _as_personas(personas)
    _check_setup(
        voices,
        max_turns=max_turns,
        turn_order=turn_order,
        speaker_rule=speaker_rule,
        opening=opening,
        stop_condition=stop_condition,
    )
    _check_interrupts(interrupt_before=interrupt_before, interrupt_after=interrupt_after)
    model = resolve_chat_model(model)  # once: every persona shares the client
    nodes = {p.name: VerbalizedNode(model, p, turn_key="turn", **node_options) for p in voices}

    def finished(state: dict[str, Any]) -> bool:
        turn = int(state.get("turn") or 0)
        return turn >= max_turns or (stop_condition is not None and stop_condition(state))

    def open_conversation(state: PersonaSimulationState) -> dict[str, Any]:
        if opening and not state.get("messages"):
            return {"messages": [HumanMessage(content=opening, name="moderator")], "turn": 0}
        return {"turn": int(state.get("turn") or 0)}

    graph: StateGraph[Any] = StateGraph(PersonaSimulationState)
    graph.add_node(OPENING_NODE, open_conversation)
    graph.add_edge(START, OPENING_NODE)
    graph.add_node(FINISH_NODE, _finish)
    graph.add_edge(FINISH_NODE, END)
    if turn_order == "parallel_drafts":
        _add_parallel_drafting(graph, nodes, finished, speaker_rule or most_likely_speaker)
    else:
        _add_turn_taking(graph, nodes, finished, turn_order)
    return graph.compile(
        checkpointer=checkpointer,
        store=store,
        cache=cache,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        debug=debug,
        name=name,
    )


def _add_turn_taking(
    graph: StateGraph[Any],
    nodes: dict[str, VerbalizedNode],
    finished: Callable[[dict[str, Any]], bool],
    turn_order: TurnOrder,
) -> None:
    names = list(nodes)

    def next_speaker(state: dict[str, Any]) -> str:
        if finished(state):
            return FINISH_NODE
        if not callable(turn_order):  # round robin
            return names[int(state.get("turn") or 0) % len(names)]
        chosen = turn_order(state)
        if chosen not in names:
            raise ValueError(f"turn_order chose {chosen!r}, not one of {names}")
        return str(chosen)

    # One router, not a conditional edge from each persona to every persona: personas²
    # targets made 1,000 personas take seconds and hundreds of MB to compile.
    graph.add_node(NEXT_SPEAKER_NODE, _no_update)
    graph.add_edge(OPENING_NODE, NEXT_SPEAKER_NODE)
    for name, node in nodes.items():
        graph.add_node(name, node)  # type: ignore[type-var]  # a node for any dict state
        graph.add_edge(name, NEXT_SPEAKER_NODE)
    graph.add_conditional_edges(NEXT_SPEAKER_NODE, next_speaker, [*names, FINISH_NODE])


def _no_update(state: PersonaSimulationState) -> dict[str, Any]:
    return {}


def _finish(state: PersonaSimulationState) -> dict[str, Any]:
    return {"finished": True}


SimulationStatus = Literal["new", "unfinished", "finished"]
"""A thread's status: never run, started and not ended (killed, interrupted), or ended."""


def _status(values: dict[str, Any] | None) -> SimulationStatus:
    if not values:
        return "new"
    return "finished" if values.get("finished") else "unfinished"


def simulation_status(app: CompiledStateGraph[Any], config: RunnableConfig) -> SimulationStatus:
    """Whether the simulation on ``config``'s thread is new, unfinished or finished.

    Read from the checkpointed state itself (its ``finished`` flag), not from the snapshot's
    ``next`` tasks, which can be empty while a run killed mid-step is unfinished.

    Examples:
        ```python
        app = create_persona_simulation(personas, model, max_turns=6, checkpointer=saver)
        thread = {"configurable": {"thread_id": "debate"}}
        print(simulation_status(app, thread))  # "new", "unfinished" or "finished"
        state = continue_simulation(app, thread)  # starts, resumes, or just reads it
        ```
    """
    return _status(app.get_state(config).values)


async def asimulation_status(
    app: CompiledStateGraph[Any], config: RunnableConfig
) -> SimulationStatus:
    """The asynchronous twin of [`simulation_status()`][langchain_vs.graph.simulation_status]."""
    return _status((await app.aget_state(config)).values)


def _continuation(status: SimulationStatus, pending: tuple[str, ...]) -> dict[str, Any] | None:
    # Pending tasks of a checkpoint are resumed as they are (None); otherwise a fresh input
    # runs from START: the opening is skipped once there are messages, and the turn count in
    # the state says who speaks next, so no line is lost or drawn twice.
    return None if status == "unfinished" and pending else {"messages": []}


def continue_simulation(app: CompiledStateGraph[Any], config: RunnableConfig) -> dict[str, Any]:
    """Run the thread's simulation to its end: start it, resume it, or (finished) just read it.

    Returns:
        The final state.
    """
    snapshot = app.get_state(config)
    status = _status(snapshot.values)
    if status == "finished":
        return dict(snapshot.values)
    return dict(app.invoke(_continuation(status, snapshot.next), config))


async def acontinue_simulation(
    app: CompiledStateGraph[Any], config: RunnableConfig
) -> dict[str, Any]:
    """The asynchronous twin of `continue_simulation()`."""
    snapshot = await app.aget_state(config)
    status = _status(snapshot.values)
    if status == "finished":
        return dict(snapshot.values)
    return dict(await app.ainvoke(_continuation(status, snapshot.next), config))
