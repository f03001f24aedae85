"""Users' schemas are honoured or refused before any call, never silently changed (issue #20).

All with FAKE chat models (they script replies; ``SchemaCheckingFakeChatModel`` also checks a
structured request's schema against its reply, as a constrained server would). Everything under
test — schema reading, the reply schema, parsing, validation — is the real code.
"""

import json
import typing
from typing import Annotated, Any

import jsonschema
import pytest
import typing_extensions
from pydantic import BaseModel, Field
from referencing.exceptions import Unresolvable

from langchain_vs import VerbalizedChatModel, VerbalizedSampler, verbalize
from langchain_vs.core._candidate_schema import MAX_DEPTH, CandidateSchema
from langchain_vs.core._methods import Method, response_json_schema
from langchain_vs.core.parsing._json_text import _MAX_DEPTH, close_json, read_json_document

from .fake_models import RejectedRequestError, ScriptedFakeChatModel


class SchemaCheckingFakeChatModel(ScriptedFakeChatModel):
    """FAKE with structured output that, like llama.cpp, refuses (400) a schema whose references
    do not resolve, and (unlike it) also refuses a scripted reply the schema rejects."""

    structured: bool = True

    def _next(self, messages: list[Any], kwargs: dict[str, Any]) -> Any:
        message = super()._next(messages, kwargs)
        schema = kwargs.get("structured_schema")
        if isinstance(schema, dict):
            validator = jsonschema.validators.validator_for(schema)(schema)
            try:
                errors = list(validator.iter_errors(json.loads(message.text)))
            except Unresolvable as error:
                raise RejectedRequestError(f"400: bad $ref ({error})") from error
            if errors:
                raise RejectedRequestError(f"400: reply does not match ({errors[0].message})")
        return message


def vs_objects(*values: Any) -> str:
    """A VS reply with objects, as a model following the format would write it."""
    return json.dumps({"responses": [{"value": v, "probability": 0.5} for v in values]})


# -- TypedDicts: optional keys stay optional, no inherited docstrings -----------------------------


class Partial(typing_extensions.TypedDict, total=False):
    name: str
    legs: int


class Mixed(typing.TypedDict):
    name: Annotated[str, ..., "the pet's name"]
    legs: typing.NotRequired[int]
    tag: typing_extensions.NotRequired[str]


class MixedTotalFalse(typing_extensions.TypedDict, total=False):
    name: typing_extensions.Required[str]
    legs: int


class Documented(typing.TypedDict):
    """A documented pet."""

    name: str


class Undocumented(Documented):
    legs: int


class Owner(typing.TypedDict):
    name: str
    nick: typing.NotRequired[str]


class WithOwner(typing.TypedDict):
    owner: Owner
    owners: list[Owner] | None


@pytest.mark.parametrize(
    ("schema", "required"),
    [
        (Partial, None),
        (Mixed, ["name"]),
        (MixedTotalFalse, ["name"]),
        (Undocumented, ["name", "legs"]),
    ],
)
def test_typeddict_required_keys_are_honoured(schema, required):
    assert CandidateSchema.of(schema).json_schema.get("required") == required


@pytest.mark.parametrize("structured", [False, True], ids=["text", "structured"])
def test_optional_typeddict_keys_stay_optional(structured):
    # Today's main: total=False made every key required (every object dropped); NotRequired
    # raised TypeError.
    inner = ScriptedFakeChatModel(replies=[vs_objects({"name": "Rex"}, {})], structured=structured)
    dist = verbalize("Q", model=inner, k=2, schema=Partial)
    assert dist.values == [{"name": "Rex"}, {}] and "dropped_invalid" not in dist.repairs
    inner = ScriptedFakeChatModel(replies=[vs_objects({"name": "Rex"}, {"legs": 4})])
    dist = verbalize("Q", model=inner, k=2, schema=Mixed)
    assert dist.values == [{"name": "Rex"}] and "dropped_invalid" in dist.repairs


class Constrained(typing.TypedDict):
    legs: Annotated[int, Field(ge=0, le=8)]
    name: Annotated[str, ..., "the pet's name", Field(max_length=12)]


def test_pydantic_metadata_on_typeddict_keys_is_kept():
    schema = CandidateSchema.of(Constrained)
    assert schema.json_schema["properties"]["legs"]["maximum"] == 8
    assert schema.json_schema["properties"]["name"]["maxLength"] == 12
    assert schema.json_schema["properties"]["name"]["description"] == "the pet's name"
    with pytest.raises(ValueError, match="legs: 9 is greater than the maximum of 8"):
        schema.validate({"legs": 9, "name": "Rex"})


