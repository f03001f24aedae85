from typing import Any

import jsonschema
import pytest

from langchain_vs.core._methods import (
    Method,
    ProbabilityDefinition,
    follow_up_prompt,
    format_instructions,
    response_json_schema,
    system_prompt,
)


def test_default_definitions_are_the_papers_best():
    assert Method.VS_STANDARD.default_definition is ProbabilityDefinition.EXPLICIT
    assert Method.VS_COT.default_definition is ProbabilityDefinition.EXPLICIT
    assert Method.VS_MULTI.default_definition is ProbabilityDefinition.CONFIDENCE
    assert Method.DIRECT.default_definition is None


@pytest.mark.parametrize("definition", list(ProbabilityDefinition))
def test_every_definition_names_its_field_in_the_prompt(definition):
    text = system_prompt(Method.VS_STANDARD, count=4, definition=definition)
    assert text is not None
    assert "4 different responses" in text
    assert f"`{definition.field_name}`" in text
    assert definition.description in text
    assert f'"{definition.field_name}"' in text  # the format example


def test_tail_threshold_and_length_hint_only_when_asked():
    plain = system_prompt(Method.VS_STANDARD, count=5, definition=ProbabilityDefinition.EXPLICIT)
    assert plain is not None
    assert "tails" not in plain and "Each response should be" not in plain
    tail = system_prompt(
        Method.VS_STANDARD,
        count=5,
        definition=ProbabilityDefinition.EXPLICIT,
        tail_threshold=0.1,
        length_hint="one sentence",
    )
    assert tail is not None
    assert "below 0.1" in tail and "Each response should be one sentence." in tail


def test_direct_and_multi_turn_leave_the_request_unchanged():
    assert system_prompt(Method.DIRECT, count=1, definition=None) is None
    assert system_prompt(Method.MULTI_TURN, count=1, definition=None) is None
    assert "another response" in follow_up_prompt(Method.MULTI_TURN, count=1, definition=None)


def test_format_can_be_left_to_structured_output():
    text = system_prompt(Method.SEQUENCE, count=3, definition=None, with_format=False)
    assert text == "Give 3 different responses to the request."
    assert "JSON" in format_instructions(Method.SEQUENCE, count=3, definition=None)


def test_vs_multi_follow_up_asks_for_more():
    text = follow_up_prompt(Method.VS_MULTI, count=2, definition=ProbabilityDefinition.CONFIDENCE)
    assert "2 more responses" in text and "`confidence`" in text


@pytest.mark.parametrize("method", list(Method))
def test_schemas(method):
    schema = response_json_schema(method, count=3, definition=method.default_definition)
    if not method.asks_json:
        assert schema is None
        return
    assert schema is not None
    jsonschema.Draft202012Validator.check_schema(schema)
    if method is Method.DIRECT_COT:
        assert list(schema["properties"]) == ["reasoning", "response"]
        assert schema["properties"]["response"]["minLength"] == 1
        return
    responses = schema["properties"]["responses"]
    assert responses["minItems"] == responses["maxItems"] == 3
    # empty texts are ruled out by the schema (constrained decoders would emit them otherwise)
    item = responses["items"]
    assert (item["properties"]["text"] if "properties" in item else item)["minLength"] == 1
    assert ("reasoning" in schema["properties"]) == method.has_reasoning


def test_schema_bounds_follow_the_definition():
    schema = response_json_schema(Method.VS_STANDARD, count=2, definition=ProbabilityDefinition.NLL)
    assert schema is not None
    item = schema["properties"]["responses"]["items"]["properties"]
    assert list(item) == ["text", "nll"]  # the order a grammar generates them in
    assert item["nll"] == ProbabilityDefinition.NLL.weight_json_schema()
    assert item["nll"]["minimum"] == 0.0 and "maximum" not in item["nll"]


# What the pydantic classes this builder replaced gave (their ``model_json_schema()``, k=3).
PYDANTIC_SCHEMAS = {
    Method.VS_STANDARD: {
        "$defs": {
            "Response": {
                "description": "One response and its weight.",
                "properties": {
                    "text": {
                        "description": "The response.",
                        "minLength": 1,
                        "title": "Text",
                        "type": "string",
                    },
                    "probability": {
                        "description": ProbabilityDefinition.EXPLICIT.description,
                        "maximum": 1.0,
                        "minimum": 0.0,
                        "title": "Probability",
                        "type": "number",
                    },
                },
                "required": ["text", "probability"],
                "title": "Response",
                "type": "object",
            }
        },
        "description": "3 different responses, each with its weight.",
        "properties": {
            "responses": {
                "items": {"$ref": "#/$defs/Response"},
                "maxItems": 3,
                "minItems": 3,
                "title": "Responses",
                "type": "array",
            }
        },
        "required": ["responses"],
        "title": "VerbalizedResponses",
        "type": "object",
    },
    Method.SEQUENCE: {
        "description": "3 different responses.",
        "properties": {
            "responses": {
                "items": {"minLength": 1, "type": "string"},
                "maxItems": 3,
                "minItems": 3,
                "title": "Responses",
                "type": "array",
            }
        },
        "required": ["responses"],
        "title": "ResponseList",
        "type": "object",
    },
    Method.DIRECT_COT: {
        "description": "One response, after reasoning.",
        "properties": {
            "reasoning": {
                "description": "Step-by-step thinking before answering.",
                "title": "Reasoning",
                "type": "string",
            },
            "response": {
                "description": "The response.",
                "minLength": 1,
                "title": "Response",
                "type": "string",
            },
        },
        "required": ["reasoning", "response"],
        "title": "VerbalizedAnswer",
        "type": "object",
    },
}


def constraints(schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """What a schema demands of a reply: references inlined, annotations left out."""
    if defs is None:
        defs = schema.get("$defs", {})
    if isinstance(schema, list):
        return [constraints(s, defs) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return constraints(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    kept = {}
    for key, value in schema.items():
        if key == "properties":  # names, not keywords: every one is kept, in order
            kept[key] = [(name, constraints(s, defs)) for name, s in value.items()]
        elif key not in ("title", "description", "$defs"):
            kept[key] = constraints(value, defs)
    return kept


@pytest.mark.parametrize("method", list(PYDANTIC_SCHEMAS))
def test_the_one_builder_demands_what_the_pydantic_schema_did(method):
    # Only annotations changed (titles dropped, a description on every text) and the item
    # definition is written in place of its one reference: every reply valid before is
    # valid now and the other way round, and the fields come in the same order.
    schema = response_json_schema(method, count=3, definition=method.default_definition)
    before = PYDANTIC_SCHEMAS[method]
    assert constraints(schema) == constraints(before)
    assert schema is not None and schema["description"] == before["description"]
    three = [("a", 0.5), ("b", 0.3), ("c", 0.2)]
    replies = [
        {"responses": [{"text": t, "probability": p} for t, p in three]},
        {"responses": [{"text": t, "probability": p * 10} for t, p in three]},
        {"responses": [{"text": t, "probability": p} for t, p in [*three[:2], ("", 0.2)]]},
        {"responses": [{"text": "a", "probability": 0.5}] * 2},
        {"responses": ["a", "b", "c"]},
        {"responses": ["a", "", "c"]},
        {"reasoning": "r", "response": "a"},
        {"reasoning": "r", "response": ""},
        {"response": "a"},
    ]
    verdicts = [jsonschema.Draft202012Validator(schema).is_valid(r) for r in replies]
    assert verdicts == [jsonschema.Draft202012Validator(before).is_valid(r) for r in replies]
    assert set(verdicts) == {True, False}  # (the comparison is not vacuous)
