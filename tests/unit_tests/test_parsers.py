import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, Generation
from pydantic import BaseModel

from langchain_vs.core._methods import Method
from langchain_vs.core.parsing._parser import VerbalizedOutputParser, message_payload

PARSER = VerbalizedOutputParser(k=3)
POEM = "Roses are red,\nviolets are blue"


def pairs(dist):
    return [(c.text, round(c.probability, 3)) for c in dist]


@pytest.mark.parametrize(
    "text",
    [
        '{"responses": [{"text": "A", "probability": 0.6}, {"text": "B", "probability": 0.4}]}',
        '```json\n{"responses": [{"text": "A", "probability": 0.6}, {"text": "B", '
        '"probability": 0.4}]}\n```',
        'Sure! Here are my answers:\n{"responses": [{"text": "A", "probability": 0.6}, '
        '{"text": "B", "probability": 0.4},],}',
        '[{"text": "A", "probability": 0.6}, {"text": "B", "probability": 0.4}]',
        "<response><text>A</text><probability>0.6</probability></response>\n"
        "<response><text>B</text><probability>0.4</probability></response>",
        "<text>A</text> <probability>60%</probability>\n"
        "<text>B</text> <probability>40%</probability>",
        "Here you go:\n1. A (probability: 0.6)\n2. B (probability: 0.4)",
        "- A — 60%\n- B — 40%",
        "1) A\n   Probability: 0.6\n2) B\n   Probability: 0.4",
    ],
)
def test_reads_every_format(text):
    assert pairs(PARSER.parse(text)) == [("A", 0.6), ("B", 0.4)]


def test_text_keeps_newlines_and_inner_quotes():
    text = (
        '{"responses": [{"text": "Roses are red,\\nviolets are blue", "probability": 0.5},'
        ' {"text": "He said \\"hi\\"", "probability": 0.5}]}'
    )
    assert PARSER.parse(text).texts == [POEM, 'He said "hi"']
    # raw newlines inside JSON strings (invalid JSON that models write) survive too
    raw = '{"responses": [{"text": "Roses are red,\nviolets are blue", "probability": 1}]}'
    assert PARSER.parse(raw).texts == [POEM]
    xml = f"<response><text>{POEM}</text><probability>1</probability></response>"
    assert PARSER.parse(xml).texts == [POEM]
    listed = "1. Roses are red,\n   violets are blue (probability: 0.5)\n2. B (probability: 0.5)"
    assert PARSER.parse(listed).texts[0] == "Roses are red,\n   violets are blue"


def test_lists_of_strings_and_sequence_method():
    seq = VerbalizedOutputParser(method="sequence", k=2)
    assert pairs(seq.parse('["x", "y"]')) == [("x", 0.5), ("y", 0.5)]
    assert pairs(seq.parse('{"responses": ["x", "y"]}')) == [("x", 0.5), ("y", 0.5)]
    assert seq.parse("1. x - 5\n2. y").texts == ["x - 5", "y"]  # no values split off
    # a VS reply without probabilities: uniform, recorded as missing
    d = PARSER.parse('{"responses": ["x", "y"]}')
    assert d.probabilities == [0.5, 0.5]
    assert d[0].repairs == ("missing", "uniform_fallback")


def test_structured_inputs():
    class Item(BaseModel):
        text: str
        probability: float

    class Reply(BaseModel):
        responses: list[Item]

    obj = Reply(responses=[Item(text="A", probability=0.6), Item(text="B", probability=0.4)])
    assert pairs(PARSER.parse_payload(obj)) == [("A", 0.6), ("B", 0.4)]
    assert pairs(PARSER.parse_payload(obj.model_dump())) == [("A", 0.6), ("B", 0.4)]
    blocks = AIMessage(
        content=[
            {"type": "text", "text": '[{"text": "A", '},
            {"type": "text", "text": '"probability": 1}]'},
        ]
    )
    assert PARSER.parse_result([ChatGeneration(message=blocks)]).texts == ["A"]
    tool = AIMessage(
        content="",
        tool_calls=[{"name": "VerbalizedResponses", "id": "1", "args": obj.model_dump()}],
    )
    assert message_payload(tool) == obj.model_dump()
    assert PARSER.parse_result([ChatGeneration(message=tool)]).texts == ["A", "B"]


def test_field_names_follow_the_definition():
    nll = VerbalizedOutputParser(probability_definition="nll")
    d = nll.parse('[{"text": "likely", "nll": 1}, {"text": "unlikely", "nll": 5}]')
    assert d.argmax().text == "likely"
    conf = VerbalizedOutputParser(method="vs_multi")
    assert conf.probability_definition == "confidence"
    assert pairs(
        conf.parse('[{"text": "a", "confidence": 0.9}, {"text": "b", "confidence": 0.1}]')
    ) == [("a", 0.9), ("b", 0.1)]
    # a model that wrote perplexity although asked for probability is read as perplexity
    d = PARSER.parse('[{"text": "a", "perplexity": 2}, {"text": "b", "perplexity": 8}]')
    assert d.argmax().text == "a"


