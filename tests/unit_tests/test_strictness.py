"""Bad options fail at construction with what was wrong (issue #20, strictness leftovers).

FAKE chat models only: nothing here reaches a model.
"""

import math

import pytest

from langchain_vs import (
    HashedNgramEmbeddings,
    Persona,
    VerbalizedChatModel,
    VerbalizedSampler,
    create_diverse_rag_chain,
    create_persona_simulation,
)
from langchain_vs.apps import merge_similar
from langchain_vs.core import MAX_K, VerbalizedConfig, VerbalizedDistribution, WeightedText

from .fake_models import FakeRetriever, SettingsFakeChatModel


def _fake() -> SettingsFakeChatModel:
    return SettingsFakeChatModel(replies=[])


# -- VerbalizedChatModel's model settings -------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("temperature", -3, "greater than or equal to 0"),
        ("temperature", math.nan, "finite number"),
        ("temperature", math.inf, "finite number"),
        ("temperature", True, "valid number"),
        ("temperature", "0.7", "valid number"),
        ("max_tokens", -5, "greater than or equal to 1"),
        ("max_tokens", 0, "greater than or equal to 1"),
        ("max_tokens", True, "valid integer"),
        ("max_tokens", 5.0, "valid integer"),
        ("timeout", -1, "greater than 0"),
        ("timeout", 0, "greater than 0"),
        ("timeout", math.nan, "finite number"),
        ("streaming", 1, "valid boolean"),
    ],
)
def test_chat_model_settings_out_of_range_fail_at_construction(setting, value, message):
    with pytest.raises(ValueError, match=rf"{setting}\n.*{message}"):
        VerbalizedChatModel(model=_fake(), **{setting: value})


def test_chat_model_settings_in_range_reach_the_wrapped_model():
    model = VerbalizedChatModel(model=_fake(), k=2, temperature=0, max_tokens=10, timeout=2)
    inner = model.inner_model()
    assert (inner.temperature, inner.timeout) == (0.0, 2.0)
    assert inner.max_tokens == 2 * (10 + 50)  # two responses per call, with room for the JSON


def test_chat_model_assignment_is_checked_too():
    model = VerbalizedChatModel(model=_fake(), temperature=0.5)
    with pytest.raises(ValueError, match="temperature"):
        model.temperature = -1.0
    assert model.temperature == 0.5


# -- VerbalizedConfig: options that contradict each other ---------------------------------------


def test_min_survivors_above_k_fails_at_construction():
    with pytest.raises(ValueError, match=r"min_survivors must be between 1 and k=2, got 3"):
        VerbalizedConfig(k=2, min_survivors=3)
    assert VerbalizedConfig(k=3, min_survivors=3).min_survivors == 3


def test_min_survivors_above_k_is_refused_on_a_face_and_on_assignment():
    with pytest.raises(ValueError, match="lower min_survivors or raise k"):
        VerbalizedSampler(model=_fake(), k=2, min_survivors=5)
    sampler = VerbalizedSampler(model=_fake(), k=4, min_survivors=3)
    with pytest.raises(ValueError, match="min_survivors"):
        sampler.k = 2
    assert sampler.k == 4


def test_output_value_without_a_schema_fails_at_construction():
    with pytest.raises(ValueError, match=r'output="value" .* pass schema='):
        VerbalizedSampler(model=_fake(), output="value")


# -- create_persona_simulation ------------------------------------------------------------------

ADA = Persona(name="Ada", description="An optimist.")
BO = {"name": "Bo", "description": "A skeptic."}


def _simulate(personas=(ADA,), **options):
    return create_persona_simulation(list(personas), _fake(), max_turns=2, **options)


def test_personas_as_dicts_are_validated_into_personas():
    app = _simulate([ADA, BO, {"name": "Cy", "description": "A judge.", "k": 2}])
    assert {"Ada", "Bo", "Cy"} <= set(app.get_graph().nodes)


@pytest.mark.parametrize(
    ("personas", "message"),
    [
        ("Ada, Bo", r"personas must be a list of Persona objects or dicts.*got str"),
        (ADA, r"got Persona; wrap a single persona in a list"),
        (BO, r"got dict; wrap a single persona in a list"),
        ([ADA, "Bo"], r"personas\[1\] must be a Persona or its dict .*got str"),
        ([ADA, 5], r"personas\[1\] must be a Persona or its dict .*got int"),
    ],
)
def test_personas_of_another_type_are_a_type_error(personas, message):
    with pytest.raises(TypeError, match=message):
        create_persona_simulation(personas, _fake(), max_turns=2)


@pytest.mark.parametrize(
    ("persona", "message"),
    [
        ({"name": "Bo"}, r"personas\[0\] is not a valid persona: description: Field required"),
        ({**BO, "k": "3"}, r"personas\[0\] is not a valid persona: k: Input should be a valid"),
        ({**BO, "k": 0}, r"k: Input should be greater than or equal to 1"),
        ({**BO, "kk": 3}, r"kk: Extra inputs are not permitted"),
    ],
)
def test_a_persona_dict_that_is_not_a_persona_is_a_value_error(persona, message):
    with pytest.raises(ValueError, match=message):
        _simulate([persona])


