"""A small FAKE OpenAI-compatible server on 127.0.0.1 that fails on purpose, for fault tests.

Each request to ``/v1/chat/completions`` is counted (with its JSON body) and answered by the
next scripted behaviour: ``ok`` (a valid VS reply), ``cut`` (a reply cut at the token limit),
``429``, ``500``, ``400-schema`` (refuses ``response_format``), ``hang`` (never answers),
``reset`` (closes the connection), ``truncated`` (promises more body than it sends).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLY = {
    "responses": [
        {"text": "Tea", "probability": 0.6},
        {"text": "Coffee", "probability": 0.3},
        {"text": "Cocoa", "probability": 0.1},
    ]
}
HANG_SECONDS = 30.0


def _completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "fault-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fault-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    }


class FaultServer:
    """Serve scripted behaviours; the last one repeats. Use as a context manager."""

    def __init__(self, *behaviours: str) -> None:
        self.behaviours = list(behaviours) or ["ok"]
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []  # each request's Authorization header
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server._lock:
                    server.requests.append(json.loads(body or b"{}"))
                    server.authorizations.append(self.headers.get("Authorization"))
                    index = min(len(server.requests), len(server.behaviours)) - 1
                    behaviour = server.behaviours[index]
                server._answer(self, behaviour)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _answer(self, handler: BaseHTTPRequestHandler, behaviour: str) -> None:
        if behaviour == "hang":
            self._stop.wait(HANG_SECONDS)  # bounded: the server stops by itself
            return
        if behaviour == "reset":
            # SO_LINGER 0: close with a TCP reset, as a crashed proxy would.
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.connection.close()
            return
        status, payload = 200, _completion(json.dumps(REPLY))
        if behaviour == "cut":
            cut = json.dumps(REPLY)[:-25]  # inside the third response
            payload = _completion(cut, finish_reason="length")
        elif behaviour in ("429", "500"):
            status = int(behaviour)
            payload = {"error": {"message": f"scripted {behaviour}", "type": "server_error"}}
        elif behaviour == "400-schema":
            status = 400
            payload = {"error": {"message": "response_format json_schema is not supported"}}
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("retry-after-ms", "10")  # the client's retries come quickly
        if behaviour == "truncated":
            handler.send_header("Content-Length", str(len(data) + 100))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.connection.close()
            return
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=10)
        time.sleep(0)  # let handler threads see the stop event
