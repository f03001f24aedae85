"""RAG answer diversification: k distinct answers, each grounded in retrieved documents.

A RAG pipeline usually returns one answer, the most typical reading of the context.
[`create_diverse_rag_chain()`][langchain_vs.apps.create_diverse_rag_chain] asks for a verbalized
distribution of answers grounded only in
the retrieved sources, each citing the sources it uses.

Examples:
    ```python
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_vs import HashedNgramEmbeddings, create_diverse_rag_chain, local_chat_model

    store = InMemoryVectorStore.from_texts(texts, HashedNgramEmbeddings())
    chain = create_diverse_rag_chain(store.as_retriever(), local_chat_model(), k=4)
    result = chain.invoke("What causes tides?")
    for answer in result.answers:
        print(answer.probability, answer.text, answer.sources)
    ```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import (
    Runnable,
    RunnableBranch,
    RunnableLambda,
    RunnablePassthrough,
)

from langchain_vs.core import SelectionStrategy, VerbalizedDistribution, text_key
from langchain_vs.quality import selection_utility
from langchain_vs.runnables import VerbalizedSampler

__all__ = [
    "NOT_IN_SOURCES",
    "DiverseRAGResult",
    "GroundedAnswer",
    "create_diverse_rag_chain",
    "merge_similar",
]

NOT_IN_SOURCES = "Not in the sources."
_CITATION = re.compile(r"\[(\d{1,3})\]")

RAG_PROMPT = """Answer the question using only the numbered sources below. Different answers may \
read the sources differently, but every answer must be supported by them: cite the sources it \
relies on by number in square brackets, like [2]. If the sources do not answer the question, \
answer exactly "{not_in_sources}"

Sources:
{sources}

Question: {question}"""


@dataclass(frozen=True)
class GroundedAnswer:
    """One answer and the documents it relies on.

    Attributes:
        text: The answer, citations included.
        probability: Its probability in the (merged) distribution.
        sources: Positions (0-based) in ``DiverseRAGResult.documents`` of the sources it cites.
        source_ids: Those documents' ``id`` where they have one.
        grounded: False for the "not in the sources" answer and for answers citing nothing.
    """

    text: str
    probability: float
    sources: tuple[int, ...] = ()
    source_ids: tuple[str | None, ...] = ()
    grounded: bool = True


@dataclass(frozen=True)
class DiverseRAGResult:
    """What the diverse RAG chain returns."""

    question: str
    answers: list[GroundedAnswer]
    documents: list[Document]
    distribution: VerbalizedDistribution | None = None
    """The full distribution (``None`` when nothing was retrieved and the model was not asked)."""
    notes: list[str] = field(default_factory=list)


def _similarity_threshold(name: str, value: Any) -> float:
    """``value`` checked as a cosine-similarity threshold: a number in (0, 1].

    Raises:
        TypeError: Not a number (a string, a bool…).
        ValueError: Outside (0, 1], or NaN.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"{name} must be a number in (0, 1], e.g. 0.9, got {type(value).__name__} {value!r}"
        )
    if not 0.0 < value <= 1.0:  # NaN fails too
        raise ValueError(
            f"{name} must be in (0, 1] (answers at least this similar are merged; 0.9 merges "
            f"near-paraphrases), got {value!r}"
        )
    return float(value)


def merge_similar(
    distribution: VerbalizedDistribution, embeddings: Embeddings, threshold: float
) -> VerbalizedDistribution:
    """Merge answers whose embeddings' cosine similarity reaches ``threshold`` (MMR-style).

    Candidates are visited from most to least likely; each one either stays, or gives its
    probability to the kept candidate it is most similar to.

    Raises:
        TypeError: ``threshold`` is not a number.
        ValueError: ``threshold`` is outside (0, 1].
    """
    threshold = _similarity_threshold("threshold", threshold)
    from langchain_vs.eval import SimilarityIndex, unit_embeddings  # numpy: the metrics extra

    ranked = sorted(distribution.candidates, key=lambda c: -c.probability)
    unit = unit_embeddings([c.text for c in ranked], embeddings)
    index = SimilarityIndex()
    kept: list[int] = []  # by position in the index
    mass = {i: c.probability for i, c in enumerate(ranked)}
    for i in range(len(ranked)):
        nearest = index.nearest(unit[i])
        if nearest is not None and nearest[1] >= threshold:
            mass[kept[nearest[0]]] += mass.pop(i)
            continue
        index.add(unit[i])
        kept.append(i)
    if len(kept) == len(ranked):
        return distribution
    merged = sorted((replace(ranked[i], probability=mass[i]) for i in kept), key=lambda c: c.index)
    return replace(
        distribution, candidates=tuple(merged), repairs=(*distribution.repairs, "merged_similar")
    )