def test_a_persona_k_given_as_a_string_is_refused():
    with pytest.raises(ValueError, match="valid integer"):
        Persona(name="Ada", description="x", k="3")  # type: ignore[arg-type]


def test_a_persona_with_a_blank_description_is_refused():
    with pytest.raises(ValueError, match="persona description is blank"):
        Persona(name="Ada", description=" \n ")


@pytest.mark.parametrize("max_turns", [True, 0, -1, 2.0, "3", None])
def test_max_turns_must_be_an_int_of_at_least_one(max_turns):
    with pytest.raises(ValueError, match=r"max_turns must be an int of at least 1"):
        create_persona_simulation([ADA], _fake(), max_turns=max_turns)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"turn_order": "round-robin"}, ValueError, r"did you mean 'round_robin'\?"),
        ({"turn_order": "parallel"}, ValueError, r"did you mean 'parallel_drafts'\?"),
        ({"turn_order": 5}, TypeError, r"turn_order must be .* got int"),
        (
            {"turn_order": "parallel_drafts", "speaker_rule": "Ada"},
            TypeError,
            r"speaker_rule must be a function .* got str",
        ),
        ({"stop_condition": 5}, TypeError, r"stop_condition must be a function .* got int"),
        ({"stop_condition": True}, TypeError, r"stop_condition must be a function .* got bool"),
        ({"opening": 5}, TypeError, r"opening must be a string or None, got int"),
        ({"opening": ["Hi"]}, TypeError, r"opening must be a string or None, got list"),
        ({"opening": "  \n"}, ValueError, r"opening is blank"),
        ({"interrupt_before": "Ada"}, TypeError, r"interrupt_before must be a list .*\['Ada'\]"),
        ({"interrupt_after": "Ada"}, TypeError, r"interrupt_after must be a list of node names"),
    ],
)
def test_simulation_options_of_the_wrong_kind_fail_at_construction(options, error, message):
    with pytest.raises(error, match=message):
        _simulate(**options)


def test_valid_simulation_options_still_build():
    rule = lambda state, drafts: drafts[0]["persona"]  # noqa: E731
    _simulate([ADA, BO], turn_order="parallel_drafts", speaker_rule=rule, opening="Hi")
    _simulate([ADA, BO], turn_order=lambda state: "Ada", stop_condition=lambda s: False)
    _simulate(opening="")  # no opening line, as before
    _simulate([ADA, BO], interrupt_before=["Bo"], interrupt_after="*")


# -- create_diverse_rag_chain -------------------------------------------------------------------


def _rag(**options):
    return create_diverse_rag_chain(FakeRetriever(documents=[]), _fake(), **options)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"merge_threshold": "0.9"}, TypeError, r"merge_threshold must be a number in \(0, 1\]"),
        ({"merge_threshold": True}, TypeError, r"merge_threshold must be a number .* bool"),
        ({"merge_threshold": math.nan}, ValueError, r"merge_threshold must be in \(0, 1\]"),
        ({"merge_threshold": 0}, ValueError, r"merge_threshold must be in \(0, 1\]"),
        ({"merge_threshold": 1.0000001}, ValueError, r"merge_threshold must be in \(0, 1\]"),
        ({"merge_threshold": -math.inf}, ValueError, r"merge_threshold must be in \(0, 1\]"),
        ({"embeddings": "minilm", "merge_threshold": 0.9}, TypeError, r"embeddings must be"),
        ({"k": "5"}, ValueError, r"k\n.*valid integer"),
        ({"k": True}, ValueError, r"k\n.*valid integer"),
        ({"k": 0}, ValueError, r"k\n.*greater than or equal to 1"),
        ({"k": MAX_K + 1}, ValueError, rf"k\n.*less than or equal to {MAX_K}"),
        ({"selection": "bset"}, ValueError, r"selection\n.*'sample', 'argmax'"),
    ],
)
def test_rag_options_fail_at_construction(options, error, message):
    with pytest.raises(error, match=message):
        _rag(**options)


def test_rag_threshold_extremes_that_are_valid_still_build():
    _rag(merge_threshold=1, k=MAX_K)
    _rag(merge_threshold=1e-9, k=1)


def test_rag_retriever_of_another_type_is_a_type_error():
    with pytest.raises(TypeError, match=r"retriever must be a LangChain retriever .* got str"):
        create_diverse_rag_chain("my_store", _fake())  # type: ignore[arg-type]


def test_merge_similar_checks_its_threshold_the_same_way():
    distribution = VerbalizedDistribution.from_weighted([WeightedText("a", 1.0)])
    with pytest.raises(TypeError, match=r"threshold must be a number in \(0, 1\]"):
        merge_similar(distribution, HashedNgramEmbeddings(), "0.9")  # type: ignore[arg-type]
