"""Benchmark logic on a FAKE chat model (the real run is `langchain-vs bench`)."""

import itertools
import json
import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_openai import ChatOpenAI

from langchain_vs.apps._bench import (
    load_tasks,
    markdown_table,
    run_benchmark,
    token_level_arms,
    write_report,
)
from langchain_vs.cli import _main as cli
from langchain_vs.eval._embeddings import HashedNgramEmbeddings, default_embeddings, embeddings_name
from langchain_vs.eval._metrics import semantic_diversity

from .fake_models import ScriptedFakeChatModel, vs_json
from .test_dataset_scoring import TableScorer


class MethodAwareFake(ScriptedFakeChatModel):
    """FAKE: VS JSON when the system prompt asks for a distribution, else one plain line.

    Direct answers cycle through three lines (a collapsed model); VS offers six faces/lines.
    """

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        self.calls.append({"messages": messages, "structured": False, "schema": None})
        system = messages[0].content if isinstance(messages[0], SystemMessage) else ""
        if "Sample" in str(system):
            reply = vs_json([(str(face), 1 / 6) for face in range(1, 7)])
        else:
            reply = str(next(self._cycle))
        return AIMessage(
            reply, usage_metadata={"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}
        )

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        object.__setattr__(self, "_cycle", itertools.cycle(["4", "4", "3"]))


def test_tasks_ship_with_references():
    tasks = load_tasks()
    assert set(tasks) == {"joke", "poem", "story", "dice", "states"}
    assert len(tasks["states"]["reference"]) == 50
    assert all(tasks[t]["kind"] == "answer" for t in ("dice", "states"))


def test_answer_task_vs_beats_collapsed_direct():
    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["dice"],
        methods=["direct", "vs_standard"],
        samples=30,
        k=6,
        token_baselines=False,
    )
    direct, vs = report["rows"]
    assert (direct["arm"], vs["arm"]) == ("direct", "vs_standard")
    assert direct["responses"] == vs["responses"] == 30
    assert direct["distinct"] == 2 and vs["distinct"] >= 5
    assert vs["kl"] < direct["kl"] and vs["coverage"] > direct["coverage"]
    assert direct["tokens_per_distinct"] == 30 * 7 / 2
    assert json.loads(json.dumps(report)) == report


def test_creative_task_counts_every_candidate():
    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["joke"],
        methods=["direct", "vs_standard"],
        samples=6,
        k=6,
        token_baselines=False,
    )
    direct, vs = report["rows"]
    assert vs["calls"] == 2 and direct["calls"] == 12  # 2 prompts: 1 VS call vs 6 direct each
    assert vs["responses"] == direct["responses"] == 12
    assert vs["semantic_diversity"] > direct["semantic_diversity"]


def test_token_level_arms_follow_the_api():
    local = ChatOpenAI(
        base_url="http://127.0.0.1:8080/v1", api_key="x", extra_body={"repeat_penalty": 1.1}
    )
    names = [arm.name for arm in token_level_arms(local)]
    assert names == ["direct T=1.5 min_p=0.1", "direct T=1.0 top_k=20"]
    assert token_level_arms(local)[0].model_settings["extra_body"] == {
        "repeat_penalty": 1.1,
        "min_p": 0.1,
    }
    hosted = ChatOpenAI(model="gpt-4.1-mini", api_key="x")
    assert [a.name for a in token_level_arms(hosted)] == ["direct T=1.2 top_p=0.95"]


def test_report_files(tmp_path):
    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["joke", "dice"],
        methods=["direct", "vs_standard"],
        samples=4,
        k=4,
        token_baselines=False,
    )
    written = write_report(report, tmp_path)
    assert sorted(p.name for p in written) == [
        "diversity.png",
        "kl.png",
        "pareto.png",  # dice only: the fake model has no scorer for the joke's quality
        "results.json",
        "results.md",
    ]
    assert all(p.stat().st_size > 0 for p in written)
    assert markdown_table(report).startswith("| task | arm |")
    assert report["config"]["embeddings"] == embeddings_name(default_embeddings())


def test_the_embeddings_given_score_the_diversity():
    lexical = HashedNgramEmbeddings()
    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["joke"],
        methods=["vs_standard"],
        samples=6,
        k=6,
        token_baselines=False,
        embeddings=lexical,
    )
    (row,) = report["rows"]
    assert report["config"]["embeddings"] == "HashedNgramEmbeddings"
    faces = [str(face) for face in range(1, 7)]  # what the fake offers for every prompt
    assert row["semantic_diversity"] == pytest.approx(semantic_diversity(faces, lexical))


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown tasks"):
        run_benchmark(MethodAwareFake(replies=["x"]), tasks=["chess"])
    with pytest.raises(ValueError, match="samples must be at least 1"):
        run_benchmark(MethodAwareFake(replies=["x"]), tasks=["dice"], samples=0)
    with pytest.raises(SystemExit):
        cli.main(["bench", "--methods", "best"])


def test_a_failing_call_is_counted_not_fatal():
    class Flaky(MethodAwareFake):
        """FAKE whose every fourth call fails like a server error."""

        def _next(self, messages, kwargs):
            if len(self.calls) % 4 == 3:
                self.calls.append({"messages": messages, "structured": False, "schema": None})
                raise ConnectionError("server said 400: context exceeded")
            return super()._next(messages, kwargs)

    report = run_benchmark(
        Flaky(replies=["x"]), tasks=["dice"], methods=["direct"], samples=6, token_baselines=False
    )
    (row,) = report["rows"]
    assert row["responses"] == 6 and row["failures"] >= 1
    assert row["errors"] == ["ConnectionError: server said 400: context exceeded"]