def _question(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and "question" not in value:
        raise ValueError(
            f"Expected a question: a string or a dict with a 'question' key; got a dict with "
            f"keys {sorted(map(str, value))}."
        )
    question = value.get("question") if isinstance(value, dict) else value
    if not isinstance(question, str) or not question.strip():
        raise ValueError("The question is empty: pass a non-empty string (or {'question': ...}).")
    return {"question": question.strip()}


def _prompt(state: dict[str, Any]) -> str:
    sources = "\n\n".join(
        f"[{i}] {doc.page_content.strip()}" for i, doc in enumerate(state["documents"], 1)
    )
    return RAG_PROMPT.format(
        sources=sources, question=state["question"], not_in_sources=NOT_IN_SOURCES
    )


def _ground(text: str, probability: float, documents: list[Document]) -> GroundedAnswer:
    if text_key(text).rstrip(".") == text_key(NOT_IN_SOURCES).rstrip("."):
        return GroundedAnswer(text, probability, grounded=False)
    cited = sorted({int(n) - 1 for n in _CITATION.findall(text) if 0 < int(n) <= len(documents)})
    return GroundedAnswer(
        text,
        probability,
        sources=tuple(cited),
        source_ids=tuple(documents[i].id for i in cited),
        grounded=bool(cited),
    )


def create_diverse_rag_chain(
    retriever: BaseRetriever,
    model: BaseChatModel | str,
    *,
    k: int = 5,
    merge_threshold: float | None = None,
    embeddings: Embeddings | None = None,
    selection: SelectionStrategy | None = None,
    seed: int | None = None,
    **sampler_options: Any,
) -> Runnable[Any, Any]:
    """A Runnable from a question to ``k`` distinct, grounded answers.

    Args:
        retriever: Any LangChain retriever.
        model: Any chat model, or its name (``"openai:gpt-4.1-mini"``, ``"local"``; see
            [`resolve_chat_model()`][langchain_vs.local.resolve_chat_model]).
        k: How many answers to ask for.
        merge_threshold: Merge answers whose cosine similarity reaches this (e.g. 0.9), adding
            their probabilities; ``None`` keeps every answer.
        embeddings: For merging; default
            [`default_embeddings()`][langchain_vs.eval.default_embeddings].
        selection: Return only one answer's text, picked this way (``sample``, ``argmax``,
            ``uniform``, ``tail``), so the chain drops into an existing one.
        seed: Seed for that pick.
        **sampler_options: Other [`VerbalizedSampler`][langchain_vs.runnables.VerbalizedSampler]
            options.

    Raises:
        TypeError: ``retriever`` is not a retriever or Runnable, ``merge_threshold`` not a
            number, or ``embeddings`` not an ``Embeddings``.
        ValueError: ``merge_threshold`` outside (0, 1], or a bad sampler option (``k`` not an
            int from 1 to ``MAX_K``, an unknown ``selection``…), naming the valid choices.

    Returns:
        A Runnable taking a question (``str`` or ``{"question": ...}``) and returning a
        [`DiverseRAGResult`][langchain_vs.apps.DiverseRAGResult] (answers most likely first), or a
        ``str`` with ``selection``.
        An empty question raises ``ValueError``. When the retriever finds nothing the model is
        not asked: the result holds the single answer ``"Not in the sources."`` (ungrounded).
    """
    if not isinstance(retriever, Runnable) and not callable(retriever):
        raise TypeError(
            "retriever must be a LangChain retriever (e.g. vector_store.as_retriever()) or a "
            f"Runnable from a question to documents, got {type(retriever).__name__}"
        )
    if merge_threshold is not None:
        merge_threshold = _similarity_threshold("merge_threshold", merge_threshold)
    if embeddings is not None and not isinstance(embeddings, Embeddings):
        raise TypeError(
            "embeddings must be a LangChain Embeddings (e.g. HashedNgramEmbeddings()), "
            f"got {type(embeddings).__name__}"
        )
    if selection is not None:  # checked with the other options, before any call
        sampler_options["selection"] = selection
    sampler = VerbalizedSampler(
        model=model, k=k, output="distribution", seed=seed, **sampler_options
    )

    def no_context(state: dict[str, Any]) -> DiverseRAGResult:
        return DiverseRAGResult(
            question=state["question"],
            answers=[GroundedAnswer(NOT_IN_SOURCES, 1.0, grounded=False)],
            documents=[],
            notes=["the retriever returned no documents; the model was not asked"],
        )

    def finish(state: dict[str, Any]) -> DiverseRAGResult:
        distribution: VerbalizedDistribution = state["distribution"]
        if merge_threshold is not None:
            from langchain_vs.eval import default_embeddings

            distribution = merge_similar(
                distribution, embeddings or default_embeddings(), merge_threshold
            )
        answers = [_ground(c.text, c.probability, state["documents"]) for c in distribution]
        answers.sort(key=lambda a: -a.probability)
        return DiverseRAGResult(state["question"], answers, state["documents"], distribution)

    answer = RunnablePassthrough.assign(
        distribution=RunnableLambda(_prompt) | sampler
    ) | RunnableLambda(finish)
    chain: Runnable[Any, Any] = (
        RunnableLambda(_question)
        | RunnablePassthrough.assign(documents=(lambda s: s["question"]) | retriever)
        | RunnableBranch((lambda s: not s["documents"], RunnableLambda(no_context)), answer)
    )
    if selection is None:
        return chain.with_config(run_name="DiverseRAG")

    utility = selection_utility(sampler)  # mbr's, resolved once for the chain

    def pick(result: DiverseRAGResult) -> str:
        if result.distribution is None:
            return result.answers[0].text
        return result.distribution.select(selection, seed=seed, utility=utility).text

    return (chain | RunnableLambda(pick)).with_config(run_name="DiverseRAG")