def test_nested_typeddicts_keep_their_optional_keys():
    schema = CandidateSchema.of(WithOwner)
    assert schema.json_schema["$defs"]["Owner"]["required"] == ["name"]
    assert schema.validate({"owner": {"name": "Ann"}, "owners": None})


def test_a_typeddict_describes_itself_only_with_its_own_docstring():
    # Today's main: a TypedDict without a docstring sent dict's docstring in every prompt.
    for schema in (Partial, Undocumented):
        assert "description" not in CandidateSchema.of(schema).json_schema
    assert CandidateSchema.of(Documented).json_schema["description"] == "A documented pet."
    assert CandidateSchema.of(Mixed).json_schema["properties"]["name"]["description"] == (
        "the pet's name"
    )
    inner = ScriptedFakeChatModel(replies=[vs_objects({"name": "Rex"})])
    verbalize("Q", model=inner, k=1, schema=Partial)
    assert "dict()" not in inner.calls[0]["messages"][0].content


class Tree(typing_extensions.TypedDict):
    kids: list["Tree"]


def test_a_recursive_or_unreadable_typeddict_is_refused_with_the_way_out():
    with pytest.raises(TypeError, match=r"recursive TypedDicts are not supported.*pydantic"):
        CandidateSchema.of(Tree)

    class Local(typing_extensions.TypedDict):
        kids: list["Local"]

    with pytest.raises(TypeError, match=r"cannot read the annotations of TypedDict Local"):
        CandidateSchema.of(Local)


# -- JSON-schema references: rewritten to stay correct, or refused up front -----------------------

TREE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "alias": {"$ref": "#/properties/name"},
        "kids": {"type": "array", "items": {"$ref": "#"}},
    },
    "required": ["name"],
}
TREE_VALUE = {"name": "a", "alias": "b", "kids": [{"name": "c", "kids": []}]}


@pytest.mark.parametrize("method", [m for m in Method if m is not Method.MULTI_TURN])
def test_internal_references_still_point_at_the_users_schema_when_nested(method):
    candidate = CandidateSchema.of(TREE)
    schema = response_json_schema(
        method, count=2, definition=method.default_definition, candidate=candidate
    )
    assert schema is not None
    validator = jsonschema.Draft202012Validator(schema)
    value = TREE_VALUE
    if method.is_verbalized:
        reply: Any = json.loads(vs_objects(value, value))
        if method is Method.VS_MULTI:
            for item in reply["responses"]:
                item["confidence"] = item.pop("probability")
    elif method is Method.SEQUENCE:
        reply = {"responses": [value, value]}
    elif method is Method.DIRECT_COT:
        reply = {"response": value}
    else:
        reply = value
    if method.has_reasoning:
        reply["reasoning"] = "..."
    assert list(validator.iter_errors(reply)) == []
    bad = json.loads(json.dumps(reply).replace('"alias": "b"', '"alias": 5'))
    assert list(validator.iter_errors(bad))  # the rewritten "#/properties/name" still checks


def test_a_self_referencing_json_schema_is_answered_in_structured_mode():
    # Today's main: "#" pointed at the wrapper, so valid replies failed and llama.cpp answered
    # 400 — every request silently went to text mode.
    inner = SchemaCheckingFakeChatModel(replies=[vs_objects(TREE_VALUE, {"name": "d"})])
    dist = verbalize("Q", model=inner, k=2, schema=TREE)
    assert dist.values == [TREE_VALUE, {"name": "d"}]
    assert inner.structured_calls == [True]


def test_the_root_moves_to_a_free_name_in_defs():
    schema = {**TREE, "$defs": {"VSCandidate": {"type": "string"}}}
    schema["properties"] = {**TREE["properties"], "tag": {"$ref": "#/$defs/VSCandidate"}}
    body, shared = CandidateSchema.of(schema).nested_json_schema()
    assert body == {"$ref": "#/$defs/VSCandidate_"}
    moved = shared["$defs"]["VSCandidate_"]
    assert moved["properties"]["tag"] == {"$ref": "#/$defs/VSCandidate"}
    assert moved["properties"]["alias"] == {"$ref": "#/$defs/VSCandidate_/properties/name"}
    assert CandidateSchema.of(schema).json_schema == schema  # the user's schema, unchanged


