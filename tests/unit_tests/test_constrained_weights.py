"""Constrained weights: what the request to a server carries, decided once, nothing else moved.

The "server" is an ``httpx.MockTransport`` behind a real ``ChatOpenAI``: the request bodies
checked are the bytes the OpenAI client would send, with no socket opened.
"""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from langchain_core.messages import SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langchain_vs import Method, ProbabilityDefinition, VerbalizedSampler
from langchain_vs.core._engine import (
    VerbalizedEngine,
    declare_grammar_server,
    withdraw_grammar_server,
)
from langchain_vs.core._methods import response_json_schema
from langchain_vs.core._options import VerbalizedConfig
from langchain_vs.core._weights import repair_weights

from .fake_models import ScriptedFakeChatModel, vs_json
from .test_methods import PYDANTIC_SCHEMAS, constraints

LLAMA = "http://127.0.0.1:8089/v1"
"""A declared grammar server (as the embedded LocalModelServer declares itself)."""
OTHER = "http://127.0.0.1:8090/v1"
"""Another OpenAI-compatible server, not declared."""


@pytest.fixture(autouse=True)
def llama_declared() -> Iterator[None]:
    declare_grammar_server(LLAMA + "/")  # a trailing slash is the same server
    yield
    withdraw_grammar_server(LLAMA)


class Server:
    """FAKE OpenAI-compatible server: records each request body, answers with ``content``."""

    def __init__(self, content: str) -> None:
        self.content = content
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if "tools" in body:  # function calling: the content is the call's arguments
            call = {"name": body["tools"][0]["function"]["name"], "arguments": self.content}
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": call}],
            }
        completion = {
            "id": "c",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
        }
        return httpx.Response(200, json=completion)

    def model(self, base_url: str | None) -> ChatOpenAI:
        return ChatOpenAI(
            base_url=base_url,
            api_key="unused",
            model="m",
            max_retries=0,
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(self)),
        )

    def schemas(self) -> list[dict[str, Any]]:
        return [body["response_format"]["json_schema"]["schema"] for body in self.bodies]


def weight_of(schema: dict[str, Any], field: str = "probability") -> dict[str, Any]:
    """The weight field's schema in a VS response schema (plain or structured candidates)."""
    return schema["properties"]["responses"]["items"]["properties"][field]


def reply_for(definition: ProbabilityDefinition, k: int = 3) -> str:
    values = {"percentage": [50, 30, 20], "perplexity": [1.5, 12, 9.9], "nll": [0.0, 2.5, 40]}
    raw = values.get(definition.value, [0.5, 0.3, 0.2])[:k]
    return vs_json([(f"r{i}", v) for i, v in enumerate(raw)], field=definition.field_name)


# -- the request for the local server carries the constraint ------------------------------------


@pytest.mark.parametrize("definition", list(ProbabilityDefinition))
def test_the_request_to_the_grammar_server_carries_the_constraint(definition):
    # Every definition has a range: [0, 1], [0, 100], or one-sided for perplexity and NLL.
    server = Server(reply_for(definition))
    sampler = VerbalizedSampler(
        model=server.model(LLAMA), k=3, probability_definition=definition, output="message"
    )
    record = sampler.invoke("Name a color.").response_metadata["verbalized_sampling"]
    (schema,) = server.schemas()
    weight = weight_of(schema, definition.field_name)
    assert weight == definition.weight_json_schema(constrained=True)
    assert "minimum" not in weight and "maximum" not in weight  # bounds llama.cpp ignores
    assert record["constrained_weights"] is True and record["structured"] is True
    assert not any("rescaled" in c["repairs"] for c in record["candidates"])


@pytest.mark.parametrize("definition", list(ProbabilityDefinition))
def test_constrained_schemas_admit_exactly_the_range(definition):
    weight = definition.weight_json_schema(constrained=True)
    bounds = definition.json_bounds()
    allowed = weight["enum"] if "enum" in weight else weight["anyOf"][0]["enum"]
    assert all(bounds["ge"] <= v <= bounds.get("le", 9999) for v in allowed)
    for value in allowed:
        jsonschema.validate(value, weight)
    top = bounds.get("le")
    outside = [bounds["ge"] - 0.5, 10000000000.0, 2.4978e-63, -1, 818.81]
    if top is not None:
        outside += [top + 1, top * 1.5, 0.12345]
    else:
        outside += [12.5, 10000, 3.14]  # decimals above 10, or beyond four digits
    for value in outside:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(value, weight)
    if top is not None:
        assert {bounds["ge"], top} <= set(allowed) and len(allowed) == 110
    else:
        jsonschema.validate(10, weight)
        jsonschema.validate(9999, weight)


@pytest.mark.parametrize(
    "definition",
    [d for d in ProbabilityDefinition if not d.lower_is_likelier],
)
def test_constrained_values_never_need_the_rescaled_repair(definition):
    grid = definition.weight_json_schema(constrained=True)["enum"]
    for values in [grid[-5:], grid[:5], grid[::22], [grid[-1]] * 5, [grid[0], grid[-1]]]:
        codes = {code for _, repairs in repair_weights(values, definition) for code in repairs}
        assert codes <= {"percent_scale", "uniform_fallback"}