def test_cot_methods_keep_reasoning():
    cot = VerbalizedOutputParser(method="direct_cot")
    d = cot.parse('{"reasoning": "think", "response": "42"}')
    assert d.texts == ["42"] and d.reasoning == "think"
    vs_cot = VerbalizedOutputParser(method="vs_cot")
    d = vs_cot.parse('{"reasoning": "r", "responses": [{"text": "a", "probability": 1}]}')
    assert d.reasoning == "r"
    with pytest.raises(OutputParserException):
        cot.parse("just words")


def test_direct_reads_plain_text():
    direct = VerbalizedOutputParser(method=Method.DIRECT)
    assert direct.parse("  Hello\nthere ").texts == ["Hello\nthere"]
    with pytest.raises(OutputParserException, match="empty reply"):
        direct.parse("   ")


def test_records_counts_and_repairs():
    d = VerbalizedOutputParser(k=3).parse(
        '[{"text": "a", "probability": 1}, {"text": "", "probability": 1},]'
    )
    assert d.texts == ["a"]
    assert set(d.repairs) >= {"dropped_empty", "fewer_than_asked", "json_repaired"}


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Sorry, I can't help with that.",
        "{}",
        '{"responses": []}',
        '[{"text": ""}]',
        "1. no\n2. probabilities",
        "<text></text>",
    ],
)
def test_unreadable_output_raises_with_the_raw_output(bad):
    with pytest.raises(OutputParserException) as info:
        PARSER.parse(bad)
    assert info.value.llm_output == bad
    assert "Expected" in str(info.value)


def test_partial_returns_completed_items_only():
    text = '{"responses": [{"text": "a", "probability": 0.5}, {"text": "b", "probability": 0.5}]}'
    seen = [
        PARSER.parse_result([Generation(text=text[:i])], partial=True) for i in range(len(text) + 1)
    ]
    counts = [0 if d is None else len(d) for d in seen]
    assert counts == sorted(counts)  # never shrinks
    assert counts[-1] == 2
    assert text[: counts.index(2)].endswith("}")  # b counts once its object is closed
    first = next(d for d in seen if d is not None)
    assert first.texts == ["a"]


def test_streaming_transform_yields_growing_then_final():
    text = "1. A (probability: 0.6)\n2. B (probability: 0.3)\n3. C (probability: 0.1)"
    chunks = [AIMessageChunk(content=text[i : i + 5]) for i in range(0, len(text), 5)]
    results = list(PARSER.transform(iter(chunks)))
    assert [len(r) for r in results] == [1, 2, 3]
    assert results[-1] == PARSER.parse(text)


async def test_async_streaming_transform():
    text = '{"responses": [{"text": "a", "probability": 0.5}, {"text": "b", "probability": 0.5}]}'

    async def chunks():
        for i in range(0, len(text), 4):
            yield text[i : i + 4]

    results = [r async for r in PARSER.atransform(chunks())]
    assert [len(r) for r in results] == [1, 2]


def test_format_instructions_and_type():
    assert '"probability"' in PARSER.get_format_instructions()
    assert PARSER.OutputType.__name__ == "VerbalizedDistribution"
    assert PARSER._type == "verbalized_distribution"


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=150, deadline=None)
@given(
    text=st.one_of(
        st.text(),
        st.text(alphabet='{}[]",:0123456789.%-<>/ \ntextprobability', max_size=80),
        st.from_regex(
            r'\{"responses": \[(\{"text": "[a-z\n]*", "probability": [-0-9.e%"]*\},? ?)*\]?\}?'
        ),
    )
)
def test_any_string_gives_a_distribution_or_output_parser_exception(method, text):
    parser = VerbalizedOutputParser(method=method, k=3)
    try:
        dist = parser.parse(text)
    except OutputParserException as error:
        assert error.llm_output == text  # noqa: PT017 -- either outcome is checked
        return
    assert len(dist) >= 1
    assert all(c.text.strip() for c in dist)
    assert sum(dist.probabilities) == pytest.approx(1.0)


def test_lone_surrogates_from_broken_utf8_are_replaced():
    # llama.cpp can emit half a UTF-8 character; JSON carries it as a lone surrogate escape.
    dist = PARSER.parse('{"responses": [{"text": "caf\\udcab ok", "probability": 1}]}')
    assert dist.texts == ["caf? ok"]
    dist.texts[0].encode("utf-8")  # encodable: can be sent back to a model or saved
    direct = VerbalizedOutputParser(method="direct").parse("bad \udcab byte")
    assert direct.texts == ["bad ? byte"]
