"""Without the extras, what needs one says which ``pip install`` line brings it.

The extras are installed here; a module set to ``None`` in ``sys.modules`` is one Python cannot
import, which is what a core install looks like to this code. The real core install (the
built wheel in a fresh venv) is tested in tests/integration_tests/test_wheel_install.py.
"""

import sys

import pytest

from langchain_vs import HashedNgramEmbeddings, MiniLMEmbeddings
from langchain_vs.eval import (
    coverage,
    distinct_n,
    js_divergence,
    kl_divergence,
    lexical_diversity,
    self_bleu,
    semantic_diversity,
    unit_embeddings,
    vendi_score,
)

TEXTS = ["a red car", "a blue boat"]
METRICS = 'pip install "langchain-vs[metrics]"'


@pytest.fixture
def no_numpy(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)


@pytest.mark.usefixtures("no_numpy")
def test_hashed_embeddings_name_the_extra_when_made():
    with pytest.raises(ImportError, match="HashedNgramEmbeddings needs numpy") as info:
        HashedNgramEmbeddings()
    assert str(info.value).endswith(METRICS)


@pytest.mark.parametrize("missing", ["numpy", "onnxruntime", "tokenizers"])
def test_minilm_names_the_extra_when_made(missing, monkeypatch):
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ImportError, match=f"MiniLMEmbeddings needs {missing}") as info:
        MiniLMEmbeddings()
    assert str(info.value).endswith('pip install "langchain-vs[embeddings]"')


@pytest.mark.usefixtures("no_numpy")
@pytest.mark.parametrize(
    "call",
    [
        lambda: semantic_diversity(TEXTS),
        lambda: vendi_score(TEXTS),
        lambda: unit_embeddings(TEXTS),
        lambda: kl_divergence({"a": 1}, {"a": 1}),
        lambda: js_divergence({"a": 1}, {"a": 1}),
    ],
)
def test_numpy_metrics_name_the_extra(call):
    with pytest.raises(ImportError, match="needs numpy") as info:
        call()
    assert str(info.value).endswith(METRICS)


def test_self_bleu_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sacrebleu", None)
    with pytest.raises(ImportError, match="self_bleu needs sacrebleu") as info:
        self_bleu(TEXTS)
    assert str(info.value).endswith(METRICS)


@pytest.mark.usefixtures("no_numpy")
def test_the_pure_python_metrics_need_no_extra():
    assert lexical_diversity(TEXTS) > 0
    assert distinct_n(TEXTS, 1) == 5 / 6
    assert coverage({"a": 1}, {"a": 0.5, "b": 0.5}) == 0.5
