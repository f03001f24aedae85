"""Constrained weights on the real local model: every weight the model writes is in range.

A contract on the constrained field, not on the model's luck: llama.cpp's grammar only lets the
model write values of the weight's constrained schema, so no reply can need the ``rescaled``
repair (its raw values are checked against the schema itself).
"""

import json

import jsonschema
import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langchain_vs import Method, ProbabilityDefinition, VerbalizedSampler

PROMPTS = [
    "Tell me a joke about coffee.",
    "Name a color for a new car.",
    "Suggest a name for a cat.",
]


def check_constrained(records: list[dict], definition: ProbabilityDefinition) -> None:
    weight = definition.weight_json_schema(constrained=True)
    for record in records:
        assert record["structured"] and record["constrained_weights"]
        for candidate in record["candidates"]:
            jsonschema.validate(candidate["raw_probability"], weight)  # as the model wrote it
            assert "rescaled" not in candidate["repairs"]


def test_a_seeded_batch_on_the_embedded_model_needs_no_rescaling(chat_model: ChatOpenAI) -> None:
    # The session's model is a ChatOpenAI on the embedded server: constrained by default.
    # Three prompts: the grammar holds every reply alike, so more replies prove nothing more.
    sampler = VerbalizedSampler(model=chat_model, k=5, seed=0, output="message")
    messages = sampler.batch(PROMPTS, {"max_concurrency": 3})
    check_constrained(
        [m.response_metadata["verbalized_sampling"] for m in messages],
        ProbabilityDefinition.EXPLICIT,
    )


@pytest.mark.parametrize(
    ("method", "definition"),
    [
        (Method.VS_MULTI, ProbabilityDefinition.CONFIDENCE),  # every turn is constrained
        (Method.VS_STANDARD, ProbabilityDefinition.PERCENTAGE),
        (Method.VS_COT, ProbabilityDefinition.PERPLEXITY),  # one-sided: >= 1, four digits
    ],
)
def test_every_kind_of_range_holds(
    chat_model: ChatOpenAI, method: Method, definition: ProbabilityDefinition
) -> None:
    sampler = VerbalizedSampler(
        model=chat_model, method=method, k=3, probability_definition=definition, seed=0
    )
    messages = sampler.batch(PROMPTS[:2], {"max_concurrency": 2})
    check_constrained([m.response_metadata["verbalized_sampling"] for m in messages], definition)


class Pet(BaseModel):
    """A pet for a children's story."""

    name: str
    species: str


def test_structured_candidates_are_constrained_too(chat_model: ChatOpenAI) -> None:
    # The user's schema nested per response, beside the constrained weight: llama.cpp takes both.
    sampler = VerbalizedSampler(model=chat_model, k=3, schema=Pet, seed=0, output="message")
    message = sampler.invoke("Invent a pet for a children's story.")
    record = message.response_metadata["verbalized_sampling"]
    check_constrained([record], ProbabilityDefinition.EXPLICIT)
    assert all(Pet.model_validate_json(c["text"]) for c in record["candidates"])


SELF_REFERENCING = {
    "title": "Topic",
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 24},
        "alias": {"$ref": "#/properties/name"},
        "subtopics": {"type": "array", "items": {"$ref": "#"}, "maxItems": 1},
    },
    "required": ["name", "subtopics"],
}


def test_a_self_referencing_schema_is_taken_by_llama_cpp(chat_model: ChatOpenAI) -> None:
    # Its "#" and "#/properties/..." references, nested per response, still point at the
    # user's schema: llama.cpp takes the request (no 400, no fall-back to text).
    sampler = VerbalizedSampler(
        model=chat_model, k=2, schema=SELF_REFERENCING, seed=0, output="message"
    )
    record = sampler.invoke("Name a topic for a school project.").response_metadata[
        "verbalized_sampling"
    ]
    assert record["structured"] and record["structured_error"] is None
    assert all(json.loads(c["text"])["name"] is not None for c in record["candidates"])
