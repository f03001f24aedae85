"""The core install is the core: ``pip install langchain-vs`` with no extras, in a fresh venv.

Every top-level name imports; numpy is not there; what needs an extra says which ``pip install``
line brings it. The install is real (pip, this checkout, the package index, no extras), so this
test needs the index; pip's cache keeps a second run short.
"""

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHECK = r"""
import importlib.util
import os
import sys

import langchain_vs

assert os.path.realpath(langchain_vs.__file__).startswith(os.path.realpath(sys.prefix)), (
    langchain_vs.__file__
)
for name in dir(langchain_vs):
    getattr(langchain_vs, name)
assert importlib.util.find_spec("numpy") is None, "numpy came with the core install"


def needs_extra(call, *args):
    try:
        call(*args)
    except ImportError as error:
        assert "pip install" in str(error), error
        return str(error)
    raise AssertionError(f"{call} ran without its extra")


from langchain_vs.eval import (
    default_embeddings, js_divergence, kl_divergence, lexical_diversity, self_bleu,
    semantic_diversity, vendi_score,
)

print(needs_extra(langchain_vs.HashedNgramEmbeddings))
print(needs_extra(langchain_vs.MiniLMEmbeddings))
print(needs_extra(default_embeddings))
for metric in (semantic_diversity, vendi_score, self_bleu):
    print(needs_extra(metric, ["a red car", "a blue boat"]))
for divergence in (kl_divergence, js_divergence):
    print(needs_extra(divergence, {"a": 1}, {"a": 1}))
assert lexical_diversity(["a red car", "a blue boat"]) > 0  # pure Python: no extra

# A model by name works on the core install (langchain's init_chat_model is a dependency).
os.environ["OPENAI_API_KEY"] = "sk-not-a-key"
sampler = langchain_vs.VerbalizedSampler(model="openai:gpt-4.1-mini", k=3)
assert type(sampler.model).__name__ == "ChatOpenAI"
print(needs_extra(lambda: langchain_vs.VerbalizedSampler(model="anthropic:claude-sonnet-4-5")))
print("core install ok")
"""


@pytest.mark.install
@pytest.mark.timeout(1200)  # a hang guard for a slow index on a loaded machine, not a speed limit
def test_a_core_install_imports_every_name_and_names_the_extras(tmp_path: Path) -> None:
    # A copy of what the build reads, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "langchain_vs", source / "langchain_vs", ignore=shutil.ignore_patterns("__pycache__")
    )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1000,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run(
        [str(python), "-c", CHECK],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the checkout: the installed package is imported
        timeout=300,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stdout.strip().endswith("core install ok"), check.stdout
    assert 'pip install "langchain-vs[metrics]"' in check.stdout
    assert 'pip install "langchain-vs[embeddings]"' in check.stdout
    assert "pip install langchain-anthropic" in check.stdout
