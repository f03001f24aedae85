"""``langgraph dev`` started from Python: the deployable simulation on a loopback port.

For notebooks, examples, tests and benchmarks that need LangGraph Server running while they
drive it with ``langgraph_sdk``. It runs ``langgraph dev`` (the in-memory server from
``langgraph-cli[inmem]``, the ``deploy`` extra) in a child process on 127.0.0.1, waits until it
answers, and stops it with its workers afterwards. Production runs the self-hosted server
containers instead (see docs/serving.md).

Examples:
    ```python
    from langgraph_sdk import get_client

    from langchain_vs.serve._dev_server import langgraph_dev

    with langgraph_dev("deploy/langgraph.json") as url:
        client = get_client(url=url)
        ...  # client.threads.create(), client.runs.stream(...)
    ```
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = ["INSTALL_DEPLOY", "LangGraphDevError", "langgraph_dev"]

INSTALL_DEPLOY = "pip install 'langchain-vs[deploy]'"
_LOG_TAIL = 3000  # characters of the server's log in an error
_STOP_TIMEOUT = 30.0


class LangGraphDevError(RuntimeError):
    """``langgraph dev`` could not run (the message says why and what to do)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=5) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    # The whole group: the dev server runs its API and workers in child processes.
    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, stop_signal)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=_STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def langgraph_dev(
    config: str | os.PathLike[str],
    *,
    port: int | None = None,
    environment: Mapping[str, str] | None = None,
    workdir: str | os.PathLike[str] | None = None,
    start_timeout: float = 300.0,
) -> Iterator[str]:
    """Serve the graphs of a ``langgraph.json`` on 127.0.0.1 while the block runs.

    Args:
        config: The ``langgraph.json`` (``deploy/langgraph.json`` serves the simulation).
        port: The port; default: a free one.
        environment: The server's environment; default: this process's. The simulation's model
            comes from it (``LANGCHAIN_VS_BASE_URL``…, see
            [`langchain_vs.serve`][langchain_vs.serve]). The
            CLI's analytics are turned off (traffic stays on loopback) unless it sets them.
        workdir: Where the server keeps its state and log (``langgraph-dev.log``); default: a
            temporary folder, deleted afterwards.
        start_timeout: Seconds to wait for the server to answer; sized for a loaded machine.

    Yields:
        The server's URL, for ``langgraph_sdk.get_client(url=...)``.

    Raises:
        LangGraphDevError: ``langgraph-cli[inmem]`` is not installed, or the server exited or
            did not answer in time (with the end of its log).
    """
    missing = [m for m in ("langgraph_cli", "langgraph_api") if importlib.util.find_spec(m) is None]
    if missing:
        raise LangGraphDevError(
            f"langgraph dev needs langgraph-cli[inmem] ({', '.join(missing)} not found): "
            f"{INSTALL_DEPLOY}"
        )
    config_path = Path(config).resolve()
    if not config_path.is_file():
        raise LangGraphDevError(f"no langgraph.json at {config_path}")
    env = {"LANGGRAPH_CLI_NO_ANALYTICS": "1", **(environment or os.environ)}
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="langgraph-dev-") as scratch:
        folder = Path(workdir or scratch)
        log = folder / "langgraph-dev.log"
        command = [sys.executable, "-m", "langgraph_cli", "dev", "--config", str(config_path)]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-browser", "--no-reload"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + start_timeout
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    why = "exited" if process.poll() is not None else "did not answer in time"
                    tail = log.read_text(errors="replace")[-_LOG_TAIL:]
                    raise LangGraphDevError(f"langgraph dev {why} ({config_path}):\n{tail}")
                time.sleep(0.2)
            yield url
        finally:
            _stop(process)
