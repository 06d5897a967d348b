"""Rebuild the embedding cache shipped with the package (src/motcua/search/data/embeddings.npz).

Run after changing the bundled catalog, the lexicon or the example requests, so a fresh install starts without
embedding thousands of passages:  .venv/bin/python tools/build_search_cache.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import motcua  # noqa: F401  (sets thread limits before numpy loads)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from motcua.search.embedding import E5Embedder, bundled_cache_path, example_keys, text_key
    from motcua.search.engine import Engine
    from motcua.search.examples import load_examples
    from motcua.search.finder import _docs_from_bundle
    from motcua.search.lexicon import Lexicon

    with tempfile.TemporaryDirectory() as tmp:
        embedder = E5Embedder(cache_dir=Path(tmp))
        engine = Engine(_docs_from_bundle(), Lexicon.load(), embedder, examples=load_examples())
        keys = [text_key(t) for t in engine.passage_texts]
        keys += example_keys(engine.example_texts, as_query=engine.weights.example_as_query)
        keys = list(dict.fromkeys(keys))
        embedder.cache.save(bundled_cache_path(), keys)
    print(
        f"wrote {len(keys)} vectors ({len(engine.example_texts)} example requests) "
        f"to {bundled_cache_path()}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
