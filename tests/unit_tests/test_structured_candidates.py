"""Structured candidates (``schema=``) and ``with_structured_output``, with FAKE inner models.

The fakes only script replies; everything under test (prompts, schemas, parsing, validation,
re-asks, the draw) is the real code.
"""

import json
from typing import Annotated, Any, TypedDict
from uuid import UUID

import pytest
import typing_extensions
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel, Field
from pydantic import v1 as pydantic_v1

from langchain_vs import VerbalizedChatModel, VerbalizedDistribution, VerbalizedSampler, verbalize
from langchain_vs.core._candidate_schema import CandidateSchema
from langchain_vs.core._methods import Method, ProbabilityDefinition, response_json_schema

from .fake_models import ScriptedFakeChatModel


class Owner(BaseModel):
    name: str


class Pet(BaseModel):
    """A pet."""

    name: str = Field(min_length=1)
    legs: int = Field(ge=0, le=8)
    owner: Owner | None = None


class PetDict(TypedDict):
    name: str
    legs: int


class AnnotatedPetDict(typing_extensions.TypedDict):
    """LangChain's convention: Annotated[type, default, description]."""

    name: Annotated[str, ..., "the pet's name"]
    legs: Annotated[int, ..., "how many legs"]


PET_JSON_SCHEMA = {
    "title": "Pet",
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1}, "legs": {"type": "integer"}},
    "required": ["name", "legs"],
}


def vs_objects(pairs: list[tuple[Any, Any]], **extra: Any) -> str:
    """A VS reply with objects, as a model following the format would write it."""
    return json.dumps({**extra, "responses": [{"value": v, "probability": p} for v, p in pairs]})


REX = {"name": "Rex", "legs": 4}
TWEETY = {"name": "Tweety", "legs": 2}
GOOD = vs_objects([(REX, 0.6), (TWEETY, 0.4)])


@pytest.mark.parametrize("structured", [False, True], ids=["text", "structured"])
def test_each_candidate_is_a_validated_object_with_canonical_text(structured):
    inner = ScriptedFakeChatModel(replies=[GOOD], structured=structured)
    sampler = VerbalizedSampler(model=inner, k=2, schema=Pet, output="distribution")
    dist = sampler.invoke("Invent a pet.")
    assert dist.values == [Pet(**REX), Pet(**TWEETY)]
    assert dist.texts == [
        '{"legs":4,"name":"Rex","owner":null}',
        '{"legs":2,"name":"Tweety","owner":null}',
    ]
    assert dist.probabilities == pytest.approx([0.6, 0.4])
    assert inner.structured_calls == [structured]


def test_text_mode_prompt_shows_the_schema_and_structured_mode_nests_it():
    text_model = ScriptedFakeChatModel(replies=[GOOD])
    VerbalizedSampler(model=text_model, k=2, schema=Pet).invoke("Invent a pet.")
    system = text_model.calls[0]["messages"][0].content
    assert (
        '"value"' in system and json.dumps(Pet.model_json_schema(), separators=(",", ":")) in system
    )

    structured_model = ScriptedFakeChatModel(replies=[GOOD], structured=True)
    VerbalizedSampler(model=structured_model, k=2, schema=Pet).invoke("Invent a pet.")
    schema = structured_model.calls[0]["schema"]
    items = schema["properties"]["responses"]["items"]
    assert items["required"] == ["value", "probability"]
    assert items["properties"]["value"]["properties"]["owner"]["anyOf"][0] == {
        "$ref": "#/$defs/Owner"
    }
    assert "Owner" in schema["$defs"]  # the user's definitions, at the top where refs point
    assert schema["properties"]["responses"]["minItems"] == 2


@pytest.mark.parametrize(
    ("schema", "kind"),
    [(PetDict, dict), (AnnotatedPetDict, dict), (PET_JSON_SCHEMA, dict), (Pet, Pet)],
)
def test_pydantic_typeddict_and_json_schema_give_their_types(schema, kind):
    inner = ScriptedFakeChatModel(replies=[GOOD])
    pet = VerbalizedSampler(model=inner, k=2, schema=schema, output="value", seed=3).invoke("Q")
    assert isinstance(pet, kind)


@pytest.mark.parametrize("schema", [Pet, PetDict, PET_JSON_SCHEMA])
def test_invalid_objects_are_dropped_and_recorded(schema):
    reply = vs_objects([({"name": "Rex"}, 0.5), ({"name": "", "legs": 3}, 0.2), (TWEETY, 0.3)])
    dist = verbalize("Q", model=ScriptedFakeChatModel(replies=[reply]), k=3, schema=schema)
    names = [v["name"] if isinstance(v, dict) else v.name for v in dist.values]
    assert names == (["Tweety"] if schema is not PetDict else ["", "Tweety"])
    assert "dropped_invalid" in dist.repairs and "fewer_than_asked" in dist.repairs


