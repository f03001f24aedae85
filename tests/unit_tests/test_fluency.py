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


def test_the_forced_request_allows_exactly_the_candidates_tokens() -> None:
    body = FluencyScorer._forced([{"role": "user", "content": "Hi"}], [5, 17])
    assert body["grammar"] == "root ::= <[5]> <[17]>"
    assert (body["max_tokens"], body["logprobs"], body["temperature"]) == (2, True, 0.0)


def test_the_score_is_the_mean_of_the_forced_tokens_logprobs() -> None:
    content = [{"id": 5, "logprob": -1.0}, {"id": 17, "logprob": -2.0}]
    reply = _reply({"choices": [{"logprobs": {"content": content}}]})
    assert FluencyScorer._mean_logprob([5, 17], reply).value == pytest.approx(-1.5)


def test_a_token_inside_a_multi_byte_character_is_reported_with_the_one_that_ends_it() -> None:
    # "😂" is two tokens; llama.cpp reports them as one entry under the second one's id.
    content = [{"id": 17, "logprob": -1.0}, {"id": 220, "logprob": -3.0}]
    reply = _reply({"choices": [{"logprobs": {"content": content}}]})
    assert FluencyScorer._mean_logprob([17, 40303, 220], reply).value == pytest.approx(-2.0)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"choices": [{"message": {"content": "x"}}]}, "no token logprobs"),
        ({"choices": [{"logprobs": {"content": [{"id": 6, "logprob": -1.0}]}}]}, "forced"),
        ({"choices": [{"logprobs": {"content": []}}]}, "forced"),
    ],
)
def test_a_server_that_is_not_llama_cpp_is_named(body: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FluencyScorer._mean_logprob([5], _reply(body))


def test_an_empty_text_has_nothing_to_score() -> None:
    with pytest.raises(ValueError, match="no tokens"):
        FluencyScorer._tokens(Candidate("", 1.0), _reply({"tokens": []}))
