"""Simulation metrics and outcome comparison: known inputs -> hand-computed numbers, bad input.

The embeddings here are a FAKE (a lookup table of 2-d unit vectors), so every cosine is known
and the expected numbers below are worked out by hand; the real embeddings are exercised in
the integration test on the local model.
"""

import json
import math
import subprocess
import sys
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph

from langchain_vs import Persona, compare_outcomes, simulation_metrics
from langchain_vs.graph import OutcomeComparison, SimulationMetrics

from .fake_models import ScriptedFakeChatModel


class TableEmbeddings(Embeddings):
    """FAKE embeddings for logic tests: a fixed vector per known text; counts what it embeds."""

    def __init__(self, table: dict[str, tuple[float, float]]) -> None:
        self.table, self.embedded = table, []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return [list(self.table[text]) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


# cos(a1, a2) = 0.6, cos(a1, b2) = 0.8, cos(a2, b1) = 0.8, cos(a2, b2) = 0.96, cos(b1, b2) = 0.6,
# cos(a1, b1) = 0; each persona's description points like its first line.
TABLE = {
    "dA": (1.0, 0.0),
    "dB": (0.0, 1.0),
    "a1": (1.0, 0.0),
    "a2": (0.6, 0.8),
    "b1": (0.0, 1.0),
    "b2": (0.8, 0.6),
}
CAST = [Persona(name="A", description="dA"), Persona(name="B", description="dB")]


def state(*lines: tuple[str, str], opening: bool = True) -> dict[str, Any]:
    messages = [HumanMessage("topic?", name="moderator")] if opening else []
    return {"messages": [*messages, *(AIMessage(text, name=name) for name, text in lines)]}


# Two simulations of four turns; in the second, A says a1 twice (an exact repeat).
RUNS = [
    state(("A", "a1"), ("B", "b1"), ("A", "a2"), ("B", "b2")),
    state(("A", "a1"), ("B", "b2"), ("A", "a1"), ("B", "b1")),
]


def measure(states: Any = RUNS, **options: Any) -> SimulationMetrics:
    return simulation_metrics(states, CAST, embeddings=TableEmbeddings(TABLE), **options)


def test_per_persona_numbers_match_the_hand_computation() -> None:
    a, b = measure().personas
    # A's lines a1, a2, a1, a1: cos to dA 1, .6, 1, 1; to dB 0, .8, 0, 0; a2 is nearer dB.
    assert (a.name, a.lines) == ("A", 4)
    assert a.own_similarity == pytest.approx(0.9)
    assert a.others_similarity == pytest.approx(0.2)
    assert a.adherence == pytest.approx(0.7)
    assert a.recognized == pytest.approx(0.75)
    assert a.diversity == pytest.approx(1 - 4.8 / 6)  # pairs: three at 1.0, three at 0.6
    assert (a.exact_repeats, a.near_repeats) == (1, 1)  # a1 twice in the second run only
    # B's lines b1, b2, b2, b1: cos to dB 1, .6, .6, 1; to dA 0, .8, .8, 0; b2 is nearer dA.
    assert b.adherence == pytest.approx(0.8 - 0.4)
    assert b.recognized == pytest.approx(0.5)
    assert b.diversity == pytest.approx(1 - 4.4 / 6)
    assert (b.exact_repeats, b.near_repeats) == (0, 0)  # b2 then b1 in another run: no repeat


def test_overall_per_turn_and_convergence_numbers() -> None:
    report = measure()
    assert (report.simulations, report.lines) == (2, 8)
    assert report.adherence == pytest.approx((0.7 + 0.4) / 2)
    # 28 pairs of the eight lines; their cosines sum to 17.52.
    assert report.diversity == pytest.approx(1 - 17.52 / 28)
    # Per turn, across the two runs: a1|a1, b1|b2, a2|a1, b2|b1.
    assert report.per_turn_diversity == pytest.approx((0.0, 0.4, 0.4, 0.4))
    # Windows of one round (2 lines): (a1·b1 + a1·b2) / 2, then (a2·b2 + a1·b1) / 2.
    assert report.convergence.window == 2
    assert report.convergence.similarities == pytest.approx((0.4, 0.48))
    assert report.convergence.slope == pytest.approx(0.08)
    whole = measure(window=4).convergence  # every cross-persona pair of each run: 4.16 / 8
    assert whole.similarities == pytest.approx((0.52,)) and whole.slope is None


def test_each_text_is_embedded_once_and_the_report_is_json() -> None:
    embeddings = TableEmbeddings(TABLE)
    report = simulation_metrics(RUNS, CAST, embeddings=embeddings)
    assert sorted(embeddings.embedded) == sorted(TABLE)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["personas"][0]["adherence"] == pytest.approx(0.7)
    assert data["embeddings"] == "TableEmbeddings"
    summary = report.to_markdown()
    assert "| A | 4 | 0.200 | 0.900 | 0.200 | 0.700 | 0.750 | 1 | 1 |" in summary
    assert "slope 0.080 per window" in summary


def test_a_running_simulation_message_dicts_and_one_persona() -> None:
    # A run stopped after A's first line: B has no line yet, nothing per turn across runs.
    report = measure(state(("A", "a1")))
    assert report.personas[1].lines == 0 and report.personas[1].adherence is None
    assert report.per_turn_diversity == (None,) and report.diversity is None
    # Message dicts, as LangGraph Server returns a state, read the same as messages.
    lines = [("A", "a1"), ("B", "b1"), ("A", "a2"), ("B", "b2")]
    as_json = {"messages": [{"type": "ai", "name": n, "content": t} for n, t in lines]}
    assert measure(as_json).personas == measure(RUNS[0]).personas
    # With a single persona, adherence against "the others" is undefined.
    alone = simulation_metrics(
        state(("A", "a1"), ("A", "a2")), CAST[:1], embeddings=TableEmbeddings(TABLE)
    )
    assert alone.personas[0].own_similarity == pytest.approx(0.8)
    assert alone.personas[0].adherence is None and alone.adherence is None


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ([], "no simulations given"),
        (state(), "simulation 0 has no persona lines yet"),
        ([RUNS[0], state(("A", "a1"), ("Zed", "a2"))], r"simulation 1: line 1 is spoken by 'Zed'"),
        ([{"turn": 3}], "simulation 0 has no 'messages'"),
    ],
)
def test_bad_simulations_name_the_simulation(states: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        measure(states)


def test_bad_options_and_cast() -> None:
    with pytest.raises(TypeError, match="states must be"):
        measure("a transcript")
    with pytest.raises(TypeError, match="embeddings must be LangChain Embeddings"):
        simulation_metrics(RUNS, CAST, embeddings="minilm")
    with pytest.raises(ValueError, match="window must be at least 2"):
        measure(window=1)
    with pytest.raises(TypeError, match="window must be an int"):
        measure(window=2.0)
    with pytest.raises(ValueError, match=r"near_threshold must be in \(0, 1\]"):
        measure(near_threshold=0)
    with pytest.raises(ValueError, match="personas is empty"):
        simulation_metrics(RUNS, [])
    with pytest.raises(ValueError, match="repeated: A"):
        simulation_metrics(RUNS, [CAST[0], CAST[0]])


# -- outcomes ------------------------------------------------------------------------------------


def last_line(simulation: dict[str, Any]) -> str:
    return str(simulation["messages"][-1].text)


def runs(*last: str) -> list[dict[str, Any]]:
    return [state(("A", text)) for text in last]


def test_categories_against_a_reference_hand_computed() -> None:
    result = compare_outcomes(runs("yes", "no", "yes", "no"), last_line, {"yes": 3, "no": 1})
    # P = (.5, .5) for (no, yes), Q = (.25, .75); M = (.375, .625).
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    js = (
        0.5 * math.log2(0.5 / 0.375)
        + 0.5 * math.log2(0.5 / 0.625)
        + 0.25 * math.log2(0.25 / 0.375)
        + 0.75 * math.log2(0.75 / 0.625)
    ) / 2
    assert result.kind == "categorical" and result.outcomes == ("yes", "no", "yes", "no")
    assert result.distribution == {"no": 0.5, "yes": 0.5}
    assert result.reference == {"no": 0.25, "yes": 0.75}
    assert result.kl_divergence == pytest.approx(kl, abs=1e-5)
    assert result.js_divergence == pytest.approx(js)
    assert result.ks_statistic is None
    # Observed outcomes as the reference count the same as the mapping.
    observed = compare_outcomes(runs("yes", "no", "yes", "no"), last_line, ["yes"] * 3 + ["no"])
    assert observed == result
    assert "| yes | 0.500 | 0.750 |" in result.to_markdown()
    json.dumps(result.to_dict())


def test_a_category_the_reference_never_saw_is_smoothed() -> None:
    result = compare_outcomes(runs("yes", "maybe"), last_line, {"yes": 1.0}, epsilon=1e-6)
    # KL: 0.5 ln(0.5 / q(yes)) + 0.5 ln(0.5 / q(maybe)), q smoothed: (1 + e, e) / (1 + 2e).
    q_yes, q_maybe = (1 + 1e-6) / (1 + 2e-6), 1e-6 / (1 + 2e-6)
    expected = 0.5 * math.log(0.5 / q_yes) + 0.5 * math.log(0.5 / q_maybe)
    assert result.kl_divergence == pytest.approx(expected)
    # JS needs no smoothing: M = (.75, .25) for (yes, maybe).
    js = (0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25) + math.log2(1 / 0.75)) / 2
    assert result.js_divergence == pytest.approx(js)


