"""FluencyScorer's checks, without a server (the real model scores in the integration suite)."""

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_vs.core import Candidate, Scorer
from langchain_vs.quality import FluencyScorer

URL = "http://127.0.0.1:8080/v1"


def test_it_is_a_scorer_and_takes_a_chat_openai_or_a_url() -> None:
    model = ChatOpenAI(base_url=URL, api_key="unused", model="m", timeout=12.5)
    scorer = FluencyScorer(model)
    assert isinstance(scorer, Scorer)
    assert (scorer.base_url, scorer.timeout, scorer.name) == (URL, 12.5, "fluency")
    assert FluencyScorer(URL + "/", name="lm").base_url == URL


@pytest.mark.parametrize(
    ("model", "options", "error", "match"),
    [
        (object(), {}, TypeError, "ChatOpenAI or an http"),
        ("127.0.0.1:8080/v1", {}, ValueError, "http"),
        ("http://127.0.0.1:8080", {}, ValueError, "must end in /v1"),
        (URL, {"max_concurrency": 0}, ValueError, "max_concurrency"),
        (URL, {"max_concurrency": True}, TypeError, "max_concurrency"),
        (URL, {"timeout": float("nan")}, ValueError, "timeout"),
        (URL, {"name": ""}, ValueError, "name"),
    ],
)
def test_bad_arguments_say_what_is_wrong(
    model: object, options: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        FluencyScorer(model, **options)


def _reply(body: object) -> httpx.Response:
    return httpx.Response(200, json=body, request=httpx.Request("POST", URL))


def _forced(text: str, pieces: list[tuple[int, object]]) -> dict[str, object]:
    tokens = _reply({"tokens": [{"id": i, "piece": p} for i, p in pieces]})
    return FluencyScorer._forced([{"role": "user", "content": "Hi"}], Candidate(text, 1.0), tokens)


def test_the_forced_request_allows_exactly_the_candidates_tokens() -> None:
    body = _forced("The cat", [(504, "The"), (2644, " cat")])
    assert body["grammar"] == "root ::= <[504]> <[2644]>"
    assert (body["max_tokens"], body["logprobs"], body["temperature"]) == (8, True, 0.0)


def test_a_character_split_over_tokens_is_forced_as_characters() -> None:
    # " 🐦" is three tokens whose pieces are bytes: llama.cpp cannot match such ids.
    pieces = [(26843, "Hi"), (15107, [32, 240, 159]), (234, [144]), (116, [166]), (665, " x")]
    body = _forced("Hi 🐦 x", pieces)
    assert body["grammar"] == 'root ::= <[26843]> " 🐦" <[665]>'


def _completion(text: str, logprobs: list[float], finish: str = "stop") -> httpx.Response:
    content = [{"id": i, "logprob": v} for i, v in enumerate(logprobs)]
    return _reply(
        {
            "choices": [
                {
                    "message": {"content": text},
                    "finish_reason": finish,
                    "logprobs": {"content": content},
                }
            ]
        }
    )


def test_the_score_is_the_mean_logprob_of_the_text_not_of_the_end_of_turn() -> None:
    reply = _completion("The cat", [-1.0, -2.0, -9.0])  # the last: the forced end of the turn
    assert FluencyScorer._mean_logprob(Candidate("The cat", 1.0), reply).value == pytest.approx(
        -1.5
    )


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (_reply({"choices": [{"message": {"content": "x"}}]}), "no token logprobs"),
        (_completion("Another text", [-1.0, -1.0]), "did not generate the forced text"),
        (_completion("The cat", [-1.0, -1.0], finish="length"), "did not generate"),
    ],
)
def test_a_server_that_is_not_llama_cpp_is_named(reply: httpx.Response, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FluencyScorer._mean_logprob(Candidate("The cat", 1.0), reply)


def test_an_empty_text_has_nothing_to_score() -> None:
    with pytest.raises(ValueError, match="no tokens"):
        _forced("", [])