def test_vs_multi_constrains_every_turn():
    server = Server(vs_json([("a", 0.6), ("b", 0.4)], field="confidence"))
    sampler = VerbalizedSampler(model=server.model(LLAMA), method="vs_multi", k=4, per_turn=2)
    record = sampler.invoke("Name a color.").response_metadata["verbalized_sampling"]
    assert record["model_calls"] == 2 and record["constrained_weights"] is True
    expected = ProbabilityDefinition.CONFIDENCE.weight_json_schema(constrained=True)
    assert [weight_of(s, "confidence") for s in server.schemas()] == [expected, expected]


async def test_async_requests_carry_it_too():
    server = Server(reply_for(ProbabilityDefinition.EXPLICIT))
    await VerbalizedSampler(model=server.model(LLAMA), k=3).ainvoke("Name a color.")
    (schema,) = server.schemas()
    assert "enum" in weight_of(schema)


class Pet(BaseModel):
    name: str
    species: str


def test_structured_candidates_keep_their_schema_and_constrain_the_weight():
    pets = [{"name": "Rex", "species": "dog"}, {"name": "Tom", "species": "cat"}]
    content = json.dumps({"responses": [{"value": p, "probability": 0.5} for p in pets]})
    server = Server(content)
    dist = VerbalizedSampler(
        model=server.model(LLAMA), k=2, schema=Pet, output="distribution"
    ).invoke("Invent a pet.")
    assert [c.value for c in dist] == [Pet(**p) for p in pets]
    (schema,) = server.schemas()
    items = schema["properties"]["responses"]["items"]
    assert items["properties"]["value"] == Pet.model_json_schema()
    assert items["properties"]["probability"] == (
        ProbabilityDefinition.EXPLICIT.weight_json_schema(constrained=True)
    )


# -- other servers are unchanged by default; the option decides ---------------------------------


@pytest.mark.parametrize("base_url", [OTHER, None])  # None: OpenAI itself
def test_other_servers_get_the_request_they_got_before(base_url):
    server = Server(reply_for(ProbabilityDefinition.EXPLICIT))
    record = (
        VerbalizedSampler(model=server.model(base_url), k=3)
        .invoke("Name a color.")
        .response_metadata["verbalized_sampling"]
    )
    (body,) = server.bodies
    sent = body["response_format"]["json_schema"]
    # The client moves the title and description out, as it did from the pydantic class's.
    before = dict(PYDANTIC_SCHEMAS[Method.VS_STANDARD])
    assert {"name": before.pop("title"), "description": before.pop("description")} == {
        "name": sent["name"],
        "description": sent["description"],
    }
    assert sent["strict"] is False
    # The same demands (see test_methods: only annotations and a reference written in place).
    assert constraints(sent["schema"]) == constraints(before)
    assert weight_of(sent["schema"]) == ProbabilityDefinition.EXPLICIT.weight_json_schema()
    assert weight_of(sent["schema"])["maximum"] == 1.0
    assert record["constrained_weights"] is False


@pytest.mark.parametrize("mode", ["json_schema", "function_calling", "json_mode"])
def test_each_structured_mode_sends_the_one_schema_and_reads_the_reply(mode):
    server = Server(reply_for(ProbabilityDefinition.EXPLICIT))
    sampler = VerbalizedSampler(
        model=server.model(OTHER), k=3, structured_output=mode, output="message"
    )
    record = sampler.invoke("Name a color.").response_metadata["verbalized_sampling"]
    assert record["structured"] is True and record["model_calls"] == 1
    assert [(c["text"], c["probability"]) for c in record["candidates"]] == [
        ("r0", pytest.approx(0.5)),
        ("r1", pytest.approx(0.3)),
        ("r2", pytest.approx(0.2)),
    ]
    schema = response_json_schema(
        Method.VS_STANDARD, count=3, definition=ProbabilityDefinition.EXPLICIT
    )
    assert schema is not None
    parameters = {k: v for k, v in schema.items() if k not in ("title", "description")}
    (body,) = server.bodies
    if mode == "json_schema":
        assert body["response_format"]["json_schema"]["schema"] == parameters
    elif mode == "function_calling":
        (tool,) = body["tools"]
        assert tool["function"] == {
            "name": "VerbalizedResponses",
            "description": schema["description"],
            "parameters": parameters,
        }
        assert "response_format" not in body
    else:  # the schema is not sent: the format goes in the prompt
        assert body["response_format"] == {"type": "json_object"} and "tools" not in body
        assert '"probability": 0.12' in body["messages"][0]["content"]


