"""Router speed: one prediction of every head (p50/p99), batch throughput on one core, model load
time, and the resident memory of a process with the model loaded.

    .venv/bin/python benchmarks/classify.py [--instance DIR]

Trains a model into a temporary folder when none is given. The baseline in the same run is the
feature extraction alone (the floor any linear model on these features pays). The machine's load
average is printed too: on a shared machine compare runs made at a similar load, and the CPU-time
throughput, which waiting for a core does not inflate.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGETS = {"p99_ms": 5.0, "batch_per_s": 3000, "load_s": 2.0, "rss_mb": 250}


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", help="an instance folder with a trained model")
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from inquiry.classifier import store
    from inquiry.classifier.corpus import load_corpus
    from inquiry.classifier.model import Router
    from inquiry.classifier.text import model_input

    instance = args.instance
    if not instance:
        from inquiry.classifier.cli import train_and_save

        instance = tempfile.mkdtemp(prefix="inquiry-bench-")
        train_and_save(instance, echo=lambda *_: None)

    before = rss_mb()
    started = time.perf_counter()
    bundle, meta = store.load(instance)
    router = Router(bundle, meta["thresholds"], meta["id"])
    load_s = time.perf_counter() - started
    examples = load_corpus()
    texts = [e.text for e in examples][: args.messages]
    channels = [e.channel for e in examples][: args.messages]
    router.predict(texts[0])  # warm the language model and caches

    singles = []
    for text, channel in zip(texts[:1000], channels[:1000]):
        t = time.perf_counter()
        router.predict(text, channel=channel)
        singles.append((time.perf_counter() - t) * 1000)
    singles.sort()
    features_only = []
    for text, channel in zip(texts[:1000], channels[:1000]):
        t = time.perf_counter()
        router.features.transform([model_input(text, channel)])
        features_only.append((time.perf_counter() - t) * 1000)
    features_only.sort()

    t, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), 256):
        router.predict_many(texts[start:start + 256], channels=channels[start:start + 256])
    batch_per_s = len(texts) / (time.perf_counter() - t)
    # On a shared machine wall time includes waiting for a core; CPU time does not.
    batch_cpu_per_s = len(texts) / (time.process_time() - cpu)
    figures = {
        "model": meta["id"],
        "p50_ms": round(statistics.median(singles), 2),
        "p99_ms": round(singles[int(len(singles) * 0.99) - 1], 2),
        "baseline_features_p99_ms": round(features_only[int(len(features_only) * 0.99) - 1], 2),
        "batch_per_s": round(batch_per_s),
        "batch_cpu_per_s": round(batch_cpu_per_s),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "load_s": round(load_s, 2),
        "rss_mb": round(rss_mb()),
        "rss_model_mb": round(rss_mb() - before),
    }
    print(json.dumps(figures, indent=2))
    for key, target in TARGETS.items():
        ok = figures[key] <= target if key != "batch_per_s" else figures[key] >= target
        print(f"{key:<12} {figures[key]:>8}  target {'≤' if key != 'batch_per_s' else '≥'} {target}  {'OK' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
