"""Top-1/top-3 of the procedure finder on every development query file, per file and pooled.

Usage: .venv/bin/python bench/finder_dev.py [--set field=value ...] [--qcache FILE] [--misses]

One finder (the bundled catalog, no database) answers every line of tests/data/heldout*/
queries.jsonl, tests/data/queries.holdout.jsonl, tests/data/finder.*.jsonl and the shared
queries.dev.jsonl; ``--set`` changes a ``Weights`` field for the run, so variants can be
compared on the same ~2,700 requests. ``--qcache`` keeps query vectors on disk between runs
(for comparing variants quickly; latency is then meaningless, use ``motcua eval-find``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("DEBUG", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant_wrongful import query_files  # noqa: E402


class DiskQueryCache:
    """Query vectors kept in a pickle between runs of this script."""

    def __init__(self, inner, path: Path):
        self.inner, self.path = inner, path
        self.store: dict[str, object] = {}
        if path.is_file():
            self.store = pickle.loads(path.read_bytes())
        self.dirty = False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def query(self, text: str):
        if text not in self.store:
            self.store[text] = self.inner.query(text)
            self.dirty = True
        return self.store[text]

    def save(self) -> None:
        if self.dirty:
            self.path.write_bytes(pickle.dumps(self.store))


def _value(raw: str) -> object:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--qcache", type=Path)
    parser.add_argument(
        "--vcache", type=Path, help="directory of a passage cache beside the shipped one"
    )
    parser.add_argument(
        "--examples", type=Path, help="example requests (default: the shipped file)"
    )
    parser.add_argument(
        "--variant", action="append", default=[], help="more runs: 'field=value field=value'"
    )
    parser.add_argument(
        "--near", type=Path, help="JSON {q: overlap with the examples}: also report the far lines"
    )
    parser.add_argument("--only", help="only the query files whose path contains this")
    parser.add_argument("--misses", type=Path, help="write first-place misses to this file")
    args = parser.parse_args()

    import django

    django.setup()
    from motcua.search import finder as finder_module
    from motcua.search.embedding import E5Embedder
    from motcua.search.engine import Engine, Weights
    from motcua.search.examples import load_examples
    from motcua.search.lexicon import Lexicon

    changes = {k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}
    engine = Engine(
        finder_module._docs_from_bundle(),
        Lexicon.load(),
        E5Embedder(cache_dir=args.vcache),
        dataclasses.replace(Weights(), **changes),
        examples=load_examples(args.examples),
    )
    if args.qcache:
        engine.embedder = DiskQueryCache(engine.embedder, args.qcache)

    base = engine.weights
    for variant in args.variant or [""]:
        more = {k: _value(v) for k, v in (s.split("=", 1) for s in variant.split())}
        engine.weights = dataclasses.replace(base, **more)
        print(f"== {args.set} {variant}")
        run(engine, args)
    if args.qcache:
        engine.embedder.save()


def run(engine, args) -> None:
    from motcua.search.engine import QueryError

    pooled: Counter[str] = Counter()
    near = json.loads(args.near.read_text()) if args.near else {}
    misses = []
    root = Path(__file__).resolve().parents[1]
    cpu_ms: list[float] = []
    engine.search("khai sinh", k=3)  # warm-up
    for path in query_files():
        if args.only and args.only not in str(path):
            continue
        c: Counter[str] = Counter()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            cpu = time.process_time()
            try:
                codes = [h.code for h in engine.search(case["q"], k=3)]
            except QueryError:
                codes = []
            cpu_ms.append((time.process_time() - cpu) * 1000)
            style = case.get("style") or "-"
            top1, top3 = (
                codes[:1] and codes[0] in case["codes"],
                bool(set(codes) & set(case["codes"])),
            )
            far = near.get(case["q"], 0) <= 0.15
            for key in ("n", f"n:{style}", *(["n:FAR"] if far else [])):
                c[key] += 1
            for key in ("top1", f"top1:{style}", *(["top1:FAR"] if far else [])):
                c[key] += bool(top1)
            for key in ("top3", f"top3:{style}", *(["top3:FAR"] if far else [])):
                c[key] += top3
            if not top1:
                misses.append(
                    {
                        "file": path.name if path.parent.name == "data" else path.parent.name,
                        "q": case["q"],
                        "want": case["codes"],
                        "got": codes,
                        "style": style,
                    }
                )
        pooled.update(c)
        name = path.relative_to(root) if path.is_relative_to(root) else path
        print(
            f"{str(name):<45} n={c['n']:<4} top1={c['top1']:<4} top3={c['top3']:<4} "
            f"coll {c['top1:colloquial']}/{c['top3:colloquial']}/{c['n:colloquial']}"
        )
    n = pooled["n"]
    print(
        f"POOLED n={n} top1={pooled['top1']} ({pooled['top1'] / n:.1%}) "
        f"top3={pooled['top3']} ({pooled['top3'] / n:.1%})"
    )
    cpu_ms.sort()
    print(f"  CPU ms p50={cpu_ms[len(cpu_ms) // 2]:.1f} p95={cpu_ms[int(len(cpu_ms) * 0.95)]:.1f}")
    styles = sorted({k.split(":", 1)[1] for k in pooled if k.startswith("n:")})
    for s in styles:
        print(
            f"  {s:<14} n={pooled['n:' + s]:<5} top1={pooled['top1:' + s]:<5} top3={pooled['top3:' + s]}"
        )
    if args.misses:
        args.misses.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in misses) + "\n")


if __name__ == "__main__":
    main()