def test_nesting_keeps_encoded_definition_refs_and_drops_document_keywords():
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://example.com/pet",
        "type": "object",
        "definitions": {"a/b": {"type": "string"}},
        "$defs": {"N": {"type": "integer"}},
        "properties": {
            "p": {"$ref": "#/definitions/a~1b"},
            "q": {"$ref": "#/%24defs/N"},
            "kids": {"type": "array", "items": {"$ref": "#"}},
        },
    }
    wrapper = response_json_schema(
        Method.VS_STANDARD,
        count=1,
        definition=Method.VS_STANDARD.default_definition,
        candidate=CandidateSchema.of(schema),
    )
    assert wrapper is not None
    moved = wrapper["$defs"]["VSCandidate"]
    assert "$schema" not in moved and "$id" not in moved
    assert moved["properties"]["q"] == {"$ref": "#/%24defs/N"}  # still into the definitions
    validator = jsonschema.Draft202012Validator(wrapper)
    good = {"responses": [{"value": {"p": "x", "q": 1, "kids": [{"q": 2}]}, "probability": 1}]}
    assert list(validator.iter_errors(good)) == []
    bad = {"responses": [{"value": {"kids": [{"q": "two"}]}, "probability": 1}]}
    assert list(validator.iter_errors(bad))


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("#/properties/missing", "points at nothing in the schema"),
        ("#/$defs/Missing", "points at nothing in the schema"),
        ("owner.json#/Owner", "only references inside the schema"),
        ("https://example.com/owner.json", "only references inside the schema"),
    ],
)
def test_an_unresolvable_reference_is_refused_before_any_call(ref, message):
    schema = {"type": "object", "properties": {"owner": {"$ref": ref}}}
    inner = ScriptedFakeChatModel(replies=[vs_objects({})])
    with pytest.raises(ValueError, match=message):
        VerbalizedSampler(model=inner, schema=schema)
    with pytest.raises(ValueError, match=message):
        VerbalizedChatModel(model=inner).with_structured_output(schema)
    assert inner.calls == []


@pytest.mark.parametrize(
    "where",
    ["items", "additionalProperties", "not", "if", "dependentSchemas", "dependencies"],
)
def test_references_are_checked_under_every_schema_keyword(where):
    owner = {"$ref": "#/$defs/Missing"}
    inner = {"dependentSchemas": {"a": owner}, "dependencies": {"a": owner}}.get(where, owner)
    schema = {"type": "object", "properties": {"a": {"type": "array"}}, where: inner}
    with pytest.raises(ValueError, match="points at nothing in the schema"):
        CandidateSchema.of(schema)


def test_dynamic_references_and_nested_ids_are_refused():
    with pytest.raises(ValueError, match=r"\$dynamicRef, which is not supported"):
        CandidateSchema.of({"type": "object", "properties": {"a": {"$dynamicRef": "#node"}}})
    with pytest.raises(ValueError, match=r"nested \$id"):
        CandidateSchema.of({"type": "object", "properties": {"a": {"$id": "https://x/a"}}})


class Node(BaseModel):
    name: str
    kids: list["Node"] = []


ONE_OF = {
    "oneOf": [
        {"type": "object", "properties": {"cat": {"type": "string"}}, "required": ["cat"]},
        {"type": "object", "properties": {"dog": {"type": "string"}}, "required": ["dog"]},
    ]
}


@pytest.mark.parametrize(
    ("schema", "values"),
    [
        (Node.model_json_schema(), [{"name": "a", "kids": [{"name": "b"}]}, {"name": "c"}]),
        (ONE_OF, [{"cat": "Tom"}, {"dog": "Rex"}]),
        ({"allOf": [ONE_OF, {"maxProperties": 1}]}, [{"cat": "Tom"}, {"dog": "Rex"}]),
    ],
    ids=["pydantic recursive $ref", "oneOf", "allOf"],
)
def test_pydantic_recursive_dicts_and_top_level_one_of_are_accepted(schema, values):
    # Today's main refused both ("must describe a JSON object").
    inner = SchemaCheckingFakeChatModel(replies=[vs_objects(*values)])
    dist = verbalize("Q", model=inner, k=2, schema=schema)
    assert dist.values == values and inner.structured_calls == [True]
    text_model = ScriptedFakeChatModel(replies=[vs_objects({"cat": 5}, *values)])
    dist = verbalize("Q", model=text_model, k=3, schema=schema)
    assert dist.values == values and "dropped_invalid" in dist.repairs


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "object"}, {"type": "string"}]},
        {"$ref": "#/$defs/Name", "$defs": {"Name": {"type": "string"}}},
        {"anyOf": [{"type": "object"}, {"type": "null"}]},
        {"type": ["object", "null"], "properties": {}},
        {"type": "string", "properties": {}},
        {"$ref": "#"},
    ],
)
def test_a_schema_that_may_describe_a_non_object_is_refused(schema):
    with pytest.raises(ValueError, match="must describe a JSON object"):
        CandidateSchema.of(schema)


