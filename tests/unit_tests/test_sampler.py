"""VerbalizedSampler logic, on FAKE chat models (see fake_models.py)."""

import asyncio
import threading
import time
from typing import Any
from uuid import UUID

import openai
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import ConfigurableField
from openai.types.chat import ChatCompletion

from langchain_vs import Candidate, Method, VerbalizedDistribution, VerbalizedSampler, verbalize
from langchain_vs.runnables._sampler import CANDIDATE_EVENT, DISTRIBUTION_EVENT

from .fake_models import ScriptedFakeChatModel, vs_json

FIVE = vs_json([("a", 0.4), ("b", 0.3), ("c", 0.15), ("d", 0.1), ("e", 0.05)])


def fake(*replies: Any, **kwargs: Any) -> ScriptedFakeChatModel:
    return ScriptedFakeChatModel(replies=list(replies), **kwargs)


def system_text(call: dict[str, Any]) -> str:
    first = call["messages"][0]
    return first.content if isinstance(first, SystemMessage) else ""


# -- methods ------------------------------------------------------------------------------------


def test_vs_standard_message_output_carries_the_distribution_and_usage():
    model = fake(FIVE)
    message = VerbalizedSampler(model=model, seed=3).invoke("Tell me a joke")
    assert isinstance(message, AIMessage)
    record = message.response_metadata["verbalized_sampling"]
    dist = VerbalizedDistribution.from_dict(record)
    assert dist.texts == ["a", "b", "c", "d", "e"]
    assert message.content == dist[record["chosen_index"]].text
    assert record["model_calls"] == 1 and record["structured"] is False
    assert message.usage_metadata is not None and message.usage_metadata["input_tokens"] == 10
    prompt = system_text(model.calls[0])
    assert "Sample 5 different responses" in prompt and "`probability`" in prompt
    assert model.calls[0]["messages"][-1].content == "Tell me a joke"


def test_direct_sends_the_request_unchanged():
    model = fake("Why did the coffee file a police report? It got mugged.")
    dist = VerbalizedSampler(model=model, method="direct", output="distribution").invoke("Joke")
    assert dist.texts == ["Why did the coffee file a police report? It got mugged."]
    assert [type(m) for m in model.calls[0]["messages"]] == [HumanMessage]


def test_direct_cot_and_vs_cot_keep_reasoning():
    model = fake('{"reasoning": "hmm", "response": "42"}')
    dist = VerbalizedSampler(model=model, method="direct_cot", output="distribution").invoke("Q")
    assert dist.texts == ["42"] and dist.reasoning == "hmm"
    model = fake(vs_json([("x", 0.5), ("y", 0.5)], reasoning="two kinds"))
    dist = VerbalizedSampler(model=model, method="vs_cot", k=2, output="distribution").invoke("Q")
    assert dist.reasoning == "two kinds" and dist.texts == ["x", "y"]


def test_sequence_is_uniform():
    model = fake('{"responses": ["x", "y", "z"]}')
    dist = VerbalizedSampler(model=model, method="sequence", k=3, output="distribution").invoke("Q")
    assert dist.probabilities == pytest.approx([1 / 3] * 3)


def test_multi_turn_is_a_real_conversation():
    model = fake("one", "two", "three")
    dist = VerbalizedSampler(model=model, method="multi_turn", k=3, output="distribution").invoke(
        "Q"
    )
    assert dist.texts == ["one", "two", "three"]
    third = model.calls[2]["messages"]
    assert [m.content for m in third[:5]] == ["Q", "one", third[2].content, "two", third[4].content]
    assert "another response" in third[-1].content
    assert isinstance(third[1], AIMessage) and isinstance(third[3], AIMessage)


