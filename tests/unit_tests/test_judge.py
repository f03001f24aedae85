"""LLMJudge's contract, with FAKE chat models (scripted judge replies; logic only)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_vs.core import Candidate, CandidateScore, Scorer, checked_scores
from langchain_vs.quality import LLMJudge
from langchain_vs.quality._checks import shown_order
from tests.unit_tests.fake_models import ScriptedFakeChatModel

CANDIDATES = [
    Candidate(text, 0.2, index=i) for i, text in enumerate(["a", "bbb", "cc", "dddd", "e"])
]
REQUEST = [("human", "Write something.")]


def verdict(*entries: tuple[int, int, str]) -> str:
    return json.dumps({"scores": {str(i): {"reason": r, "score": s} for i, s, r in entries}})


class LengthJudgeFakeChatModel(BaseChatModel):
    """FAKE judge: reads the candidates from the prompt, scores each by its length."""

    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "length-judge-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.calls += 1
        shown = re.findall(r'<candidate index="(\d+)">\n(.*?)\n</candidate>', messages[-1].text)
        entries = [(int(i), len(text), f"{len(text)} letters") for i, text in shown]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(verdict(*entries)))])


def test_known_reply_gives_known_scores_and_reasons_in_one_call() -> None:
    model = ScriptedFakeChatModel(
        replies=[verdict((2, 7, "Good."), (1, 3, "Weak.")), "unused"], structured=True
    )
    judge = LLMJudge(model, rubric="Is it good?", shuffle=False)
    assert isinstance(judge, Scorer)
    scores = judge.score(REQUEST, CANDIDATES[:2])
    assert scores == [CandidateScore(3.0, "Weak."), CandidateScore(7.0, "Good.")]
    assert checked_scores(judge, scores, CANDIDATES[:2]) == scores
    assert model.structured_calls == [True]
    schema = model.calls[0]["schema"]
    assert schema["title"] == "CandidateScores"
    assert schema["properties"]["scores"]["required"] == ["1", "2"]  # each scored exactly once
    assert schema["properties"]["scores"]["properties"]["2"]["properties"]["score"]["maximum"] == 10
    prompt = model.calls[0]["messages"]
    assert "Is it good?" in prompt[0].text and "Write something." in prompt[-1].text


async def test_shuffled_candidates_map_back_and_sync_equals_async() -> None:
    model = LengthJudgeFakeChatModel()
    judge = LLMJudge(model, rubric="Longer is better.", scale=(0, 10), seed=3)
    scores = judge.score(REQUEST, CANDIDATES)
    assert [s.value for s in scores] == [1.0, 3.0, 2.0, 4.0, 1.0]
    assert [s.reason for s in scores] == [f"{len(c.text)} letters" for c in CANDIDATES]
    assert await judge.ascore(REQUEST, CANDIDATES) == scores
    assert model.calls == 2  # one call per draw, each way
    order, _ = shown_order(CANDIDATES, shuffle=True, seed=3)
    assert order != sorted(order)  # shuffled against position bias
    assert shown_order(CANDIDATES, shuffle=True, seed=3)[0] == order  # and seeded


def test_unusable_replies_are_re_asked_then_raise_with_the_raw_output() -> None:
    model = ScriptedFakeChatModel(
        replies=["I like the first one.", verdict((1, 11, "Too good.")), '{"scores": "n/a"}']
    )
    judge = LLMJudge(model, rubric="Is it good?", max_retries=2, shuffle=False)
    with pytest.raises(OutputParserException) as caught:
        judge.score(REQUEST, CANDIDATES[:1])
    assert caught.value.llm_output == '{"scores": "n/a"}'
    assert "after 3 attempt(s)" in str(caught.value)
    assert len(model.calls) == 3
    re_ask = model.calls[2]["messages"][-1].text
    assert "outside the scale 1 to 10" in re_ask
    assert model.calls[1]["messages"][-2].text == "I like the first one."


@pytest.mark.parametrize(
    ("bad", "told"),
    [
        (verdict((1, 5, "ok")), "candidate(s) 2 have no entry"),
        (verdict((1, 5, "ok"), (2, 6, "fine"), (3, 6, "who")), "there is no candidate 3"),
        ('{"scores": {"1": {"score": "high"}, "2": {"score": 1}}}', "is not a number"),
        ('{"scores": {"1": 7, "2": 8}}', "the entry of candidate 1 is 7, not an object"),
        ('{"scores": [7, 8]}', 'no "scores" object keyed by candidate number'),
    ],
)
def test_an_incomplete_reply_is_re_asked_with_what_was_wrong(bad: str, told: str) -> None:
    good = verdict((1, 5, "ok"), (2, 6, "fine"))
    model = ScriptedFakeChatModel(replies=[bad, f"Here you go:\n```json\n{good}\n```"])
    judge = LLMJudge(model, rubric="Is it good?", shuffle=False)
    assert [s.value for s in judge.score(REQUEST, CANDIDATES[:2])] == [5.0, 6.0]
    assert told in model.calls[1]["messages"][-1].text


def test_a_model_without_structured_output_support_is_asked_in_text() -> None:
    model = ScriptedFakeChatModel(
        replies=[verdict((1, 4, "meh"))], structured=True, fail_structured=True
    )
    judge = LLMJudge(model, rubric="Is it good?")
    assert judge.score(REQUEST, CANDIDATES[:1]) == [CandidateScore(4.0, "meh")]
    assert model.structured_calls == [True, False]


def test_a_fault_propagates_at_once_naming_the_model() -> None:
    model = ScriptedFakeChatModel(replies=[ConnectionError("refused")], structured=True)
    with pytest.raises(ConnectionError) as caught:
        LLMJudge(model, rubric="Is it good?").score(REQUEST, CANDIDATES[:1])
    assert len(model.calls) == 1
    assert "ScriptedFakeChatModel" in "".join(caught.value.__notes__)


def test_no_candidates_need_no_call() -> None:
    model = ScriptedFakeChatModel(replies=["unused"])
    assert LLMJudge(model, rubric="Is it good?").score(REQUEST, []) == []
    assert model.calls == []


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rubric": "  "}, ValueError, "rubric is empty"),
        ({"rubric": None}, TypeError, "rubric must be a string"),
        ({"rubric": "ok", "scale": (10, 1)}, ValueError, "low < high"),
        ({"rubric": "ok", "scale": (1,)}, ValueError, "scale must be"),
        ({"rubric": "ok", "scale": (1.0, 10)}, ValueError, "two integers"),
        ({"rubric": "ok", "scale": (True, 5)}, ValueError, "two integers"),
        ({"rubric": "ok", "max_retries": -1}, ValueError, "max_retries"),
        ({"rubric": "ok", "structured_output": "jsonschema"}, ValueError, "json_schema"),
        ({"rubric": "ok", "seed": "1"}, TypeError, "seed"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        LLMJudge(ScriptedFakeChatModel(replies=["x"]), **kwargs)


def test_what_is_neither_a_model_nor_a_name_is_refused() -> None:
    with pytest.raises(TypeError, match="'local', or a 'provider:model' string"):
        LLMJudge(42, rubric="ok")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="names a provider but no model"):
        LLMJudge("openai:", rubric="ok")


def test_a_reply_cut_at_the_token_limit_is_never_read_and_not_shown_again() -> None:
    good = verdict((1, 5, "ok"), (2, 10, "best"))
    cut = AIMessage(
        content=good[: good.index("10") + 1], response_metadata={"finish_reason": "length"}
    )
    model = ScriptedFakeChatModel(replies=[cut, good], structured=True)
    judge = LLMJudge(model, rubric="Is it good?", shuffle=False)
    assert [s.value for s in judge.score(REQUEST, CANDIDATES[:2])] == [5.0, 10.0]  # not 1.0
    re_ask = model.calls[1]["messages"]
    assert "cut off at the token limit" in re_ask[-1].text
    assert all(m.type != "ai" for m in re_ask)


def test_tool_call_verdicts_are_read_and_kept_as_raw_output() -> None:
    from tests.unit_tests.fake_models import ToolCallingFakeChatModel

    args = {"scores": {"1": {"reason": "ok", "score": 0}}}
    reply = AIMessage(content="", tool_calls=[{"name": "CandidateScores", "args": args, "id": "1"}])
    model = ToolCallingFakeChatModel(replies=[reply])
    judge = LLMJudge(
        model, rubric="Is it good?", max_retries=0, structured_output="function_calling"
    )
    with pytest.raises(OutputParserException) as caught:
        judge.score(REQUEST, CANDIDATES[:1])
    assert json.loads(caught.value.llm_output) == args  # the arguments, not an empty text