# -- depth: a documented limit; deeper is dropped, never cut short, never costs the next ----------


def chain(levels: int) -> dict[str, Any]:
    """A Node nesting ``levels`` levels of objects and arrays (a lone leaf is 1)."""
    node: dict[str, Any] = {"name": 'leaf ]}[{\\"', "kids": []}
    depth = 2  # the leaf and its empty list
    while depth < levels:
        node = {"name": "n", "kids": [node]}
        depth += 2
    return node


def test_the_documented_depth_fits_every_method_within_the_reader():
    assert MAX_DEPTH + 3 <= _MAX_DEPTH  # {"responses": [{"value": <candidate>}]}


@pytest.mark.parametrize("structured", [False, True], ids=["text", "structured"])
def test_a_too_deep_candidate_is_dropped_and_the_next_one_kept(structured):
    # Today's main: the deep candidate came back cut short as a valid Node, the next one lost.
    deep, ok = chain(MAX_DEPTH + 10), chain(MAX_DEPTH)
    inner = ScriptedFakeChatModel(
        replies=[vs_objects(deep, ok, {"name": "c"})], structured=structured
    )
    dist = verbalize("Q", model=inner, k=3, schema=Node)
    assert [c.value for c in dist] == [Node.model_validate(ok), Node(name="c")]
    assert "dropped_too_deep" in dist.repairs and "dropped_invalid" not in dist.repairs


def test_a_too_deep_candidate_in_tool_call_arguments_is_dropped_too():
    from langchain_vs.core.parsing import VerbalizedOutputParser

    parser = VerbalizedOutputParser(k=2, candidate_schema=CandidateSchema.of(Node))
    payload = json.loads(vs_objects(chain(MAX_DEPTH + 2), {"name": "c"}))
    dist = parser.parse_payload(payload)
    assert dist.values == [Node(name="c")] and "dropped_too_deep" in dist.repairs


@pytest.mark.parametrize(
    "method", [Method.DIRECT, Method.DIRECT_COT, Method.SEQUENCE, Method.VS_COT]
)
def test_a_candidate_of_the_documented_depth_is_read_whole_by_every_method(method):
    ok = chain(MAX_DEPTH)
    replies = {
        Method.DIRECT: json.dumps(ok),
        Method.DIRECT_COT: json.dumps({"reasoning": "r", "response": ok}),
        Method.SEQUENCE: json.dumps({"responses": [ok, ok]}),
        Method.VS_COT: json.dumps({"reasoning": "r", **json.loads(vs_objects(ok, ok))}),
    }
    inner = ScriptedFakeChatModel(replies=[replies[method]])
    dist = verbalize("Q", model=inner, k=2, method=method, schema=Node)
    assert dist.values[0] == Node.model_validate(ok) and not dist.repairs


def test_the_reader_skips_a_too_deep_value_and_reads_on():
    text = '{"a": ' + "[" * 70 + '"]"' + "]" * 70 + ', "b": 2}'
    value, end = close_json(text, 0)
    assert end == len(text) and value["b"] == 2
    inner = value["a"]
    for _ in range(_MAX_DEPTH - 1):
        inner = inner[0]
    assert inner is None  # the part beyond the cap, read as null
    assert read_json_document(text) == (value, False)  # not whole: it was mended


# -- with_structured_output accepts what schema= accepts -------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [{"type": "object", "properties": {"name": {"type": "string"}}}, Mixed, TREE],
    ids=["untitled", "NotRequired", "self-referencing"],
)
def test_with_structured_output_accepts_what_schema_accepts(schema):
    # Today's main refused an untitled JSON schema (and NotRequired) that schema= accepts.
    inner = ScriptedFakeChatModel(replies=[vs_objects({"name": "Rex"}, {"name": "Tom"})])
    VerbalizedSampler(model=inner, k=2, schema=schema)
    chain_ = VerbalizedChatModel(model=inner, k=2, seed=0).with_structured_output(schema)
    assert chain_.invoke("Q") in ({"name": "Rex"}, {"name": "Tom"})