def test_vs_multi_merges_turns_and_sums_usage():
    model = fake(
        vs_json([("a", 0.5), ("b", 0.3), ("c", 0.2)], "confidence"),
        vs_json([("d", 0.6), ("e", 0.4)], "confidence"),
    )
    sampler = VerbalizedSampler(model=model, method="vs_multi", k=5)
    message = sampler.invoke("Q")
    record = message.response_metadata["verbalized_sampling"]
    assert [c["text"] for c in record["candidates"]] == ["a", "b", "c", "d", "e"]
    assert [c["index"] for c in record["candidates"]] == [0, 1, 2, 3, 4]
    assert record["probability_definition"] == "confidence"
    assert record["model_calls"] == 2
    assert message.usage_metadata["input_tokens"] == 20
    assert "Sample 3 different responses" in system_text(model.calls[0])
    follow_up = model.calls[1]["messages"][-1].content
    assert "2 more responses" in follow_up and "`confidence`" in follow_up
    assert isinstance(model.calls[1]["messages"][-2], AIMessage)  # sees its own first turn


def test_per_turn_controls_vs_multi_turns():
    replies = [vs_json([(f"t{i}", 1)], "confidence") for i in range(4)]
    model = fake(*replies)
    VerbalizedSampler(model=model, method="vs_multi", k=4, per_turn=1).invoke("Q")
    assert len(model.calls) == 4


def test_tail_threshold_goes_into_the_prompt_and_floor_is_applied_after():
    model = fake(FIVE)
    sampler = VerbalizedSampler(
        model=model, tail_threshold=0.1, min_probability=0.12, output="distribution"
    )
    dist = sampler.invoke("Q")
    assert "below 0.1" in system_text(model.calls[0])
    assert dist.texts == ["a", "b", "c"] and "floor" in dist.repairs


def test_merge_duplicates_option():
    model = fake(vs_json([("Red", 0.5), ("red", 0.2), ("Blue", 0.3)]))
    dist = VerbalizedSampler(model=model, k=3, merge_duplicates=True, output="distribution").invoke(
        "Q"
    )
    assert dist.texts == ["Red", "Blue"] and dist.probabilities == pytest.approx([0.7, 0.3])


def test_existing_system_message_is_extended_not_duplicated():
    model = fake(FIVE)
    VerbalizedSampler(model=model).invoke([("system", "You are a pirate."), ("human", "Hi")])
    messages = model.calls[0]["messages"]
    assert sum(isinstance(m, SystemMessage) for m in messages) == 1
    assert messages[0].content.startswith("You are a pirate.\n\nSample 5")


# -- outputs and selection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "kind"),
    [
        ("text", str),
        ("candidate", Candidate),
        ("distribution", VerbalizedDistribution),
        ("message", AIMessage),
    ],
)
def test_output_kinds(output, kind):
    assert isinstance(VerbalizedSampler(model=fake(FIVE), output=output).invoke("Q"), kind)


async def test_seeded_pick_is_the_same_sync_and_async():
    for seed in range(8):
        sync = VerbalizedSampler(model=fake(FIVE), seed=seed, output="candidate").invoke("Q")
        asynchronous = await VerbalizedSampler(
            model=fake(FIVE), seed=seed, output="candidate"
        ).ainvoke("Q")
        assert sync == asynchronous


def test_selection_strategies():
    assert VerbalizedSampler(model=fake(FIVE), selection="argmax", output="text").invoke("Q") == "a"
    tails = {
        VerbalizedSampler(model=fake(FIVE), selection="tail", seed=s, output="text").invoke("Q")
        for s in range(30)
    }
    assert tails <= {"c", "d", "e"} and len(tails) > 1


# -- structured output, retries, errors ---------------------------------------------------------


def test_structured_output_is_used_when_the_model_has_it():
    model = fake(FIVE, structured=True)
    dist = VerbalizedSampler(model=model, output="distribution").invoke("Q")
    assert model.structured_calls == [True]
    schema = model.calls[0]["schema"]
    assert isinstance(schema, dict) and schema["title"] == "VerbalizedResponses"
    assert "JSON object" not in system_text(model.calls[0])  # the schema carries the format
    assert len(dist) == 5


