"""The engine: structured-output choice, the draw (merge, floor, seeded pick), the four ways.

FAKE chat models only (logic, no model, no network).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage

from langchain_vs.core._distribution import Candidate
from langchain_vs.core._engine import Draw, VerbalizedEngine, require_request
from langchain_vs.core._options import VerbalizedConfig

from .fake_models import ScriptedFakeChatModel, vs_json

ASK = [("human", "A hot drink?")]
REPLY = vs_json([("Tea", 0.5), ("Coffee", 0.3), ("Cocoa", 0.2)])


def _engine(replies: list[Any] | None = None, **options: Any) -> VerbalizedEngine:
    model = ScriptedFakeChatModel(replies=replies or [REPLY])
    return VerbalizedEngine(model, VerbalizedConfig(**options))


def test_the_engine_refuses_what_is_no_chat_model() -> None:
    with pytest.raises(ValueError, match="BaseChatModel"):
        VerbalizedEngine("gpt", VerbalizedConfig())  # type: ignore[arg-type]


class _ToolsOnlyFake(GenericFakeChatModel):
    """FAKE that can call tools but has no ``with_structured_output`` of its own."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self


@pytest.mark.parametrize(
    ("model", "mode", "method"),
    [
        (GenericFakeChatModel(messages=iter([])), "auto", None),
        (ScriptedFakeChatModel(replies=[REPLY], structured=True), "auto", "json_schema"),
        (ScriptedFakeChatModel(replies=[REPLY], structured=True), "none", None),
        (_ToolsOnlyFake(messages=iter([])), "auto", "function_calling"),
        (GenericFakeChatModel(messages=iter([])), "json_mode", "json_mode"),
    ],
)
def test_structured_method_follows_the_option_and_the_model(
    model: Any, mode: str, method: str | None
) -> None:
    engine = VerbalizedEngine(model, VerbalizedConfig(structured_output=mode))
    assert engine.structured_method() == method


def test_a_method_that_asks_no_json_never_uses_structured_output() -> None:
    model = ScriptedFakeChatModel(replies=["Tea"], structured=True)
    assert VerbalizedEngine(model, VerbalizedConfig(method="direct")).structured_method() is None


def test_require_request_refuses_an_empty_prompt() -> None:
    with pytest.raises(ValueError, match="empty"):
        require_request([("human", "  ")])
    assert require_request([("human", "hi")]) == [HumanMessage("hi")]


def test_the_draw_records_the_pick_and_the_calls() -> None:
    draw = _engine(k=3, selection="argmax").invoke(ASK)
    assert draw.chosen.text == "Tea"
    record = draw.record
    assert (record["k"], record["chosen_index"], record["model_calls"]) == (3, 0, 1)
    assert (record["selection"], record["structured"]) == ("argmax", False)
    assert [c["text"] for c in record["candidates"]] == ["Tea", "Coffee", "Cocoa"]


def test_the_draw_counts_re_asks() -> None:
    draw = _engine(["no idea", REPLY], k=3).invoke(ASK)
    assert draw.record["model_calls"] == 2


def test_the_draw_merges_duplicates_then_applies_the_floor() -> None:
    reply = vs_json([("Tea", 0.3), ("tea", 0.3), ("Coffee", 0.3), ("Cocoa", 0.1)])
    draw = _engine([reply], k=4, merge_duplicates=True, min_probability=0.2).invoke(ASK)
    assert draw.distribution.texts == ["Tea", "Coffee"]
    assert {"merged_duplicates", "floor"} <= set(draw.record["repairs"])


def test_the_pick_is_seeded_and_an_rng_overrides_the_seed() -> None:
    engine = _engine(k=3, seed=7)
    outcome = engine.invoke(ASK).outcome
    picks = {engine.draw(outcome).chosen.index for _ in range(5)}
    assert len(picks) == 1
    with_rng = [engine.draw(outcome, rng=random.Random(s)).chosen.index for s in range(40)]
    assert len(set(with_rng)) > 1


def test_the_message_carries_the_record_model_name_and_usage() -> None:
    reply = AIMessage(REPLY, response_metadata={"model_name": "fake-1"})
    message = _engine([reply], k=3, seed=1).invoke(ASK).message()
    assert message.response_metadata["model_name"] == "fake-1"
    assert message.response_metadata["verbalized_sampling"]["k"] == 3
    assert message.usage_metadata is not None


async def test_the_four_ways_draw_the_same_with_a_seed() -> None:
    options = {"k": 3, "seed": 11}
    sync = _engine(**options).invoke(ASK)
    asynchronous = await _engine(**options).ainvoke(ASK)
    streamed = list(_engine(**options).stream(ASK))
    astreamed = [event async for event in _engine(**options).astream(ASK)]
    for events in (streamed, astreamed):
        assert [e.text for e in events if isinstance(e, Candidate)] == ["Tea", "Coffee", "Cocoa"]
        assert isinstance(events[-1], Draw)
    draws = [sync, asynchronous, streamed[-1], astreamed[-1]]
    assert len({(d.chosen.index, d.distribution) for d in draws}) == 1


def test_a_fault_names_the_endpoint_and_propagates() -> None:
    engine = _engine([ConnectionError("refused")], k=3)
    with pytest.raises(ConnectionError):
        engine.invoke(ASK)


def test_structured_requests_use_the_binding_and_text_requests_the_model() -> None:
    model = ScriptedFakeChatModel(replies=[REPLY], structured=True)
    engine = VerbalizedEngine(model, VerbalizedConfig(k=3))
    draw = engine.invoke(ASK)
    assert model.structured_calls == [True]
    assert draw.record["structured"] is True
    text_request = engine.conversation(ASK)
    text_request.structured = False
    request = next(text_request.steps())
    assert engine.runnable_for(request) is model


@pytest.mark.parametrize(
    ("method", "replies", "calls", "asked"),
    [
        ("direct", ["Tea"], 1, 1),
        ("vs_standard", [REPLY], 1, 3),
        ("multi_turn", ["Tea", "Coffee", "Water"], 3, 3),
    ],
)
def test_the_record_s_k_is_what_the_user_asked_for(
    method: str, replies: list[Any], calls: int, asked: int
) -> None:
    # k is the option everywhere; what the method asked the model for has its own name.
    record = _engine(replies, k=3, method=method).invoke(ASK).record
    assert (record["k"], record["candidates_asked"], record["model_calls"]) == (3, asked, calls)


def test_the_call_plan_is_the_one_place_k_is_spread_over_calls() -> None:
    plans = {
        m: VerbalizedConfig(k=5, method=m).call_plan
        for m in ("direct", "direct_cot", "sequence", "multi_turn", "vs_standard", "vs_multi")
    }
    assert plans == {
        "direct": (1,),
        "direct_cot": (1,),
        "sequence": (5,),
        "multi_turn": (1, 1, 1, 1, 1),
        "vs_standard": (5,),
        "vs_multi": (3, 2),
    }
    assert VerbalizedConfig(k=5, method="vs_multi", per_turn=2).call_plan == (2, 2, 1)
    config = VerbalizedConfig(k=5, method="vs_multi", per_turn=2)
    assert (config.candidates_asked, config.responses_per_call) == (5, 2)