def test_a_reply_with_no_valid_object_is_asked_again_with_the_reason():
    bad = vs_objects([({"name": "Rex", "legs": 40}, 1.0)])
    inner = ScriptedFakeChatModel(replies=[bad, GOOD])
    pet = VerbalizedSampler(model=inner, k=2, schema=Pet, output="value", max_retries=1).invoke("Q")
    assert isinstance(pet, Pet)
    follow_up = inner.calls[1]["messages"][-1].content
    assert "does not match Pet: legs: Input should be less than or equal to 8" in follow_up


def test_no_valid_object_after_every_re_ask_raises_with_the_raw_reply():
    bad = vs_objects([({"legs": "many"}, 1.0)])
    inner = ScriptedFakeChatModel(replies=[bad])
    sampler = VerbalizedSampler(model=inner, k=2, schema=Pet, max_retries=1)
    with pytest.raises(OutputParserException, match="no response that matches the schema") as err:
        sampler.invoke("Q")
    assert err.value.llm_output == bad
    assert len(inner.calls) == 2


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (42, "must be a pydantic model class, a TypedDict or a JSON-schema dict"),
        ("Pet", "must be a pydantic model class"),
        (dict, "must be a pydantic model class"),
        ({"type": "string"}, "must describe a JSON object"),
        ({"type": 5}, "not a valid JSON schema"),
    ],
)
def test_a_bad_schema_is_a_value_error_before_any_call(schema, message):
    inner = ScriptedFakeChatModel(replies=[GOOD])
    with pytest.raises(ValueError, match=message):
        VerbalizedSampler(model=inner, schema=schema)
    assert inner.calls == []


def test_langchain_typeddict_descriptions_reach_the_model():
    schema = CandidateSchema.of(AnnotatedPetDict).json_schema
    assert schema["properties"]["legs"]["description"] == "how many legs"
    assert schema["required"] == ["name", "legs"]


def test_pydantic_v1_models_are_refused_with_the_way_out():
    class OldPet(pydantic_v1.BaseModel):
        name: str

    with pytest.raises(ValueError, match=r"pydantic\.v1 models are not supported"):
        CandidateSchema.of(OldPet)


def test_output_value_needs_a_schema():
    with pytest.raises(ValueError, match=r'output="value" .* pass schema='):
        VerbalizedSampler(model=ScriptedFakeChatModel(replies=[GOOD]), output="value")


def test_objects_survive_to_dict_from_dict_and_selection_is_seeded():
    dist = verbalize("Q", model=ScriptedFakeChatModel(replies=[GOOD]), k=2, schema=Pet)
    data = json.loads(json.dumps(dist.to_dict()))  # really JSON
    assert data["candidates"][0]["value"] == {**REX, "owner": None}
    again = VerbalizedDistribution.from_dict(data, schema=Pet)
    assert again.values == dist.values and again.probabilities == dist.probabilities
    assert VerbalizedDistribution.from_dict(data).values[1] == {**TWEETY, "owner": None}
    assert [dist.sample(seed=s).value for s in range(20)] == [
        again.sample(seed=s).value for s in range(20)
    ]
    assert '{"legs":4,"name":"Rex","owner":null}' in dist.to_markdown()


def test_same_object_in_another_key_order_merges():
    reply = vs_objects([(REX, 0.3), ({"legs": 4, "name": "Rex"}, 0.3), (TWEETY, 0.4)])
    dist = VerbalizedSampler(
        model=ScriptedFakeChatModel(replies=[reply]),
        k=3,
        schema=Pet,
        merge_duplicates=True,
        output="distribution",
    ).invoke("Q")
    assert [v.name for v in dist.values] == ["Rex", "Tweety"]
    assert dist.probabilities == pytest.approx([0.6, 0.4])


@pytest.mark.parametrize("structured", [False, True], ids=["text", "structured"])
def test_stream_yields_each_whole_object_once(structured):
    nested = vs_objects(
        [
            ({"name": "Rex", "legs": 4, "owner": {"name": "Ann"}}, 0.5),
            ({"name": "Tom", "legs": 4, "owner": {"name": "Bo"}}, 0.3),
            (TWEETY, 0.2),
        ]
    )
    inner = ScriptedFakeChatModel(replies=[nested], structured=structured, chunk_size=3)
    sampler = VerbalizedSampler(model=inner, k=3, schema=Pet, output="candidate", seed=1)
    streamed = list(sampler.stream("Q"))
    *candidates, pick = streamed
    assert [c.value.name for c in candidates] == ["Rex", "Tom", "Tweety"]
    assert [c.value.owner for c in candidates][:2] == [Owner(name="Ann"), Owner(name="Bo")]
    assert pick.value in [c.value for c in candidates]


def test_json_text_inside_a_field_stays_in_the_object():
    quoted = '{"responses": [{"value": {"name": "Rex", "legs": 4}, "probability": 1.0}]}'
    reply = vs_objects([({"name": quoted, "legs": 1}, 0.5), (TWEETY, 0.5)])
    dist = verbalize("Q", model=ScriptedFakeChatModel(replies=[reply]), k=2, schema=Pet)
    assert [v.name for v in dist.values] == [quoted, "Tweety"]