def test_a_rejected_schema_goes_to_text_for_that_request_only():
    model = fake(FIVE, structured=True, fail_structured=True)
    sampler = VerbalizedSampler(model=model)
    record = sampler.invoke("Q").response_metadata["verbalized_sampling"]
    assert model.structured_calls == [True, False]  # a capability error: text at once
    assert "JSON object" in system_text(model.calls[1])
    assert record["structured"] is False
    assert "not supported" in record["structured_error"]
    sampler.invoke("Q")  # the next request tries structured output again
    assert model.structured_calls == [True, False, True, False]


def test_structured_replies_that_twice_do_not_parse_go_to_text_for_that_request():
    model = fake("not json", "still not", FIVE, FIVE, structured=True)
    sampler = VerbalizedSampler(model=model, max_retries=2)
    record = sampler.invoke("Q").response_metadata["verbalized_sampling"]
    assert model.structured_calls == [True, True, False]
    assert "did not parse" in record["structured_error"]
    sampler.invoke("Q")
    assert model.structured_calls[-1] is True


def test_structured_output_none_forces_text():
    model = fake(FIVE, structured=True)
    VerbalizedSampler(model=model, structured_output="none").invoke("Q")
    assert model.structured_calls == [False]


def test_unreadable_reply_is_re_asked_with_the_reason():
    model = fake("I cannot do JSON", "still no", FIVE)
    message = VerbalizedSampler(model=model, max_retries=2).invoke("Q")
    assert len(model.calls) == 3
    retry = model.calls[1]["messages"]
    assert retry[-2].content == "I cannot do JSON"
    assert "could not be used" in retry[-1].content
    assert message.usage_metadata["input_tokens"] == 30  # summed over the re-asks


def test_retries_exhausted_raise_with_the_raw_output():
    model = fake("nope", "still nope")
    with pytest.raises(OutputParserException, match="after 2 attempt") as info:
        VerbalizedSampler(model=model, max_retries=1).invoke("Q")
    assert info.value.llm_output == "still nope"


def test_model_errors_propagate():
    model = fake(ConnectionError("server down"))
    with pytest.raises(ConnectionError, match="server down"):
        VerbalizedSampler(model=model).invoke("Q")


# -- inputs and arguments -----------------------------------------------------------------------


def test_every_input_form():
    prompt = ChatPromptTemplate.from_messages([("human", "Tell me about {topic}")])
    inputs = [
        "Q",
        [("human", "Q")],
        [HumanMessage("Q")],
        HumanMessage("Q"),
        {"messages": [("human", "Q")]},
    ]
    for item in inputs:
        assert VerbalizedSampler(model=fake(FIVE), output="text").invoke(item) in "abcde"
    model = fake(FIVE)
    chain = prompt | VerbalizedSampler(model=model, output="text")
    assert chain.invoke({"topic": "tea"}) in "abcde"
    assert model.calls[0]["messages"][-1].content == "Tell me about tea"


@pytest.mark.parametrize("bad", ["", "   ", [], [("human", "")], {"messages": []}])
def test_empty_prompt_is_a_value_error(bad):
    with pytest.raises(ValueError, match="prompt is empty"):
        VerbalizedSampler(model=fake(FIVE)).invoke(bad)


