"""Persona simulation logic on FAKE chat models (see fake_models.py)."""

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import START, MessagesState, StateGraph

from langchain_vs import Persona, VerbalizedNode, create_persona_simulation
from langchain_vs.graph._node import DRAWS_KEY, persona_view

from .fake_models import ScriptedFakeChatModel, SettingsFakeChatModel, vs_json

PERSONAS = [
    Persona(name="Ada", description="An optimistic engineer."),
    Persona(name="Bo", description="A skeptical economist."),
    Persona(name="Cy", description="A retired sailor."),
]


def numbered_replies(n: int, k: int = 3) -> list[str]:
    """A FAKE script: call i offers lines 'i.0' .. 'i.(k-1)'."""
    return [vs_json([(f"line {i}.{j}", 1 / (j + 1)) for j in range(k)]) for i in range(n)]


def fake(n: int = 20, **kwargs: Any) -> ScriptedFakeChatModel:
    return ScriptedFakeChatModel(replies=numbered_replies(n), **kwargs)


def thread(name: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": name}}


def lines(state: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(m.name, m.text) for m in state["messages"] if isinstance(m, AIMessage)]


def test_persona_view_shows_own_lines_as_assistant_and_names_others():
    history = [
        HumanMessage("Should cities ban cars?", name="moderator"),
        AIMessage("Yes, gradually.", name="Ada"),
        AIMessage("Too costly.", name="Bo"),
    ]
    view = persona_view(PERSONAS[0], history)
    assert isinstance(view[0], SystemMessage)
    assert "You are Ada. An optimistic engineer." in view[0].content
    assert "talking with Bo, moderator" in view[0].content
    assert [(type(m).__name__, m.content) for m in view[1:]] == [
        ("HumanMessage", "moderator: Should cities ban cars?"),
        ("AIMessage", "Yes, gradually."),
        ("HumanMessage", "Bo: Too costly."),
    ]
    assert persona_view(PERSONAS[0], [])[-1].content == "Open the conversation."
    # When it spoke last, the view still ends on a user turn (never an assistant prefill).
    spoke_last = persona_view(PERSONAS[1], history)
    assert isinstance(spoke_last[-2], AIMessage) and spoke_last[-2].content == "Too costly."
    assert isinstance(spoke_last[-1], HumanMessage) and "next line" in spoke_last[-1].content


def test_node_returns_a_named_message_and_a_json_able_record():
    node = VerbalizedNode(fake(), PERSONAS[1], k=3, seed=1)
    update = node.invoke({"messages": [HumanMessage("Hi", name="moderator")]})
    (message,) = update["messages"]
    (record,) = update[DRAWS_KEY]
    assert message.name == "Bo" and message.content.startswith("line 0.")
    assert record["persona"] == "Bo" and record["turn"] == 0
    assert record["candidates"][record["chosen_index"]]["text"] == message.content
    assert json.loads(json.dumps(record)) == record


async def test_node_is_natively_async_and_seeded_per_turn():
    sync = VerbalizedNode(fake(), PERSONAS[0], k=3, seed=5).invoke({"messages": []})
    asynchronous = await VerbalizedNode(fake(), PERSONAS[0], k=3, seed=5).ainvoke({"messages": []})
    assert sync["messages"][0].content == asynchronous["messages"][0].content


def test_persona_options_win_over_node_options():
    persona = Persona(
        name="Dee",
        description="Terse.",
        k=2,
        selection="argmax",
        model_settings={"temperature": 1.3},
    )
    node = VerbalizedNode(SettingsFakeChatModel(replies=[]), persona, k=5, selection="uniform")
    assert (node.k, node.selection) == (2, "argmax")
    assert node.inner_model().temperature == 1.3
    with pytest.raises(ValueError, match="unknown model setting 'temperature' for ScriptedFake"):
        VerbalizedNode(fake(), persona)  # a model without the setting: refused, not dropped
    with pytest.raises(ValueError, match=r"k\n.*greater than or equal to 1"):
        Persona(name="E", description="x", k=0)  # at construction, not when the graph is built
    with pytest.raises(ValueError, match=r"k\n.*less than or equal to 50"):
        Persona(name="E", description="x", k=500)
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        Persona(name="E", description="x", kk=3)


def test_round_robin_nine_turns_three_each():
    graph = create_persona_simulation(
        PERSONAS, fake(), max_turns=9, k=3, seed=0, opening="Should cities ban cars?"
    )
    state = graph.invoke({"messages": []})
    speakers = [name for name, _ in lines(state)]
    assert speakers == ["Ada", "Bo", "Cy"] * 3
    assert state["turn"] == 9 and len(state[DRAWS_KEY]) == 9
    assert [d["turn"] for d in state[DRAWS_KEY]] == list(range(9))
    assert state["messages"][0].name == "moderator"


def test_custom_turn_order_and_stop_condition():
    def bo_first(state: dict[str, Any]) -> str:
        return "Bo" if state.get("turn", 0) % 2 == 0 else "Cy"

    def stop_after_four(state: dict[str, Any]) -> bool:
        return len(state.get(DRAWS_KEY, [])) >= 4

    graph = create_persona_simulation(
        PERSONAS, fake(), max_turns=9, k=3, turn_order=bo_first, stop_condition=stop_after_four
    )
    state = graph.invoke({"messages": [HumanMessage("Go", name="moderator")]})
    assert [name for name, _ in lines(state)] == ["Bo", "Cy", "Bo", "Cy"]


def test_same_seed_same_transcript_different_seed_differs():
    def run(seed: int) -> list[tuple[str | None, str]]:
        graph = create_persona_simulation(PERSONAS, fake(), max_turns=6, k=3, seed=seed)
        return lines(graph.invoke({"messages": []}))

    assert run(11) == run(11)
    assert len({tuple(run(s)) for s in range(6)}) > 1


def test_checkpoint_replay_never_redraws():
    model = fake()
    app = create_persona_simulation(PERSONAS, model, max_turns=6, k=3, checkpointer=InMemorySaver())
    final = app.invoke({"messages": []}, thread("t"))
    assert len(model.calls) == 6
    history = list(app.get_state_history(thread("t")))
    after_three = next(s for s in history if s.values.get("turn") == 3)
    replayed = app.invoke(None, after_three.config)
    assert replayed[DRAWS_KEY][:3] == final[DRAWS_KEY][:3]  # kept, not drawn again
    assert len(model.calls) == 9  # only turns 3, 4, 5 ran again


def test_state_survives_strict_serialization():
    app = create_persona_simulation(
        PERSONAS, fake(), max_turns=3, k=3, checkpointer=InMemorySaver()
    )
    state = app.invoke({"messages": [HumanMessage("Go", name="moderator")]}, thread("s"))
    strict = JsonPlusSerializer(pickle_fallback=False)
    restored = strict.loads_typed(strict.dumps_typed(state))
    assert restored[DRAWS_KEY] == state[DRAWS_KEY]
    assert [m.text for m in restored["messages"]] == [m.text for m in state["messages"]]


def test_inner_json_stays_out_of_the_messages_stream():
    app = create_persona_simulation(PERSONAS[:2], fake(), max_turns=2, k=3)
    streamed, custom = [], []
    for mode, chunk in app.stream({"messages": []}, stream_mode=["messages", "custom"]):
        if mode == "messages":
            streamed.append(chunk[0].text)
        else:
            custom.append(chunk)
    assert streamed and not any(text.lstrip().startswith("{") for text in streamed)
    assert [c["persona"] for c in custom] == ["Ada", "Bo"]
    assert all(c["type"] == "verbalized_sampling" and c["candidates"] for c in custom)


def test_node_in_a_users_own_graph():
    node = VerbalizedNode(fake(), k=3, draws_key="vs")

    class State(MessagesState):
        vs: list

    graph = StateGraph(State).add_node("assistant", node)
    graph.add_edge(START, "assistant")
    state = graph.compile().invoke({"messages": [HumanMessage("Hi")], "vs": []})
    assert state["messages"][-1].content.startswith("line 0.")


@pytest.mark.parametrize(
    ("personas", "max_turns", "message"),
    [
        ([], 3, "at least one persona"),
        ([PERSONAS[0], PERSONAS[0]], 3, "repeated: Ada"),
        (PERSONAS, 0, "max_turns must be an int of at least 1"),
        (PERSONAS, 2.5, "max_turns must be an int"),
        ([Persona(name="opening", description="x")], 3, "reserved"),
        ([Persona(name="next_speaker", description="x")], 3, "reserved"),
    ],
)
def test_bad_setup(personas, max_turns, message):
    with pytest.raises(ValueError, match=message):
        create_persona_simulation(personas, fake(), max_turns=max_turns)


def _graph_size(app) -> tuple[int, int]:
    """(edges + conditional-edge targets as built, edges as drawn)."""
    builder = app.builder
    built = len(builder.edges) + sum(
        len(branch.ends or ())
        for branches in builder.branches.values()
        for branch in branches.values()
    )
    return built, len(app.get_graph().edges)


@pytest.mark.parametrize("turn_order", ["round_robin", lambda state: "P0", "parallel_drafts"])
def test_the_graph_grows_linearly_with_the_personas(turn_order):
    # Not one conditional edge per persona to every persona: 1,000 personas took seconds and
    # hundreds of MB to compile (benchmarks/graph_size.py).
    for n in (10, 200):
        personas = [Persona(name=f"P{i}", description="A voice.") for i in range(n)]
        app = create_persona_simulation(personas, fake(), max_turns=3, turn_order=turn_order)
        built, drawn = _graph_size(app)
        assert built <= 2 * n + 10 and drawn <= 2 * n + 10, (n, built, drawn)


def test_one_router_picks_the_speaker_and_persona_interrupts_still_work():
    app = create_persona_simulation(
        PERSONAS,
        fake(),
        max_turns=4,
        k=3,
        seed=1,
        checkpointer=InMemorySaver(),
        interrupt_after=["Bo"],
    )
    config = thread("router")
    state = app.invoke({"messages": []}, config)
    assert [name for name, _ in lines(state)] == ["Ada", "Bo"]  # paused after Bo's line
    state = app.invoke(None, config)
    assert [name for name, _ in lines(state)] == ["Ada", "Bo", "Cy", "Ada"]
    assert [d["turn"] for d in state[DRAWS_KEY]] == [0, 1, 2, 3]
    # A persona may be called like the router when personas are not nodes.
    drafting = create_persona_simulation(
        [Persona(name="next_speaker", description="x"), PERSONAS[0]],
        fake(),
        max_turns=1,
        k=3,
        turn_order="parallel_drafts",
    )
    assert lines(drafting.invoke({"messages": []}))


def test_bad_persona_and_turn_order():
    with pytest.raises(ValueError, match="must be non-empty"):
        Persona(name="a:b", description="x")
    with pytest.raises(ValueError, match="turn_order"):
        create_persona_simulation(PERSONAS, fake(), max_turns=3, turn_order="random")  # type: ignore[arg-type]
    graph = create_persona_simulation(PERSONAS, fake(), max_turns=3, turn_order=lambda s: "Zed")
    with pytest.raises(ValueError, match="turn_order chose 'Zed'"):
        graph.invoke({"messages": []})


class PersonaAwareFake(ScriptedFakeChatModel):
    """FAKE: each persona offers its own lines; their top probabilities rank Bo > Cy > Ada.

    The reply depends on who asks (read from the system prompt), not on the call order, so
    concurrent drafts get the same answers whatever order they run in.
    """

    def _next(self, messages, kwargs):
        with self._lock:
            self.calls.append({"messages": messages, "structured": False, "schema": None})
        name = messages[0].text.split("You are ", 1)[1].split(".", 1)[0]
        turn = sum(1 for m in messages if isinstance(m, AIMessage) or m.type == "human") - 1
        top = {"Ada": 0.5, "Bo": 0.7, "Cy": 0.6}[name]
        return AIMessage(vs_json([(f"{name} says {turn}", top), (f"{name} hedges", 1 - top)]))


def drafting_app(model, **options):
    return create_persona_simulation(
        PERSONAS,
        model,
        max_turns=4,
        k=2,
        selection="argmax",
        turn_order="parallel_drafts",
        opening="Go",
        checkpointer=InMemorySaver(),
        **options,
    )


def test_parallel_drafts_everyone_drafts_and_the_rule_picks():
    model = PersonaAwareFake(replies=["unused"])
    state = drafting_app(model).invoke({"messages": []}, thread("d"))
    # Bo is always most confident, but never speaks twice in a row: then Cy (0.6) beats Ada.
    assert [name for name, _ in lines(state)] == ["Bo", "Cy", "Bo", "Cy"]
    assert len(model.calls) == 12  # three drafts per spoken line
    assert all(isinstance(call["messages"][-1], HumanMessage) for call in model.calls)
    assert state["turn"] == 4 and state["drafts"] == []
    first = state[DRAWS_KEY][0]
    assert first["persona"] == "Bo" and first["turn"] == 0
    assert [(d["persona"], d["probability"], d["model_calls"]) for d in first["drafts"]] == [
        ("Ada", 0.5, 1),
        ("Bo", 0.7, 1),
        ("Cy", 0.6, 1),
    ]


async def test_parallel_drafts_async_matches_sync():
    sync = drafting_app(PersonaAwareFake(replies=["unused"]), seed=3)
    run_async = drafting_app(PersonaAwareFake(replies=["unused"]), seed=3)
    expected = lines(sync.invoke({"messages": []}, thread("s")))
    assert lines(await run_async.ainvoke({"messages": []}, thread("a"))) == expected


def test_a_custom_speaker_rule_and_its_errors():
    def ada_always(state, drafts):
        assert [d["persona"] for d in drafts] == ["Ada", "Bo", "Cy"]  # persona order
        return "Ada"

    state = drafting_app(PersonaAwareFake(replies=["x"]), speaker_rule=ada_always).invoke(
        {"messages": []}, thread("r")
    )
    assert [name for name, _ in lines(state)] == ["Ada"] * 4
    with pytest.raises(ValueError, match="speaker_rule chose 'Zed'"):
        drafting_app(PersonaAwareFake(replies=["x"]), speaker_rule=lambda s, d: "Zed").invoke(
            {"messages": []}, thread("z")
        )
    with pytest.raises(ValueError, match="parallel_drafts' only"):
        create_persona_simulation(PERSONAS, fake(), max_turns=3, speaker_rule=ada_always)


def test_parallel_drafts_checkpoints_serialize_and_replay_without_redrawing():
    model = PersonaAwareFake(replies=["x"])
    app = drafting_app(model)
    final = app.invoke({"messages": []}, thread("c"))
    history = list(app.get_state_history(thread("c")))
    mid_round = next(s for s in history if len(s.values.get("drafts") or []) == 3)
    strict = JsonPlusSerializer(pickle_fallback=False)
    restored = strict.loads_typed(strict.dumps_typed(mid_round.values))
    assert [d["message"].text for d in restored["drafts"]] == [
        d["message"].text for d in mid_round.values["drafts"]
    ]
    calls = len(model.calls)
    after_two = next(s for s in history if s.values.get("turn") == 2 and not s.values["drafts"])
    replayed = app.invoke(None, after_two.config)
    assert replayed[DRAWS_KEY][:2] == final[DRAWS_KEY][:2]
    assert len(model.calls) == calls + 6  # only the two remaining rounds drafted again


def test_simulation_status_and_continue_read_the_state_not_next():
    from langchain_vs import simulation_status
    from langchain_vs.graph._simulation import continue_simulation

    saver = InMemorySaver()
    options: dict[str, Any] = {"max_turns": 3, "k": 3, "seed": 1, "checkpointer": saver}
    config = thread("status")
    interrupted = create_persona_simulation(
        PERSONAS[:2], fake(), interrupt_after=["Ada"], **options
    )
    assert simulation_status(interrupted, config) == "new"
    interrupted.invoke({"messages": []}, config)  # stops after Ada's first line
    assert simulation_status(interrupted, config) == "unfinished"

    app = create_persona_simulation(PERSONAS[:2], fake(), **options)
    # An unfinished thread whose snapshot lists no next task (a run killed between writing a
    # step and checkpointing the next): still unfinished, and continued from its turn count.
    app.update_state(config, {"drafts": None}, as_node="finish")
    assert app.get_state(config).next == ()
    assert simulation_status(app, config) == "unfinished"
    state = continue_simulation(app, config)
    assert [name for name, _ in lines(state)] == ["Ada", "Bo", "Ada"]
    assert [d["turn"] for d in state[DRAWS_KEY]] == [0, 1, 2]
    assert simulation_status(app, config) == "finished"
    assert continue_simulation(app, config) == state  # finished: read, not run again


async def test_async_status_and_continue_start_a_new_thread():
    from langchain_vs.graph._simulation import acontinue_simulation, asimulation_status

    app = create_persona_simulation(
        PERSONAS[:2], fake(), max_turns=2, k=3, checkpointer=InMemorySaver()
    )
    assert await asimulation_status(app, thread("a")) == "new"
    state = await acontinue_simulation(app, thread("a"))
    assert state["finished"] is True and state["turn"] == 2
    assert await asimulation_status(app, thread("a")) == "finished"


def test_typos_in_simulation_options_fail_when_the_graph_is_made():
    with pytest.raises(ValueError, match="unknown option 'kk' \\(did you mean 'k'\\?\\)"):
        create_persona_simulation(PERSONAS, fake(), max_turns=2, kk=3)


def test_a_persona_seed_depends_on_its_name():
    # Two personas with the same options at the same turn must not draw the same way.
    ada = VerbalizedNode(fake(), PERSONAS[0], seed=1)
    bo = VerbalizedNode(fake(), PERSONAS[1], seed=1)
    draws_ada = [ada._rng(0).random() for _ in range(1)]
    draws_bo = [bo._rng(0).random() for _ in range(1)]
    assert draws_ada != draws_bo


def test_a_node_with_a_schema_speaks_its_objects_as_json_and_records_them():
    from pydantic import BaseModel

    class Move(BaseModel):
        action: str
        confidence: int

    reply = json.dumps(
        {
            "responses": [
                {"value": {"action": "raise", "confidence": 3}, "probability": 0.7},
                {"value": {"action": "fold", "confidence": 1}, "probability": 0.3},
            ]
        }
    )
    node = VerbalizedNode(
        ScriptedFakeChatModel(replies=[reply]), PERSONAS[0], k=2, schema=Move, seed=1
    )
    update = node.invoke({"messages": [HumanMessage("Your move.", name="dealer")]})
    (message,) = update["messages"]
    (record,) = update[DRAWS_KEY]
    chosen = record["candidates"][record["chosen_index"]]
    assert Move.model_validate_json(message.content) == Move.model_validate(chosen["value"])
    assert json.loads(json.dumps(record)) == record  # checkpoint-safe: values as plain data
