import pytest

from langchain_vs.core._methods import (
    Method,
    ProbabilityDefinition,
    follow_up_prompt,
    format_instructions,
    response_schema,
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
    schema = response_schema(method, count=3, definition=method.default_definition)
    if not method.asks_json:
        assert schema is None
        return
    assert schema is not None
    json_schema = schema.model_json_schema()
    if method is Method.DIRECT_COT:
        assert set(json_schema["properties"]) == {"reasoning", "response"}
        return
    responses = json_schema["properties"]["responses"]
    assert responses["minItems"] == responses["maxItems"] == 3
    # empty texts are ruled out by the schema (constrained decoders would emit them otherwise)
    item = responses["items"]
    if "$ref" in item:
        item = json_schema["$defs"][item["$ref"].rsplit("/", 1)[1]]["properties"]["text"]
    assert item["minLength"] == 1
    assert ("reasoning" in json_schema["properties"]) == method.has_reasoning


def test_schema_bounds_follow_the_definition():
    schema = response_schema(Method.VS_STANDARD, count=2, definition=ProbabilityDefinition.NLL)
    assert schema is not None
    item = schema.model_json_schema()["$defs"]["Response"]["properties"]
    assert set(item) == {"text", "nll"}
    assert item["nll"]["minimum"] == 0.0