def test_wrong_input_type_is_a_value_error():
    with pytest.raises(ValueError, match="got int"):
        VerbalizedSampler(model=fake(FIVE)).invoke(42)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, r"k\n.*greater than or equal to 1"),
        ({"k": 51}, r"k\n.*less than or equal to 50"),
        ({"k": "5"}, r"k\n.*valid integer.*input_type=str"),
        ({"k": True}, r"k\n.*valid integer.*input_type=bool"),
        ({"k": 5.0}, r"k\n.*valid integer"),
        ({"tail_threshold": 0.0}, r"tail_threshold\n.*greater than 0"),
        ({"tail_threshold": 1.5}, r"tail_threshold\n.*less than or equal to 1"),
        ({"tail_threshold": float("nan")}, r"tail_threshold\n.*finite number"),
        ({"min_probability": -0.1}, r"min_probability\n.*greater than 0"),
        ({"min_survivors": 0}, r"min_survivors\n.*greater than or equal to 1"),
        ({"max_retries": -1}, r"max_retries\n.*greater than or equal to 0"),
        ({"seed": "7"}, r"seed\n.*valid integer"),
        (
            {"kk": 3},
            r"unknown option 'kk' \(did you mean 'k'\?\); VerbalizedSampler takes: .*\bk\b",
        ),
        ({"temprature": 0.5}, r"unknown option 'temprature'"),
        ({"per_turn": 9}, "per_turn must be between 1 and k=5"),
        ({"method": "best"}, "Input should be 'direct'"),
        ({"selection": "bset"}, "Input should be .sample."),
        ({"method": "direct", "probability_definition": "nll"}, "vs_\\* methods only"),
        ({"model": "nosuchprovider:x"}, "unknown provider .nosuchprovider."),
    ],
)
def test_bad_arguments_fail_at_construction(kwargs, message):
    options = {"model": fake(FIVE), **kwargs}
    with pytest.raises(ValueError, match=message):
        VerbalizedSampler(**options)


def test_configurable_fields():
    model = fake(vs_json([("a", 0.5), ("b", 0.5)]))
    sampler = VerbalizedSampler(model=model, output="distribution").configurable_fields(
        k=ConfigurableField(id="vs_k"), method=ConfigurableField(id="vs_method")
    )
    dist = sampler.with_config(configurable={"vs_k": 2}).invoke("Q")
    assert len(dist) == 2 and "Sample 2 different" in system_text(model.calls[0])
    direct = sampler.with_config(configurable={"vs_method": Method.DIRECT})
    assert direct.invoke("Q").method == "direct"


# -- runnable protocol --------------------------------------------------------------------------


def test_stream_candidate_output_yields_candidates_then_the_pick():
    sampler = VerbalizedSampler(model=fake(FIVE, chunk_size=9), output="candidate", seed=1)
    items = list(sampler.stream("Q"))
    assert [c.text for c in items[:5]] == ["a", "b", "c", "d", "e"]
    assert all(isinstance(c, Candidate) for c in items)
    assert items[-1] == VerbalizedSampler(model=fake(FIVE), output="candidate", seed=1).invoke("Q")


def test_stream_message_output_yields_one_chunk_and_events():
    sampler = VerbalizedSampler(model=fake(FIVE), seed=1)
    items = list(sampler.stream("Q"))
    assert len(items) == 1 and isinstance(items[0], AIMessageChunk)
    assert items[0].response_metadata["verbalized_sampling"]["chosen_index"] is not None


def test_stream_distribution_output_grows():
    sizes = [len(d) for d in VerbalizedSampler(model=fake(FIVE), output="distribution").stream("Q")]
    assert sizes == [1, 2, 3, 4, 5, 5]


async def test_astream_and_events():
    sampler = VerbalizedSampler(model=fake(FIVE, chunk_size=4), output="candidate", seed=2)
    items = [c async for c in sampler.astream("Q")]
    assert [c.text for c in items[:5]] == list("abcde")
    events = [e async for e in VerbalizedSampler(model=fake(FIVE)).astream_events("Q")]
    custom = [e["name"] for e in events if e["event"] == "on_custom_event"]
    assert custom == [CANDIDATE_EVENT] * 5 + [DISTRIBUTION_EVENT]


