"""The child process behind `langchain_vs.local.LocalModelServer`.

Run as ``python -m langchain_vs.local._llama_process '<json settings>'``. It serves the model with
llama.cpp's own OpenAI-compatible HTTP server (through ``xllamacpp``) on 127.0.0.1, prints one
JSON line ``{"address": ...}`` when it listens, and exits as soon as its standard input closes,
which happens when the parent stops it *or dies in any way* (even SIGKILL): no orphans.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any


def _exit_when_parent_goes() -> None:
    sys.stdin.buffer.read()  # returns at EOF: the parent closed the pipe or died
    os._exit(0)  # llama.cpp's threads are native; don't wait for them


def serve(settings: dict[str, Any]) -> None:
    """Start the server from ``settings`` and block until the parent goes away."""
    watcher = threading.Thread(target=_exit_when_parent_goes, daemon=True)
    watcher.start()

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = settings["model_path"]
    params.hostnames = ["127.0.0.1"]
    params.port = int(settings["port"])
    params.n_ctx = int(settings["n_ctx"])
    params.n_parallel = int(settings["n_parallel"])
    params.cpuparams.n_threads = int(settings["n_threads"])
    params.cpuparams_batch.n_threads = int(settings["n_threads"])
    params.cache_ram_mib = int(settings["cache_ram_mib"])
    params.warmup = False
    if settings.get("chat_template"):
        params.chat_template = settings["chat_template"]
    server = xllamacpp.Server(params)
    print(json.dumps({"address": server.listening_address}), flush=True)
    watcher.join()


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