def test_numbers_ks_and_histogram_l1_hand_computed() -> None:
    def amount(simulation: dict[str, Any]) -> float:
        return float(last_line(simulation))

    result = compare_outcomes(runs("1", "2", "3", "4"), amount, [3, 4, 5, 6], bins=5)
    # CDF gaps at 2, 3, 4: .5 - 0, .75 - .25, 1 - .5. Bins of width 1 over [1, 6]:
    # simulated (.25, .25, .25, .25, 0), reference (0, 0, .25, .25, .5).
    assert result.kind == "numeric"
    assert result.ks_statistic == pytest.approx(0.5)
    assert result.histogram_l1 == pytest.approx(1.0)
    assert (result.mean, result.reference_mean) == (2.5, 4.5)
    assert result.kl_divergence is None
    apart = compare_outcomes(runs("1", "2"), amount, [5, 6])
    assert (apart.ks_statistic, apart.histogram_l1) == (1.0, 2.0)
    same = compare_outcomes(runs("7", "7"), amount, [7])
    assert (same.ks_statistic, same.histogram_l1) == (0.0, 0.0)
    assert "KS 0.500, histogram L1 1.000 (5 bins)" in result.to_markdown()


def test_an_extractor_that_raises_names_the_simulation_and_chains_the_cause() -> None:
    def vote(simulation: dict[str, Any]) -> str:
        return {"yes": "yes", "no": "no"}[last_line(simulation)]

    with pytest.raises(ValueError, match="failed on simulation 1: KeyError") as caught:
        compare_outcomes(runs("yes", "???"), vote, {"yes": 1, "no": 1})
    assert isinstance(caught.value.__cause__, KeyError)


