"""The JSON reader (close_json, read_json_document, find_json), and its fast path against the scan.

The fast path (the C decoder on a value that is whole as it stands) must answer exactly as the
mending scan does for every valid input; ``slow`` forces the scan everywhere to compare.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_vs.core.parsing import VerbalizedOutputParser, _json_text
from langchain_vs.core.parsing._json_text import close_json, find_json, read_json_document


def _both(monkeypatch: pytest.MonkeyPatch, read: Any) -> tuple[Any, Any]:
    """What ``read()`` gives with the fast path, then with the scan alone."""
    fast = read()
    with monkeypatch.context() as patch:
        patch.setattr(_json_text, "_read_whole", lambda text, start: None)
        scanned = read()
    return fast, scanned


# -- close_json ----------------------------------------------------------------------------


def test_close_json_closes_a_value_cut_inside_a_string() -> None:
    assert close_json('{"responses": [{"text": "Tea", "p": 0.6}, {"text": "Cof', 0) == (
        {"responses": [{"text": "Tea", "p": 0.6}, {"text": "Cof"}]},
        55,
    )


def test_close_json_drops_a_cut_key_and_a_cut_escape() -> None:
    assert close_json('{"a": 1, "b', 0) == ({"a": 1}, 11)
    assert close_json('["x\\u00', 0) == (["x"], 7)


def test_close_json_drops_trailing_commas_and_stops_at_the_value_end() -> None:
    assert close_json('[1, 2,] and then {"b": 2}', 0) == ([1, 2], 7)


def test_close_json_reads_nothing_where_no_object_or_array_starts() -> None:
    assert close_json('"a string"', 0) is None
    assert close_json("12", 0) is None
    assert close_json("", 0) is None
    assert close_json("{", 0) == ({}, 1)


def test_close_json_keeps_what_was_well_formed_before_a_syntax_error() -> None:
    assert close_json('{"a": [1, 2], "b": NaN}', 0) == ({"a": [1, 2]}, 19)


def test_close_json_reads_to_the_depth_cap_and_skips_what_is_deeper() -> None:
    deep = "[" * 70 + "]" * 70 + "tail"
    value, end = close_json(deep, 0) or (None, 0)
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    assert (depth, value) == (64, None)  # 64 brackets read, the deeper value read as null
    assert end == 140  # and skipped whole: reading goes on after it


# -- read_json_document ----------------------------------------------------------------------


def test_read_json_document_reads_a_whole_document_as_complete() -> None:
    assert read_json_document(' {"a": [1]} ') == ({"a": [1]}, True)


def test_read_json_document_mends_a_cut_off_document() -> None:
    assert read_json_document('{"a": [1, 2') == ({"a": [1, 2]}, False)


def test_read_json_document_skips_a_code_fence() -> None:
    assert read_json_document('```json\n{"a": 1}\n```') == ({"a": 1}, True)


def test_read_json_document_never_searches_after_prose() -> None:
    assert read_json_document('Sure: {"a": 1}') is None


def test_read_json_document_hands_single_quotes_to_json_repair() -> None:
    assert read_json_document("{'a': 1}") == ({"a": 1}, False)


# -- find_json -------------------------------------------------------------------------------


def test_find_json_skips_prose_and_fences() -> None:
    assert find_json('Sure!\n```json\n{"a": [1, 2,],}\n```') == ({"a": [1, 2]}, False, 14)


def test_find_json_never_reads_json_quoted_inside_a_string() -> None:
    quoted = json.dumps({"note": 'see {"responses": [1]}'})
    found = find_json(quoted, accept=lambda v: "responses" in v)
    assert found is None


def test_find_json_skips_rejected_values_whole() -> None:
    text = '{"x": {"responses": []}} then {"responses": [2]}'
    assert find_json(text, accept=lambda v: "responses" in v) == ({"responses": [2]}, True, 30)


def test_find_json_tries_the_fast_path_once_then_only_scans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tries: list[int] = []
    real = _json_text._read_whole

    def counted(text: str, start: int) -> Any:
        tries.append(start)
        return real(text, start)

    monkeypatch.setattr(_json_text, "_read_whole", counted)
    find_json('[1, "a"] [2,] {"a": 1,} ["b"]', accept=lambda v: v == ["b"])
    assert tries == [0, 9]  # a whole value costs nothing extra; after one failure, scans only


def test_find_json_reads_nan_as_the_scan_does(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ('{"a": NaN}', "[1, Infinity]", '{"b": 1, "a": -Infinity}'):
        fast, scanned = _both(monkeypatch, lambda t=text: find_json(t))
        assert fast == scanned
        assert fast is not None and not fast[1]  # not whole: NaN is no JSON


def test_find_json_reads_nothing_from_many_invalid_values() -> None:
    assert find_json('["x\\q"]\n' * 2_000) is None  # an invalid escape: no JSON


# -- the fast path answers as the scan does -------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(['{"responses": [{"text": "q", "probability": 1}]}', "[1, 2]", "<text>"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)
_CONTAINERS = st.one_of(
    st.lists(_VALUES, max_size=4), st.dictionaries(st.text(max_size=6), _VALUES)
)


@st.composite
def _json_texts(draw: st.DrawFn) -> str:
    value = draw(_CONTAINERS)
    indent = draw(st.sampled_from([None, 0, 2]))
    text = json.dumps(value, indent=indent, ensure_ascii=draw(st.booleans()))
    before = draw(st.sampled_from(["", "  ", "Sure!\n", "```json\n", "[x] {y} ", "1. A\n"]))
    after = draw(st.sampled_from(["", "\n```", " {}", ' and {"more": 1}', ",]"]))
    return before + text + after


@settings(max_examples=300, deadline=None)
@given(text=_json_texts())
def test_fast_path_equals_scan_on_the_json_reader(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        readers = [
            lambda: find_json(text),
            lambda: find_json(text, accept=lambda v: isinstance(v, dict) and len(v) > 1),
            lambda: read_json_document(text),
            lambda: close_json(text, 0),
        ]
        for read in readers:
            fast, scanned = _both(patch, read)
            assert repr(fast) == repr(scanned)  # repr: NaN-free, so == on floats is exact too


_TEXTS = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(
        [
            'He said {"responses": [{"text": "x", "probability": 1}]}',
            "<response><text>inner</text><probability>0.9</probability></response>",
            "1. a list (probability: 0.5)\n2. inside",
            "line one\nline two",
            "   ",
        ]
    ),
)
_WEIGHTS = st.one_of(
    st.floats(0, 1),
    st.integers(0, 100),
    st.sampled_from(["40%", "0.3", "high", "1/5", None, True, -1]),
)


@st.composite
def _vs_replies(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(["responses", "candidates"]))
    field = draw(st.sampled_from(["probability", "confidence", "p"]))
    items = draw(
        st.lists(st.fixed_dictionaries({"text": _TEXTS, field: _WEIGHTS}), min_size=1, max_size=6)
    )
    body: dict[str, Any] = {key: items}
    if draw(st.booleans()):
        body = {"reasoning": draw(st.text(max_size=10)), **body}
    text = json.dumps(body, indent=draw(st.sampled_from([None, 2])))
    before = draw(st.sampled_from(["", "Sure:\n```json\n", 'Example: {"a": 1}\n', "<text>"]))
    return before + text


@settings(max_examples=300, deadline=None)
@given(reply=_vs_replies(), document=st.booleans(), k=st.sampled_from([None, 3, 5]))
def test_fast_path_equals_scan_on_whole_replies(reply: str, document: bool, k: int | None) -> None:
    parser = VerbalizedOutputParser(k=k)

    def parsed() -> Any:
        try:
            return parser.to_distribution([parser.parse_turn(reply, document=document)])
        except Exception as error:  # noqa: BLE001 -- the error, too, must be the same
            return type(error), str(error)

    with pytest.MonkeyPatch.context() as patch:
        fast, scanned = _both(patch, parsed)
    assert repr(fast) == repr(scanned)


def test_fast_path_equals_scan_past_the_depth_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    for depth in (63, 64, 65, 100):
        text = '{"responses": [{"text": "a", "x": ' + "[" * depth + "]" * depth + "}]}"
        fast, scanned = _both(monkeypatch, lambda t=text: find_json(t))
        assert repr(fast) == repr(scanned)
