"""What a piece of ``eval`` needs beyond the core install, and the error that says so.

The core install (``pip install langchain-vs``) imports every name; a metric or embeddings
that needs numpy, onnxruntime or sacrebleu raises ``ImportError`` with the ``pip install`` line
when it is used, not a bare "No module named 'numpy'".
"""

from __future__ import annotations

import importlib.util

__all__ = ["INSTALL_METRICS", "require"]

INSTALL_METRICS = 'pip install "langchain-vs[metrics]"'


def require(*modules: str, what: str, install: str = INSTALL_METRICS) -> None:
    """Raise ``ImportError`` naming ``install`` unless every module can be imported.

    Args:
        *modules: Top-level module names (``"numpy"``).
        what: The piece that needs them, for the message.
        install: The ``pip install`` line that brings them.

    Raises:
        ImportError: One of the modules is not installed.
    """
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"{what} needs {', '.join(missing)}, not installed: {install}")
