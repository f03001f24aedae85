"""Diverse RAG on the real local model, over an in-memory vector store of the example corpus."""

from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_openai import ChatOpenAI

from langchain_vs import HashedNgramEmbeddings, create_diverse_rag_chain

CORPUS = Path(__file__).parents[2] / "examples" / "data" / "tides.txt"


@pytest.fixture(scope="module")
def store() -> InMemoryVectorStore:
    texts = CORPUS.read_text().split("\n\n")
    store = InMemoryVectorStore(HashedNgramEmbeddings())
    store.add_documents([Document(t.strip(), id=f"tides-{i}") for i, t in enumerate(texts)])
    return store


def test_distinct_answers_with_sources(store: InMemoryVectorStore, chat_model: ChatOpenAI) -> None:
    chain = create_diverse_rag_chain(store.as_retriever(search_kwargs={"k": 3}), chat_model, k=4)
    result = chain.invoke("What causes tides?")
    assert len(result.documents) == 3
    assert 1 <= len(result.answers) <= 4
    assert abs(sum(a.probability for a in result.answers) - 1) < 1e-9
    for answer in result.answers:
        assert answer.text.strip()
        assert all(0 <= i < 3 for i in answer.sources)
        assert answer.source_ids == tuple(result.documents[i].id for i in answer.sources)


async def test_async_selection(store: InMemoryVectorStore, chat_model: ChatOpenAI) -> None:
    chain = create_diverse_rag_chain(
        store.as_retriever(search_kwargs={"k": 2}),
        chat_model,
        k=3,
        selection="argmax",
        merge_threshold=0.9,
    )
    answer = await chain.ainvoke({"question": "What is a spring tide?"})
    assert isinstance(answer, str) and answer.strip()
