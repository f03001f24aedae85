"""Simulation metrics on real debates of the local model, with the real offline embeddings."""

import json
from typing import Any

from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver

from langchain_vs import compare_outcomes, simulation_metrics
from langchain_vs.graph import create_persona_simulation

from .simulation_runner import OPENING, PERSONAS


def test_metrics_of_two_seeded_debates_and_their_outcomes(chat_model: ChatOpenAI) -> None:
    saver = InMemorySaver()  # both threads in one checkpointer, measured by snapshot
    configs = []
    for seed in (1, 2):
        app = create_persona_simulation(
            PERSONAS[:2], chat_model, max_turns=4, k=3, seed=seed, opening=OPENING,
            checkpointer=saver,
        )  # fmt: skip
        configs.append({"configurable": {"thread_id": f"debate-{seed}"}})
        app.invoke({"messages": []}, configs[-1])
    snapshots = [app.get_state(config) for config in configs]

    report = simulation_metrics(snapshots, PERSONAS[:2], judge=chat_model)
    assert (report.simulations, report.lines) == (2, 8)
    assert report.embeddings == "MiniLMEmbeddings"  # the offline default
    assert len(report.per_turn_diversity) == 4
    assert all(0 <= d <= 2 for d in report.per_turn_diversity if d is not None)
    assert len(report.convergence.similarities) == 2  # windows of one round (2 lines)
    for persona in report.personas:
        assert persona.lines == 4
        assert persona.adherence is not None and -2 <= persona.adherence <= 2
        assert persona.recognized is not None and 0 <= persona.recognized <= 1
        assert 0 <= persona.exact_repeats <= 3 and 0 <= persona.near_repeats <= 3
        assert persona.judge_score in {1, 2, 3, 4, 5} and persona.judge_reason
    json.dumps(report.to_dict())
    assert "| Maya | 4 |" in report.to_markdown()

    def words_in_last_line(state: dict[str, Any]) -> int:
        return len(state["messages"][-1].text.split())

    outcomes = compare_outcomes(snapshots, words_in_last_line, [10, 20, 30])
    assert outcomes.kind == "numeric" and len(outcomes.outcomes) == 2
    assert 0 <= outcomes.ks_statistic <= 1 and 0 <= outcomes.histogram_l1 <= 2