async def test_astream_multi_turn_numbers_candidates_across_turns():
    model = fake(
        vs_json([("a", 1), ("b", 1), ("c", 1)], "confidence"),
        vs_json([("d", 1), ("e", 1)], "confidence"),
    )
    sampler = VerbalizedSampler(model=model, method="vs_multi", output="candidate")
    items = [c async for c in sampler.astream("Q")]
    assert [c.index for c in items[:5]] == [0, 1, 2, 3, 4]


class _Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.chains: dict[UUID, str] = {}
        self.chat_parents: list[UUID | None] = []
        self.custom: list[str] = []

    def on_chain_start(self, serialized, inputs, *, run_id, parent_run_id=None, **kw):
        self.chains[run_id] = kw.get("name") or ""

    def on_chat_model_start(self, serialized, messages, *, run_id, parent_run_id=None, **kw):
        self.chat_parents.append(parent_run_id)

    def on_custom_event(self, name, data, *, run_id, **kw):
        self.custom.append(name)


def test_inner_model_call_is_a_child_run():
    recorder = _Recorder()
    VerbalizedSampler(model=fake(FIVE)).invoke("Q", {"callbacks": [recorder]})
    (parent,) = recorder.chat_parents
    assert recorder.chains[parent] == "VerbalizedSampler"
    assert recorder.custom == [DISTRIBUTION_EVENT]


class _SlowFake(ScriptedFakeChatModel):
    """FAKE that tracks how many calls are in flight at once."""

    in_flight: int = 0
    peak: int = 0

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        time.sleep(0.05)
        try:
            return super()._generate(messages, stop, run_manager, **kwargs)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.05)
        self.in_flight -= 1
        return await super()._agenerate(messages, stop, run_manager, **kwargs)


def test_batch_honours_max_concurrency():
    model = _SlowFake(replies=[FIVE])
    results = VerbalizedSampler(model=model, output="text").batch(["Q"] * 6, {"max_concurrency": 2})
    assert len(results) == 6 and model.peak == 2
    assert threading.active_count() >= 1


async def test_abatch_is_concurrent_and_bounded():
    model = _SlowFake(replies=[FIVE])
    sampler = VerbalizedSampler(model=model, output="text")
    results = await sampler.abatch(["Q"] * 6, {"max_concurrency": 3})
    assert len(results) == 6 and model.peak == 3


# -- verbalize ----------------------------------------------------------------------------------


def test_verbalize_returns_the_distribution():
    dist = verbalize("Q", model=fake(FIVE), k=5)
    assert isinstance(dist, VerbalizedDistribution) and len(dist) == 5
    dist = verbalize(messages=[("human", "Q")], model=fake(FIVE), k=5, method="vs_cot")
    assert dist.method == "vs_cot"


def test_verbalize_argument_errors():
    with pytest.raises(ValueError, match="exactly one of prompt or messages"):
        verbalize(model=fake(FIVE))
    with pytest.raises(ValueError, match="prompt is empty"):
        verbalize("", model=fake(FIVE))


@pytest.mark.parametrize("structured", [True, False])
def test_a_fault_propagates_at_once_naming_the_model(structured):
    model = fake(ConnectionError("connection refused"), FIVE, structured=structured)
    with pytest.raises(ConnectionError, match="connection refused") as info:
        VerbalizedSampler(model=model).invoke("Q")
    assert model.structured_calls == [structured]  # no second try, no text fallback
    assert "langchain-vs: the call to ScriptedFakeChatModel failed" in info.value.__notes__[0]


async def test_a_fault_propagates_at_once_async_and_streaming():
    model = fake(TimeoutError("timed out"), structured=True)
    sampler = VerbalizedSampler(model=model, output="candidate")
    with pytest.raises(TimeoutError):
        await sampler.ainvoke("Q")
    with pytest.raises(TimeoutError):
        list(sampler.stream("Q"))
    with pytest.raises(TimeoutError):
        [c async for c in sampler.astream("Q")]
    assert model.structured_calls == [True, True, True]