def test_checkpointed_threads_are_named_by_thread_id() -> None:
    # A real LangGraph graph and checkpointer (no model): snapshots carry their thread id.
    def speak(_: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage("a1", name="A")]}

    graph = StateGraph(MessagesState)
    graph.add_node("A", speak)
    graph.add_edge(START, "A")
    app = graph.compile(checkpointer=InMemorySaver())
    snapshots = []
    for thread in ("t-1", "t-2"):
        config = {"configurable": {"thread_id": thread}}
        app.invoke({"messages": []}, config)
        snapshots.append(app.get_state(config))
    assert measure(snapshots).simulations == 2

    def broken(simulation: dict[str, Any]) -> str:
        raise RuntimeError("no vote found")

    with pytest.raises(ValueError, match="failed on thread 't-1': RuntimeError: no vote found"):
        compare_outcomes(snapshots, broken, {"yes": 1})


@pytest.mark.parametrize(
    ("extractor", "reference", "error", "message"),
    [
        (lambda s: "yes" if last_line(s) == "1" else 3, {"yes": 1}, ValueError, "mix categories"),
        (lambda s: 3, {"yes": 1}, ValueError, "outcomes are numeric but the reference is categ"),
        (lambda s: "yes", [1, 2], ValueError, "categorical but the reference is numeric"),
        (lambda s: "yes", {"no": 1, "maybe": 2}, ValueError, r"none of the simulated .*'yes'"),
        (lambda s: "yes", {"yes": -1}, ValueError, "finite numbers of at least 0"),
        (lambda s: "yes", [], ValueError, "reference is empty"),
        (lambda s: "yes", "yes", TypeError, "reference must be a mapping"),
        (lambda s: 3, {3: 1}, TypeError, "list of observed numbers"),
        (lambda s: None, {"yes": 1}, TypeError, r"returned None for simulation 0"),
        (lambda s: True, {"yes": 1}, TypeError, r"returned True for simulation 0"),
        (lambda s: math.nan, [1.0], ValueError, r"returned nan for simulation 0"),
        ("not callable", {"yes": 1}, TypeError, "extractor must be a function"),
    ],
)
def test_bad_outcomes_and_references(
    extractor: Any, reference: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        compare_outcomes(runs("1", "2"), extractor, reference)


def test_bad_outcome_options() -> None:
    with pytest.raises(ValueError, match="bins must be an int of at least 1"):
        compare_outcomes(runs("1"), last_line, {"1": 1}, bins=0)
    with pytest.raises(ValueError, match=r"epsilon must be a number in \(0, 1\)"):
        compare_outcomes(runs("1"), last_line, {"1": 1}, epsilon=0)
    assert isinstance(compare_outcomes(runs("1"), last_line, {"1": 1}), OutcomeComparison)


def test_a_judge_rates_each_persona_in_one_structured_call() -> None:
    judge = ScriptedFakeChatModel(
        replies=['{"score": 4, "reason": "Sounds like them."}'], structured=True
    )
    report = measure(RUNS[0], judge=judge)
    assert [(p.judge_score, p.judge_reason) for p in report.personas] == [
        (4, "Sounds like them."),
        (4, "Sounds like them."),
    ]
    assert judge.structured_calls == [True, True]  # one call per persona
    prompts = sorted(call["messages"][-1].text for call in judge.calls)
    assert "Persona: A. dA" in prompts[0] and "1. a1\n2. a2" in prompts[0]
    assert "Persona: B. dB" in prompts[1] and "1. b1\n2. b2" in prompts[1]
    assert "A, judged 4/5: Sounds like them." in report.to_markdown()
    silent = ScriptedFakeChatModel(replies=['{"score": 2, "reason": "Generic."}'], structured=True)
    (a, b) = measure(state(("A", "a1")), judge=silent).personas
    assert (a.judge_score, b.judge_score, len(silent.calls)) == (2, None, 1)  # B has no line
    with pytest.raises(TypeError, match="model must be"):
        measure(judge=42)


def test_without_numpy_the_names_import_and_the_metrics_name_the_extra() -> None:
    # A fresh interpreter where numpy cannot be imported, as on a core install.
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "from langchain_core.messages import AIMessage\n"
        "from langchain_vs import compare_outcomes, simulation_metrics\n"
        "state = {'messages': [AIMessage('2', name='A'), AIMessage('3', name='A')]}\n"
        "print(compare_outcomes([state], lambda s: 2.0, [1.0]).ks_statistic)\n"
        "try:\n"
        "    simulation_metrics(state, [{'name': 'A', 'description': 'a'}])\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    numbers, error = out.stdout.splitlines()
    assert numbers == "1.0"  # numbers need no numpy
    assert "needs numpy" in error and 'pip install "langchain-vs[' in error
