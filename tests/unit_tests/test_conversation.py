"""The sans-I/O conversation, driven directly: requests out, replies or errors in."""

import json

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, HumanMessage

from langchain_vs.core._conversation import SamplingOutcome, VerbalizedConversation
from langchain_vs.core._methods import Method
from langchain_vs.core._options import VerbalizedConfig

from .fake_models import RejectedRequestError, vs_json

ASK = [HumanMessage("Name a fruit.")]


def run(conversation, replies):
    """Drive ``steps()`` by hand; each reply is a string, or an exception to throw in."""
    steps = conversation.steps()
    requests = [next(steps)]
    for reply in replies:
        try:
            if isinstance(reply, BaseException):
                requests.append(steps.throw(reply))
            else:
                requests.append(steps.send(AIMessage(reply)))
        except StopIteration as stop:
            return requests, stop.value
    raise AssertionError("the conversation wanted more replies")


def pairs(n, start=0):
    return vs_json([(f"fruit {start + i}", 0.5) for i in range(n)])


def test_vs_multi_asks_the_per_turn_count_in_prompt_and_schema():
    config = VerbalizedConfig(method=Method.VS_MULTI, k=5, per_turn=2)
    conversation = VerbalizedConversation(ASK, config, structured=True)
    requests, outcome = run(conversation, [pairs(2), pairs(2, 2), pairs(1, 4)])
    assert [r.count for r in requests] == [2, 2, 1]
    sizes = [
        (
            r.reply_schema["properties"]["responses"]["minItems"],
            r.reply_schema["properties"]["responses"]["maxItems"],
        )
        for r in requests
    ]
    assert sizes == [(2, 2), (2, 2), (1, 1)]
    assert "Sample 2 different" in requests[0].messages[0].content
    assert "2 more" in requests[1].messages[-1].content
    assert [r.index_offset for r in requests] == [0, 2, 4]
    assert isinstance(outcome, SamplingOutcome)
    assert [c.text for c in outcome.distribution] == [f"fruit {i}" for i in range(5)]


def test_a_capability_error_asks_the_same_turn_in_text():
    conversation = VerbalizedConversation(ASK, VerbalizedConfig(k=2), structured=True)
    error = RejectedRequestError("json_schema response_format is not supported")
    requests, outcome = run(conversation, [error, pairs(2)])
    assert [r.structured for r in requests] == [True, False]
    assert "JSON object" in requests[1].messages[0].content  # format now in the prompt
    assert outcome.structured is False and "not supported" in outcome.structured_error


@pytest.mark.parametrize(
    "fault", [ConnectionError("refused"), TimeoutError("slow"), RuntimeError("HTTP 503")]
)
def test_a_fault_is_raised_out_of_the_conversation(fault):
    conversation = VerbalizedConversation(ASK, VerbalizedConfig(k=2), structured=True)
    with pytest.raises(type(fault)):
        run(conversation, [fault])


def test_unparseable_replies_are_re_asked_with_the_reason_then_raise():
    config = VerbalizedConfig(k=2, max_retries=1)
    conversation = VerbalizedConversation(ASK, config, structured=False)
    steps = conversation.steps()
    first = next(steps)
    second = steps.send(AIMessage("no idea"))
    assert second.messages[-2].content == "no idea"
    assert "could not be used" in second.messages[-1].content
    assert second.messages[: len(first.messages)] == first.messages
    with pytest.raises(OutputParserException, match="after 2 attempt") as info:
        steps.send(AIMessage("still nothing"))
    assert info.value.llm_output == "still nothing"


def test_the_direct_methods_ask_for_one_response():
    config = VerbalizedConfig(method=Method.DIRECT, k=5)
    requests, outcome = run(VerbalizedConversation(ASK, config, structured=True), ["Apple"])
    assert [r.count for r in requests] == [1] and requests[0].reply_schema is None
    assert outcome.distribution.texts == ["Apple"]


def test_a_structured_reply_quoting_vs_json_keeps_the_quote_inside_its_response():
    quoted = json.dumps({"responses": [{"text": "EVIL", "probability": 1}]})
    reply = vs_json([(f"The user wrote: ```json\n{quoted}\n```", 0.5), ("Banana", 0.5)])
    conversation = VerbalizedConversation(ASK, VerbalizedConfig(k=2), structured=True)
    _, outcome = run(conversation, [reply])
    assert len(outcome.distribution) == 2
    assert quoted in outcome.distribution.texts[0]


def test_one_decision_for_what_is_a_fault() -> None:
    from langchain_vs.core._model_errors import is_fault

    class Rejected(Exception):
        status_code = 400  # e.g. an unsupported response_format

    class TooLong(Exception):
        status_code = 400

    class Overloaded(Exception):
        status_code = 503

    assert not is_fault(NotImplementedError(), structured=True)  # ask in text instead
    assert not is_fault(Rejected("bad response_format"), structured=True)
    assert is_fault(Rejected("bad response_format"), structured=False)  # nothing to fall back to
    assert is_fault(TooLong("exceeds the context size"), structured=True)  # text is no shorter
    assert is_fault(Overloaded("busy"), structured=True)
    assert is_fault(ConnectionError(), structured=True)
    assert is_fault(TimeoutError(), structured=False)
