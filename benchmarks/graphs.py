"""Graph benchmark: a ResNet-50 report against a MobileNet one, and build time against the number of blocks.

Two questions from the zoo issue:

1. Does `costcalc report resnet50` (the rich table) take about as long as `costcalc report mobilenet_v1`? Both
   are whole processes, timed interleaved, N runs each; the script prints the medians and their ratio.
2. Does a spec of many blocks stay linear? It generates specs of 125, 250, 500 and 1,000 residual blocks (each
   a block use with a residual, a squeeze-and-excitation and an expression that reads `in`), and times reading,
   building and evaluating each in this process (medians of N runs). Time per block should stay flat: the
   script prints it and the ratio of the largest spec's time per block to the smallest's, twice: with Python's
   cyclic garbage collector on, as a user runs costcalc, and off. The collector's passes cost more as the heap
   grows (26,000 layers are a few hundred thousand objects), although costcalc creates no cycles; with it off,
   what is left is costcalc's own work, and the target applies to that.

Standard library only. It always exits 0: it prints figures and is not a test (speed targets are checked by
benchmarks, not by timed unit tests, which a noisy machine makes flaky).

    python benchmarks/graphs.py            # 11 runs of each
    python benchmarks/graphs.py --runs 21
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from fractions import Fraction

SIZES = (125, 250, 500, 1000)  # 1,000 blocks are 13,003 layers, under the 20,000-layer limit
TARGET_PROCESS_RATIO = 1.5  # "about the same time": resnet50 within 1.5x of mobilenet_v1
TARGET_LINEAR_RATIO = 1.5  # time per block at 1,000 blocks within 1.5x of that at 125


def process_times(runs: int) -> dict[str, float]:
    commands = {name: [sys.executable, "-m", "costcalc", "report", name] for name in ("mobilenet_v1", "resnet50")}
    env = {**os.environ, "COLUMNS": "132", "NO_COLOR": "1"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
            times[name].append(time.perf_counter() - start)
            if done.returncode != 0:
                sys.exit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return {name: statistics.median(values) for name, values in times.items()}


def block_spec(blocks: int) -> str:
    return "\n".join([
        "input: {channels: 3, size: 32}",
        "width: {rounding: make_divisible, divisor: 8}",
        "blocks:",
        "  unit:",
        "    args: {expand: 4}",
        "    layers:",
        "      - residual:",
        "          layers:",
        "            - conv: {kernel: 1, filters: \"in * expand\", padding: 0}",
        "            - batch_norm",
        "            - relu",
        "            - depthwise: {kernel: 3, padding: 1}",
        "            - squeeze_excite: {squeeze: \"make_divisible(in // 4, 8)\"}",
        "            - conv: {kernel: 1, filters: \"block_in\", padding: 0}",
        "            - batch_norm",
        "layers:",
        "  - conv: {kernel: 3, filters: 16, padding: 1}",
        f"  - repeat: {blocks}",
        "    layers:",
        "      - unit",
        "  - global_avg_pool",
        "  - fc: {units: 10, fixed: true}",
        "",
    ])


def build_times(runs: int, collect: bool) -> dict[int, tuple[float, int]]:
    from costcalc.engine.exact import evaluate
    from costcalc.source.positioned_yaml import parse_yaml
    from costcalc.spec.build import build_network
    from costcalc.spec.schema import parse_spec

    results = {}
    for blocks in SIZES:
        text = block_spec(blocks)
        samples = []
        layers = 0
        for _ in range(runs):
            gc.collect()
            if not collect:
                gc.disable()
            start = time.perf_counter()
            network = build_network(parse_spec(parse_yaml(text, "bench.yaml"), "bench.yaml"))
            evaluation = evaluate(network, Fraction(1), Fraction(1))
            samples.append(time.perf_counter() - start)
            gc.enable()
            layers = len(evaluation.layers)
            del network, evaluation
        results[blocks] = (statistics.median(samples), layers)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs

    print(f"costcalc report (table), whole processes, median of {runs} interleaved runs")
    medians = process_times(runs)
    for name, seconds in medians.items():
        print(f"  {name:<14} {seconds * 1000:8.1f} ms")
    ratio = medians["resnet50"] / medians["mobilenet_v1"]
    verdict = "PASS" if ratio <= TARGET_PROCESS_RATIO else "MISS"
    print(f"  {verdict} resnet50 / mobilenet_v1 = {ratio:.2f}x (target <= {TARGET_PROCESS_RATIO}x)")

    for collect in (True, False):
        state = "on (as costcalc runs)" if collect else "off (costcalc's own work)"
        print(f"\nread + build + evaluate, in process, median of {runs} runs, garbage collector {state}")
        results = build_times(runs, collect)
        for blocks, (seconds, layers) in results.items():
            print(f"  {blocks:>5} blocks {layers:>6} layers {seconds * 1000:9.1f} ms  "
                  f"{seconds / blocks * 1e6:7.1f} us/block")
        per_block = [seconds / blocks for blocks, (seconds, _layers) in results.items()]
        linear = per_block[-1] / per_block[0]
        if collect:
            print(f"  time per block at {SIZES[-1]:,} / at {SIZES[0]:,} blocks = {linear:.2f}x (for information)")
        else:
            verdict = "PASS" if linear <= TARGET_LINEAR_RATIO else "MISS"
            print(f"  {verdict} time per block at {SIZES[-1]:,} / at {SIZES[0]:,} blocks = {linear:.2f}x "
                  f"(linear: target <= {TARGET_LINEAR_RATIO}x)")

if __name__ == "__main__":
    main()