FACES = {str(face): float(face) for face in range(1, 7)}


def test_creative_quality_is_the_scorers_mean_over_each_prompts_responses(tmp_path):
    scorer = TableScorer(FACES, name="faces")
    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["joke", "dice"],
        methods=["direct", "vs_standard"],
        samples=4,
        k=6,
        token_baselines=False,
        quality_scorer=scorer,
    )
    assert report["config"]["quality"] == {"creative": "faces", "answer": "valid_rate"}
    joke = load_tasks()["joke"]["prompts"]
    # One batch per prompt and arm, the prompt as the request: direct's, then VS's.
    assert [b[0] for b in scorer.batches] == [[joke[0]], [joke[1]]] * 2
    direct_texts = [t for _, texts in scorer.batches[:2] for t in texts]
    direct, vs, direct_dice, vs_dice = report["rows"]
    assert direct["quality"] == pytest.approx(sum(FACES[t] for t in direct_texts) / 8)
    assert vs["quality"] == pytest.approx((1 + 2 + 3 + 4) / 4)  # each prompt's first 4 faces
    assert direct_dice["valid_rate"] == vs_dice["valid_rate"] == 1.0  # every answer a face
    assert "quality" not in direct_dice and "valid_rate" not in direct
    assert "| quality |" in markdown_table(report) and "| valid_rate |" in markdown_table(report)
    assert (tmp_path / "pareto.png") in write_report(report, tmp_path)


def test_an_invalid_answer_lowers_the_valid_rate():
    class Chatty(MethodAwareFake):  # FAKE: a direct answer in a sentence half of the time
        def model_post_init(self, context: Any, /) -> None:
            super().model_post_init(context)
            object.__setattr__(self, "_cycle", itertools.cycle(["4", "You rolled a 4!"]))

    report = run_benchmark(
        Chatty(replies=["unused"]),
        tasks=["dice"],
        methods=["direct"],
        samples=6,
        token_baselines=False,
    )
    assert report["rows"][0]["valid_rate"] == 0.5


def test_a_failing_scorer_leaves_quality_empty_and_says_why():
    class Down(TableScorer):
        def score(self, request, candidates):  # FAKE: its server is down
            raise ConnectionError("refused")

    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["joke"],
        methods=["vs_standard"],
        samples=2,
        k=2,
        token_baselines=False,
        quality_scorer=Down({}, name="down"),
    )
    row = report["rows"][0]
    assert row["quality"] is None and row["semantic_diversity"] is not None
    assert row["errors"] == ["scorer down: ConnectionError: refused"]


def test_the_default_quality_scorer_needs_a_llama_cpp_server():
    report = run_benchmark(
        MethodAwareFake(replies=["unused"]),
        tasks=["joke"],
        methods=["vs_standard"],
        samples=2,
        k=2,
        token_baselines=False,
    )
    assert report["config"]["quality"]["creative"] is None
    assert report["rows"][0]["quality"] is None
    with pytest.raises(TypeError, match=r"quality_scorer must be a langchain_vs\.core\.Scorer"):
        run_benchmark(MethodAwareFake(replies=["unused"]), tasks=["joke"], quality_scorer=len)


class CountingJudgeFake(ScriptedFakeChatModel):
    """FAKE judge: scores every candidate it is shown 7, with a reason (any count)."""

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        self.calls.append({"messages": messages, "structured": False, "schema": None})
        count = int(re.search(r"each of the (\d+) candidates", str(messages[0].content))[1])
        scores = {str(n): {"reason": "fine", "score": 7} for n in range(1, count + 1)}
        return AIMessage(json.dumps({"scores": scores}))


def test_bench_judge_flag_scores_creative_rows_with_an_llm_judge(tmp_path, monkeypatch, capsys):
    judge_model = CountingJudgeFake(replies=["unused"])
    named: list[tuple[str, Any]] = []

    def by_name(name: str, **settings: Any) -> Any:
        named.append((name, settings.get("base_url")))
        return judge_model

    monkeypatch.setattr(
        "langchain_vs.cli._shared.chat_model", lambda args: MethodAwareFake(replies=["unused"])
    )
    monkeypatch.setattr("langchain_vs.local.resolve_chat_model", by_name)
    argv = ["bench", "--tasks", "joke", "--methods", "vs_standard", "--samples", "2", "-k", "3",
            "--no-token-baselines", "--embeddings", "hashed", "--out", str(tmp_path),
            "--judge", "judge-model", "--judge-base-url", "http://127.0.0.1:9/v1"]  # fmt: skip
    assert cli.main(argv) == 0
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["config"]["quality"]["creative"] == "llm_judge(judge-model)"
    assert [row["quality"] for row in report["rows"]] == [7.0]
    assert named == [("judge-model", "http://127.0.0.1:9/v1")] and len(judge_model.calls) == 2
    assert capsys.readouterr().out.startswith("| task | arm |")


def test_bench_judge_base_url_without_a_judge_is_an_error(capsys):
    assert cli.main(["bench", "--judge-base-url", "http://127.0.0.1:9/v1"]) == 1
    assert "--judge-base-url needs --judge MODEL" in capsys.readouterr().err