def test_not_implemented_structured_output_goes_to_text_at_once():
    class NoStructured(ScriptedFakeChatModel):
        """FAKE that claims structured output but raises NotImplementedError for it."""

        def with_structured_output(self, schema, *, include_raw=False, **kwargs):
            raise NotImplementedError("no structured output here")

    model = NoStructured(replies=[FIVE], structured=True)
    record = VerbalizedSampler(model=model).invoke("Q").response_metadata["verbalized_sampling"]
    assert model.structured_calls == [False]
    assert record["structured"] is False


def test_re_ask_sends_back_only_encodable_text():
    model = fake("garbage \udcab", FIVE)
    VerbalizedSampler(model=model).invoke("Q")
    resent = model.calls[1]["messages"][-2].content
    assert resent == "garbage ?"


def length_error(text: str) -> openai.LengthFinishReasonError:
    """What OpenAI's client raises for a structured reply cut at the token limit."""
    completion = ChatCompletion.model_validate(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "tiny",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "length",
                    "message": {"role": "assistant", "content": text},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 768, "total_tokens": 778},
        }
    )
    return openai.LengthFinishReasonError(completion=completion)


def test_a_reply_cut_at_the_token_limit_is_re_asked_structured():
    runaway = '{"responses": [{"text": "ha ha ha ha ha ha'
    model = fake(length_error(runaway), length_error(runaway), FIVE, structured=True)
    sampler = VerbalizedSampler(model=model, output="message", max_retries=2)
    message = sampler.invoke("Q")
    # Still structured (the server honoured the schema), asked afresh, tokens counted.
    assert model.structured_calls == [True, True, True]
    assert model.calls[1]["messages"] == model.calls[0]["messages"]
    record = message.response_metadata["verbalized_sampling"]
    assert record["structured"] is True and record["model_calls"] == 3
    assert message.usage_metadata["output_tokens"] >= 2 * 768
    sampler.invoke("Q")  # not remembered as "structured output unsupported"
    assert model.structured_calls[-1] is True


def test_replies_always_cut_off_raise_with_the_raw_output():
    runaway = '{"responses": [{"text": "ha ha ha'
    model = fake(length_error(runaway), structured=True)
    with pytest.raises(OutputParserException, match="token limit") as info:
        VerbalizedSampler(model=model, max_retries=1).invoke("Q")
    assert info.value.llm_output == runaway
    assert model.structured_calls == [True, True]


def test_a_text_reply_cut_at_the_token_limit_keeps_only_finished_responses():
    cut = AIMessage(
        content='{"responses": [{"text": "a", "probability": 0.5}, '
        '{"text": "b", "probability": 0.3}, {"text": "c is a sentence that never',
        response_metadata={"finish_reason": "length"},
    )
    dist = VerbalizedSampler(model=fake(cut), k=3, output="distribution").invoke("Q")
    assert dist.texts == ["a", "b"]
    assert "dropped_cut_off" in dist.repairs and "fewer_than_asked" in dist.repairs
    # The same text without the cut-off flag is a reply whose closing brackets went missing.
    unflagged = AIMessage(content=cut.content)
    whole = VerbalizedSampler(model=fake(unflagged), k=3, output="distribution").invoke("Q")
    assert len(whole) == 3 and "json_repaired" in whole.repairs


def test_a_reply_cut_inside_its_first_response_is_re_asked():
    cut = AIMessage(
        content='{"responses": [{"text": "ha ha ha ha',
        response_metadata={"finish_reason": "length"},
    )
    model = fake(cut, FIVE)
    dist = VerbalizedSampler(model=model, output="distribution").invoke("Q")
    assert len(model.calls) == 2 and len(dist) == 5
    assert model.calls[1]["messages"] == model.calls[0]["messages"]  # asked afresh