def test_a_lone_object_is_one_candidate():
    reply = "Sure! " + json.dumps(REX)
    dist = verbalize("Q", model=ScriptedFakeChatModel(replies=[reply]), k=2, schema=Pet)
    assert dist.values == [Pet(**REX)] and "fewer_than_asked" in dist.repairs


@pytest.mark.parametrize("structured", [False, True], ids=["text", "structured"])
def test_direct_method_with_a_schema_asks_for_the_object_itself(structured):
    inner = ScriptedFakeChatModel(replies=[json.dumps(REX)], structured=structured)
    pet = VerbalizedSampler(model=inner, method="direct", schema=Pet, output="value").invoke(
        "Invent a pet."
    )
    assert pet == Pet(**REX)
    if structured:
        assert inner.calls[0]["schema"]["title"] == "Pet"
    else:
        assert "follows this JSON schema" in inner.calls[0]["messages"][0].content


@pytest.mark.parametrize("method", ["sequence", "direct_cot", "vs_cot", "vs_multi"])
def test_every_json_method_nests_the_schema(method):
    schema = response_json_schema(
        Method(method),
        count=2,
        definition=Method(method).default_definition,
        candidate=CandidateSchema.of(Pet),
    )
    assert schema is not None and "Owner" in schema["$defs"]
    direct_cot = json.dumps({"reasoning": "r", "response": REX})
    replies = {
        "sequence": json.dumps({"responses": [REX, TWEETY]}),
        "direct_cot": direct_cot,
        "vs_cot": vs_objects([(REX, 0.5), (TWEETY, 0.5)], reasoning="r"),
        "vs_multi": json.dumps({"responses": [{"value": REX, "confidence": 0.5}]}),
    }
    inner = ScriptedFakeChatModel(replies=[replies[method]])
    dist = verbalize("Q", model=inner, method=method, k=2, schema=Pet)
    assert dist.values[0] == Pet(**REX)


def test_weights_keep_their_definitions_for_objects():
    schema = response_json_schema(
        Method.VS_STANDARD,
        count=2,
        definition=ProbabilityDefinition.PERCENTAGE,
        candidate=CandidateSchema.of(PET_JSON_SCHEMA),
    )
    assert schema is not None
    weight = schema["properties"]["responses"]["items"]["properties"]["probability"]
    assert (weight["minimum"], weight["maximum"]) == (0.0, 100.0)


# -- with_structured_output --------------------------------------------------------------------


class _Starts(BaseCallbackHandler):
    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []

    def on_chat_model_start(
        self, serialized: Any, messages: Any, *, run_id: UUID, options: Any = None, **kw: Any
    ) -> None:
        self.options.append(options or {})


@pytest.mark.parametrize("structured", [False, True], ids=["text-only model", "structured"])
async def test_with_structured_output_draws_an_object_from_a_vs_distribution(structured):
    inner = ScriptedFakeChatModel(replies=[GOOD], structured=structured)
    chain = VerbalizedChatModel(model=inner, k=2, seed=0).with_structured_output(Pet)
    starts = _Starts()
    pet = chain.invoke("Invent a pet.", {"callbacks": [starts]})
    assert pet in (Pet(**REX), Pet(**TWEETY))
    # One model run, traced with the user's schema (LangChain's standard tests check this).
    assert len(starts.options) == 1
    assert starts.options[0]["ls_structured_output_format"]["schema"]["title"] == "Pet"
    assert await chain.ainvoke("Invent a pet.") == pet  # same seed, same pick
    assert list(chain.stream("Invent a pet.")) == [pet]


async def test_with_structured_output_include_raw():
    inner = ScriptedFakeChatModel(replies=[GOOD])
    chain = VerbalizedChatModel(model=inner, k=2, seed=0).with_structured_output(
        PET_JSON_SCHEMA, include_raw=True
    )
    result = chain.invoke("Q")
    assert result["parsing_error"] is None and result["parsed"] in (REX, TWEETY)
    assert result["raw"].response_metadata["verbalized_sampling"]["k"] == 2

    broken = ScriptedFakeChatModel(replies=["no JSON here"])
    failing = VerbalizedChatModel(model=broken, k=2, max_retries=0).with_structured_output(
        Pet, include_raw=True
    )
    result = await failing.ainvoke("Q")
    assert result["parsed"] is None and result["raw"].content == "no JSON here"
    assert isinstance(result["parsing_error"], OutputParserException)


def test_with_structured_output_method_and_unknown_arguments():
    inner = ScriptedFakeChatModel(replies=[GOOD], structured=True)
    model = VerbalizedChatModel(model=inner, k=2)
    assert model.with_structured_output(Pet, method="json_mode").invoke("Q") in (
        Pet(**REX),
        Pet(**TWEETY),
    )
    assert "follows this JSON schema" in inner.calls[0]["messages"][0].content  # JSON mode
    with pytest.raises(ValueError, match="unexpected arguments: \\['tools'\\]"):
        model.with_structured_output(Pet, tools=[])
