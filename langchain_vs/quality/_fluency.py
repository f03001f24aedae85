"""Fluency: how natural a candidate reads to a language model, from its own token log-probs.

[`FluencyScorer`][langchain_vs.quality.FluencyScorer] scores each candidate by the **mean
log-probability of its tokens** under
a model served by llama.cpp's OpenAI-compatible server (the embedded local model, or any
``llama-server``), given the request as the conversation before it.

The algorithm (teacher forcing through the server's public API): llama.cpp returns no
log-probabilities for prompt tokens (``echo`` is not supported), but it reports, for every
token it *generates*, that token's log-probability under the model's raw distribution (before
penalties, samplers and grammar). So for each candidate the scorer

1. tokenizes the text with the server's own tokenizer (``POST /tokenize``, special tokens read
   as plain text);
2. asks ``/v1/chat/completions`` for an assistant reply to the request whose GBNF grammar
   allows exactly those tokens, in order (``<[id]>`` token ids; where tokens split one
   character, as in most emoji, that character as a literal, because llama.cpp cannot match
   ids that end inside a character), at temperature 0 with ``logprobs``;
3. checks that the reply is the text, and averages the log-probabilities the server reports for
   it (not the end of the turn the grammar forces after it). A character split over tokens is
   reported as one entry, so such text is averaged over the entries.

The result is ``(1/T) · Σₜ log p(tokenₜ | request, earlier tokens)``: the negative log of the
model's per-token perplexity on the text as a reply to this request. Higher (closer to 0) is
more fluent. Forcing the tokenizer's own ids scores the text's canonical tokenization (forcing
the characters instead lets the model take odd splits, which lowers the score). The k
candidates of a draw are sent concurrently, so the server's parallel slots decode them as one
batch.

What it means, and what it does not: it rewards text the model finds likely — grammatical,
on-topic, typical. A shuffled sentence or an off-topic reply scores far lower; so does a rare
but good answer, and a model's own modal answer (what direct prompting returns) scores high
by construction. Read it as fluency and typicality, not as a judge of quality, and compare
scores from the same model only.

Examples:
    ```python
    from langchain_core.messages import HumanMessage
    from langchain_vs.core import Candidate
    from langchain_vs.local import local_chat_model
    from langchain_vs.quality import FluencyScorer

    scorer = FluencyScorer(local_chat_model())
    request = [HumanMessage("Write a sentence about a cat.")]
    scores = scorer.score(request, [Candidate("The cat sat on the mat.", 1.0)])
    print(scores[0].value)  # about -2.1 on SmolLM2-135M
    ```
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from langchain_core.messages import BaseMessage, convert_to_openai_messages

from langchain_vs.core import Candidate, CandidateScore

__all__ = ["FluencyScorer"]


Piece = str | list[int]
"""A token's text as ``/tokenize`` gives it: a string, or its bytes when they are no whole
characters (a piece of an emoji)."""


def _grammar(text: str, pieces: list[tuple[int, Piece]]) -> str:
    """GBNF that allows exactly ``text`` in its canonical tokens.

    Token ids where a token is whole characters; the characters where tokens split one (llama.cpp
    cannot match token ids that end inside a character split over three or more tokens).
    """
    parts: list[str] = []
    pending = b""  # bytes of a character split over tokens, until it is whole
    for token, piece in pieces:
        if isinstance(piece, str) and not pending:
            parts.append(f"<[{token}]>")
            continue
        pending += piece.encode() if isinstance(piece, str) else bytes(piece)
        try:
            characters = pending.decode()
        except UnicodeDecodeError:
            continue
        parts.append(json.dumps(characters, ensure_ascii=False))
        pending = b""
    if pending:  # cannot happen for pieces of a str; kept exact all the same
        return "root ::= " + json.dumps(text, ensure_ascii=False)
    return "root ::= " + " ".join(parts)


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number of at least 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return value


class FluencyScorer:
    """Scores candidates by their mean token log-probability under a llama.cpp-served model.

    Args:
        model: The server: a ``ChatOpenAI`` pointed at it (its ``base_url`` and timeout are
            used; its sampling settings do not matter, the text is forced) or the base URL
            itself (``http://127.0.0.1:PORT/v1``). It must be llama.cpp's server (it needs
            ``/tokenize``, GBNF grammars with token ids, and logprobs).
        max_concurrency: Candidates of one draw scored at once (the server's parallel slots
            batch them).
        timeout: Seconds per HTTP request; default the model's timeout, else 60.
        name: The scorer's name in records and reports.

    A scorer is stateless between calls: ``score`` and ``ascore`` give the same numbers (up to
    llama.cpp's batched arithmetic, ~1e-5).

    Examples:
        >>> FluencyScorer("http://127.0.0.1:8080/v1").name
        'fluency'
        >>> FluencyScorer("localhost:8080")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: model must be a ChatOpenAI or an http(s) base URL ... got 'localhost:8080'
    """

    def __init__(
        self,
        model: Any,
        *,
        max_concurrency: int = 4,
        timeout: float | None = None,
        name: str = "fluency",
    ) -> None:
        base_url = model if isinstance(model, str) else getattr(model, "openai_api_base", None)
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise (TypeError if not isinstance(model, str) else ValueError)(
                "model must be a ChatOpenAI or an http(s) base URL ending in /v1 (llama.cpp's "
                f"OpenAI-compatible API), got {model!r}"
            )
        base_url = base_url.rstrip("/")
        if not base_url.endswith("/v1"):
            raise ValueError(
                f"the base URL must end in /v1 (llama.cpp's OpenAI-compatible API), got "
                f"{base_url!r}"
            )
        if timeout is None:
            configured = getattr(model, "request_timeout", None)
            timeout = float(configured) if isinstance(configured, int | float) else 60.0
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        self.base_url = base_url
        self.max_concurrency = _whole("max_concurrency", max_concurrency)
        self.timeout = float(timeout)
        self.name = name

    def __repr__(self) -> str:
        return f"FluencyScorer({self.base_url!r}, name={self.name!r})"

    # -- the two requests per candidate, shared by the sync and async paths ------------------

    @property
    def _tokenize_url(self) -> str:
        return self.base_url.removesuffix("/v1") + "/tokenize"

    @staticmethod
    def _text(candidate: Candidate) -> dict[str, Any]:
        # The text is text: "<|im_end|>" in it is characters, not the end-of-turn token.
        return {"content": candidate.text, "parse_special": False, "with_pieces": True}

    @staticmethod
    def _forced(
        messages: list[dict[str, Any]], candidate: Candidate, reply: httpx.Response
    ) -> dict[str, Any]:
        """The completion request that generates exactly the candidate's text, with logprobs."""
        reply.raise_for_status()
        tokens = reply.json().get("tokens")
        try:
            pieces = [(int(t["id"]), t["piece"]) for t in tokens]
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"the server's /tokenize gave {reply.text[:200]!r}, not tokens with pieces: is "
                "it llama.cpp's server?"
            ) from None
        if not pieces:
            raise ValueError(
                f"candidate {candidate.index} has no tokens (empty text): nothing to score"
            )
        return {
            "messages": messages,
            "grammar": _grammar(candidate.text, pieces),
            # A bound only: the grammar ends the turn after the text (every token is a byte or
            # more, and one more for the end of the turn).
            "max_tokens": len(candidate.text.encode()) + 1,
            "temperature": 0.0,
            "logprobs": True,
            "top_logprobs": 1,  # llama.cpp sends no logprobs with 0
        }

    @staticmethod
    def _mean_logprob(candidate: Candidate, reply: httpx.Response) -> CandidateScore:
        reply.raise_for_status()
        try:
            choice = reply.json()["choices"][0]
            logprobs = [float(entry["logprob"]) for entry in choice["logprobs"]["content"]]
            text, finish = choice["message"]["content"], choice["finish_reason"]
        except (KeyError, IndexError, TypeError, ValueError):
            raise ValueError(
                f"the server's reply has no token logprobs ({reply.text[:200]!r}): FluencyScorer "
                "needs llama.cpp's server"
            ) from None
        if text != candidate.text or finish != "stop" or len(logprobs) < 2:
            # a server that ignored the grammar generated some other text
            raise ValueError(
                f"the server did not generate the forced text of candidate {candidate.index} (it "
                "ignores GBNF grammars): FluencyScorer needs llama.cpp's server"
            )
        text_logprobs = logprobs[:-1]  # the last is the end of the turn, not the text's
        mean = math.fsum(text_logprobs) / len(text_logprobs)
        if not math.isfinite(mean):
            raise ValueError(f"the server reported a non-finite logprob for {text[:80]!r}")
        return CandidateScore(mean)

    # -- the Scorer protocol ------------------------------------------------------------------

    def score(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The mean token log-probability of each candidate as a reply to ``request``.

        Raises:
            ValueError: An empty candidate, or a server that is not llama.cpp's.
            httpx.HTTPError: The server could not be reached or refused a request.
        """
        messages = convert_to_openai_messages(list(request))

        def one(client: httpx.Client, candidate: Candidate) -> CandidateScore:
            tokens = client.post(self._tokenize_url, json=self._text(candidate))
            request = self._forced(messages, candidate, tokens)
            reply = client.post(f"{self.base_url}/chat/completions", json=request)
            return self._mean_logprob(candidate, reply)

        with httpx.Client(timeout=self.timeout) as client:
            workers = min(self.max_concurrency, len(candidates))
            if workers <= 1:
                return [one(client, c) for c in candidates]
            with ThreadPoolExecutor(workers, thread_name_prefix="langchain-vs-fluency") as pool:
                return list(pool.map(lambda c: one(client, c), candidates))

    async def ascore(
        self, request: Sequence[BaseMessage], candidates: Sequence[Candidate]
    ) -> list[CandidateScore]:
        """The asynchronous twin of `score()`."""
        messages = convert_to_openai_messages(list(request))
        slots = asyncio.Semaphore(self.max_concurrency)

        async def one(client: httpx.AsyncClient, candidate: Candidate) -> CandidateScore:
            async with slots:
                tokens = await client.post(self._tokenize_url, json=self._text(candidate))
                request = self._forced(messages, candidate, tokens)
                reply = await client.post(f"{self.base_url}/chat/completions", json=request)
                return self._mean_logprob(candidate, reply)

        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return list(await asyncio.gather(*(one(client, c) for c in candidates)))