def test_a_structured_reply_cut_after_some_responses_keeps_them():
    cut = '{"responses": [{"text": "a", "probability": 0.6}, {"text": "b is cut'
    model = fake(length_error(cut), structured=True)
    dist = VerbalizedSampler(model=model, k=2, output="distribution").invoke("Q")
    assert dist.texts == ["a"] and "dropped_cut_off" in dist.repairs
    assert model.structured_calls == [True]


async def test_cut_structured_reply_recovers_on_every_driver():
    cut = '{"responses": [{"text": "a", "probability": 0.6}, {"text": "b is cut'

    def sampler(output: str) -> VerbalizedSampler:
        model = fake(length_error(cut), structured=True)
        return VerbalizedSampler(model=model, k=2, output=output)

    assert (await sampler("distribution").ainvoke("Q")).texts == ["a"]
    streamed = list(sampler("candidate").stream("Q"))
    assert streamed[-1].text == "a"
    assert [c.text async for c in sampler("candidate").astream("Q")][-1] == "a"


def test_the_package_face_is_lazy_and_lists_the_public_api_only():
    import subprocess
    import sys

    code = (
        "import sys, langchain_vs\n"
        "heavy = ('openai', 'langgraph', 'langchain_openai')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(dir(langchain_vs) == langchain_vs.__all__)\n"
        "from langchain_vs import VerbalizedSampler, VerbalizedChatModel\n"
        "print(sorted(m for m in heavy[:2] if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["[]", "True", "[]"]


def test_every_name_the_0_1_readme_imported_is_importable_from_the_package():
    # The 0.1 README imported these from langchain_vs, langchain_vs.local, .metrics and
    # .simulation; 0.2 moved the modules, and the changelog promises the names stay at the top.
    used_by_0_1 = [
        "LocalModelServer",
        "MiniLMEmbeddings",
        "Persona",
        "VerbalizedChatModel",
        "VerbalizedSampler",
        "continue_simulation",
        "create_diverse_rag_chain",
        "create_persona_simulation",
        "default_chat_model",
        "generate_dataset",
        "local_chat_model",
        "read_dataset",
        "semantic_diversity",
        "simulation_status",
        "verbalize",
    ]
    import langchain_vs

    missing = [name for name in used_by_0_1 if name not in langchain_vs.__all__]
    assert missing == []
    assert all(callable(getattr(langchain_vs, name)) for name in used_by_0_1)


def test_model_copy_with_an_update_is_checked_and_in_force():
    model = fake(FIVE, FIVE)
    sampler = VerbalizedSampler(model=model, k=5, selection="argmax", output="candidate")
    copy = sampler.model_copy(update={"selection": "tail", "seed": 3})
    assert (
        copy.invoke("Q").index
        == VerbalizedDistribution.from_dict(
            sampler.model_copy(update={"output": "message"})
            .invoke("Q")
            .response_metadata["verbalized_sampling"]
        )
        .tail(seed=3)
        .index
    )
    with pytest.raises(ValueError, match="unknown option 'kk'"):
        sampler.model_copy(update={"kk": 2})


async def test_a_long_reply_is_parsed_off_the_event_loop(monkeypatch):
    import threading

    from langchain_vs.core.parsing._parser import VerbalizedOutputParser

    threads = []
    original = VerbalizedOutputParser.parse_turn

    def recording(self, payload, **kwargs):
        threads.append(threading.current_thread())
        return original(self, payload, **kwargs)

    monkeypatch.setattr(VerbalizedOutputParser, "parse_turn", recording)
    long_reply = vs_json([("x" * 40_000, 0.5), ("y" * 40_000, 0.5)])
    await VerbalizedSampler(model=fake(long_reply), k=2).ainvoke("Q")
    assert threads and all(t is not threading.main_thread() for t in threads)
    threads.clear()
    await VerbalizedSampler(model=fake(FIVE)).ainvoke("Q")  # a short one stays on the loop
    assert threads and all(t is threading.main_thread() for t in threads)