@pytest.mark.parametrize("mode", ["json_schema", "function_calling", "json_mode"])
def test_fakes_get_the_same_dict_schema_in_each_mode(mode):
    model = ScriptedFakeChatModel(
        replies=[reply_for(ProbabilityDefinition.EXPLICIT)], structured=True
    )
    dist = VerbalizedSampler(
        model=model, k=3, structured_output=mode, output="distribution"
    ).invoke("Q")
    assert dist.texts == ["r0", "r1", "r2"]
    (call,) = model.calls
    assert call["schema"] == response_json_schema(
        Method.VS_STANDARD, count=3, definition=ProbabilityDefinition.EXPLICIT
    )


def test_the_option_turns_it_on_for_any_server_and_off_for_the_grammar_server():
    on = Server(reply_for(ProbabilityDefinition.EXPLICIT))
    VerbalizedSampler(model=on.model(OTHER), k=3, constrained_weights=True).invoke("Q")
    assert "enum" in weight_of(on.schemas()[0])
    off = Server(reply_for(ProbabilityDefinition.EXPLICIT))
    VerbalizedSampler(model=off.model(LLAMA), k=3, constrained_weights=False).invoke("Q")
    assert "enum" not in weight_of(off.schemas()[0])
    withdraw_grammar_server(LLAMA)  # a server that stopped is an ordinary server again
    again = Server(reply_for(ProbabilityDefinition.EXPLICIT))
    VerbalizedSampler(model=again.model(LLAMA), k=3).invoke("Q")
    assert "enum" not in weight_of(again.schemas()[0])


def test_models_without_a_base_url_follow_the_option():
    model = ScriptedFakeChatModel(replies=[vs_json([("a", 0.5), ("b", 0.5)])], structured=True)
    assert not VerbalizedEngine(model, VerbalizedConfig()).constrains_weights()
    assert VerbalizedEngine(model, VerbalizedConfig(constrained_weights=True)).constrains_weights()
    VerbalizedSampler(model=model, k=2).invoke("Q")
    VerbalizedSampler(model=model, k=2, constrained_weights=True).invoke("Q")
    default, constrained = (weight_of(call["schema"]) for call in model.calls)
    assert "enum" not in default and "enum" in constrained


@pytest.mark.parametrize("method", ["sequence", "direct_cot", "direct", "multi_turn"])
def test_methods_without_weights_are_unchanged(method):
    plain = response_json_schema(Method(method), count=2, definition=None)
    assert (
        response_json_schema(Method(method), count=2, definition=None, constrained_weights=True)
        == plain
    )
    server = Server(json.dumps({"responses": ["a", "b"]}) if method == "sequence" else "a")
    if method == "direct_cot":
        server.content = json.dumps({"reasoning": "r", "response": "a"})
    sampler = VerbalizedSampler(model=server.model(LLAMA), method=method, k=2)
    record = sampler.invoke("Q").response_metadata["verbalized_sampling"]
    assert record["constrained_weights"] is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "constrained_weights"),
        (1, "constrained_weights"),
        ("true", "constrained_weights"),
    ],
)
def test_a_wrong_type_is_refused(value, message):
    model = ScriptedFakeChatModel(replies=["x"])
    with pytest.raises(ValueError, match=message):
        VerbalizedSampler(model=model, constrained_weights=value)
    with pytest.raises(ValueError, match=message):
        VerbalizedConfig(constrained_weights=value)


def test_a_typo_is_refused_with_the_right_name():
    model = ScriptedFakeChatModel(replies=["x"])
    with pytest.raises(ValueError, match=r"did you mean 'constrained_weights'"):
        VerbalizedSampler(model=model, constrained_weight=True)


# -- text mode keeps its rules ------------------------------------------------------------------


def test_text_mode_is_untouched_by_the_option():
    # Out-of-range text values are still repaired (rescaled): no schema, no constraint.
    reply = vs_json([("a", 818.81), ("b", 234768925), ("c", 3)])
    runs = []
    for option in (None, False, True):
        model = ScriptedFakeChatModel(replies=[reply], structured=True)
        record = (
            VerbalizedSampler(
                model=model, k=3, structured_output="none", constrained_weights=option
            )
            .invoke("Q")
            .response_metadata["verbalized_sampling"]
        )
        assert model.structured_calls == [False]
        assert record["constrained_weights"] is False
        assert all("rescaled" in c["repairs"] for c in record["candidates"])
        runs.append([m.content for m in model.calls[0]["messages"]])
    assert runs[0] == runs[1] == runs[2]
    assert isinstance(model.calls[0]["messages"][0], SystemMessage)


def test_a_request_that_falls_back_to_text_records_no_constraint():
    model = ScriptedFakeChatModel(
        replies=[vs_json([("a", 0.5), ("b", 0.5)])], structured=True, fail_structured=True
    )
    record = (
        VerbalizedSampler(model=model, k=2, constrained_weights=True)
        .invoke("Q")
        .response_metadata["verbalized_sampling"]
    )
    assert model.structured_calls == [True, False]
    assert record["structured"] is False and record["constrained_weights"] is False
