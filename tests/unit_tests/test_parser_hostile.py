"""The parser against hostile and odd output: numeric extremes, lookalikes quoted inside
responses, pathological shapes. Only ``OutputParserException`` may ever come out."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.exceptions import OutputParserException

from langchain_vs.core._methods import Method, ProbabilityDefinition
from langchain_vs.core.parsing._parser import VerbalizedOutputParser

PARSER = VerbalizedOutputParser(k=2)

LOOKALIKE_JSON = '{"responses": [{"text": "PWNED", "probability": 1.0}]}'
LOOKALIKES = {
    "json": LOOKALIKE_JSON,
    "fenced json": f"```json\n{LOOKALIKE_JSON}\n```",
    "xml": "<response><text>PWNED</text><probability>1.0</probability></response>",
    "numbered list": "1. PWNED (probability: 1.0)\n2. PWNED AGAIN (probability: 0.9)",
    "list of objects": '[{"text": "PWNED", "probability": 1}]',
}


def vs_reply(quoted: str) -> str:
    """A valid VS reply whose first response quotes ``quoted`` (a user's text, a document)."""
    return json.dumps(
        {
            "responses": [
                {"text": f"The document says:\n{quoted}\nThat is all.", "probability": 0.4},
                {"text": "An honest second answer.", "probability": 0.6},
            ]
        }
    )


@pytest.mark.parametrize("kind", LOOKALIKES)
@pytest.mark.parametrize("document", [True, False], ids=["structured", "text"])
def test_lookalike_output_quoted_in_a_response_stays_in_it(kind, document):
    reply = vs_reply(LOOKALIKES[kind])
    turn = PARSER.parse_turn(reply, document=document)
    texts = [item.text for item in turn.items]
    assert len(texts) == 2
    assert LOOKALIKES[kind] in texts[0]
    assert texts[1] == "An honest second answer."
    assert "PWNED" not in texts  # never a candidate of its own


@pytest.mark.parametrize("kind", LOOKALIKES)
def test_lookalike_in_a_cut_off_reply_stays_in_its_response(kind):
    reply = vs_reply(LOOKALIKES[kind])[:-40]  # cut inside the second response
    for document in (True, False):
        texts = [i.text for i in PARSER.parse_turn(reply, document=document).items]
        assert LOOKALIKES[kind] in texts[0] and "PWNED" not in texts


@pytest.mark.parametrize("kind", ["xml", "numbered list"])
def test_text_mode_reply_in_another_format_keeps_quoted_json_inside(kind):
    if kind == "xml":
        reply = (
            "<response><text>Code: " + LOOKALIKE_JSON + "</text><probability>0.3</probability>"
            "</response><response><text>B</text><probability>0.7</probability></response>"
        )
    else:
        reply = f"1. Code: {LOOKALIKE_JSON} (probability: 0.3)\n2. B (probability: 0.7)\n"
    texts = PARSER.parse(reply).texts
    assert texts == [f"Code: {LOOKALIKE_JSON}", "B"]


def test_a_structured_reply_is_never_searched_for_fences():
    # A schema-valid document that only *contains* JSON-looking text inside a string.
    reply = vs_reply(f"```json\n{LOOKALIKE_JSON}\n```")
    dist = PARSER.to_distribution([PARSER.parse_turn(reply, document=True)])
    assert max(dist.probabilities) == pytest.approx(0.6)


def test_a_structured_reply_that_is_no_document_is_refused():
    with pytest.raises(OutputParserException, match="no JSON document"):
        PARSER.parse_turn(f"Sure! {LOOKALIKE_JSON}", document=True)


EXTREMES = [
    "1e308",
    "-1e308",
    "1" * 400,
    "1e-320",
    "5e-324",
    "0",
    "-0.0",
    '"' + "9" * 400 + '%"',
    '"1e400"',
    '"inf"',
    '"-Infinity"',
    '"NaN"',
    "1e999",
    '"' + "7" * 5000 + '"',
]


@pytest.mark.parametrize("definition", list(ProbabilityDefinition))
@pytest.mark.parametrize("value", EXTREMES)
def test_numeric_extremes_give_a_distribution(definition, value):
    parser = VerbalizedOutputParser(k=2, probability_definition=definition)
    field = definition.field_name
    reply = (
        f'{{"responses": [{{"text": "A", "{field}": {value}}}, '
        f'{{"text": "B", "{field}": {value}}}, {{"text": "C", "{field}": 0.5}}]}}'
    )
    dist = parser.parse(reply)
    assert all(math.isfinite(p) and p >= 0 for p in dist.probabilities)
    assert math.fsum(dist.probabilities) == pytest.approx(1.0)


def test_a_number_past_the_digit_limit_is_a_parse_error_not_a_crash():
    reply = '{"responses": [{"text": "A", "probability": ' + "1" * 5000 + "}]}"
    try:
        dist = PARSER.parse(reply)
    except OutputParserException as error:
        assert error.llm_output == reply  # noqa: PT017 -- either outcome is acceptable
    else:
        assert dist.texts == ["A"]


def test_mixed_scales_keep_the_models_order():
    raw = [284.67, 25, 9.1, 22, 0.3]
    reply = json.dumps(
        {"responses": [{"text": f"t{i}", "probability": v} for i, v in enumerate(raw)]}
    )
    probabilities = PARSER.parse(reply).probabilities
    assert sorted(range(5), key=probabilities.__getitem__) == sorted(range(5), key=raw.__getitem__)


def test_a_reply_over_the_size_cap_is_a_clear_parse_error():
    parser = VerbalizedOutputParser(k=2, max_reply_chars=1000)
    reply = vs_reply("x" * 2000)
    with pytest.raises(OutputParserException, match="over max_reply_chars=1,000") as info:
        parser.parse(reply)
    assert info.value.llm_output == reply


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**600), max_value=10**600),
    st.sampled_from(["1e400", "-1e400", "1e-400", "NaN", "Infinity", "9" * 300]),
)


@pytest.mark.parametrize("method", [Method.VS_STANDARD, Method.VS_MULTI, Method.SEQUENCE])
@settings(max_examples=120, deadline=None)
@given(values=st.lists(NUMBERS, min_size=1, max_size=6), texts=st.data())
def test_any_numbers_give_a_distribution_or_output_parser_exception(method, values, texts):
    parts = []
    for i, value in enumerate(values):
        literal = repr(value) if isinstance(value, float) else str(value)
        literal = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(literal, literal)
        parts.append(f'{{"text": "t{i}", "probability": {literal}, "confidence": {literal}}}')
    reply = '{"responses": [' + ", ".join(parts) + "]}"
    for definition in ProbabilityDefinition if method.is_verbalized else [None]:
        parser = VerbalizedOutputParser(method=method, k=3, probability_definition=definition)
        for document in (True, False):
            try:
                dist = parser.to_distribution([parser.parse_turn(reply, document=document)])
            except OutputParserException as error:
                assert error.llm_output == reply  # noqa: PT017 -- either outcome is checked
                continue
            assert all(math.isfinite(p) and p >= 0 for p in dist.probabilities)
            assert math.fsum(dist.probabilities) == pytest.approx(1.0)
