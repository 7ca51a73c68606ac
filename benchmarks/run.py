"""Every speed target of issue 17, measured side by side in one run: anchors and costcalc interleaved.

Each command is a whole process (interpreter start, imports, reading the spec, the work, the output written
to /dev/null), timed from just before it starts until it exits. The script runs rounds; each round runs every
command once, starting from a different command each time, so that slow drift (CPU frequency, other jobs)
falls on every command alike. One untimed warm-up round comes first (file cache, .pyc files). It prints each
command's median, min and max, then every target as a ratio with PASS or MISS, and writes a JSON record of
the run (the machine, its load before and after, every time).

The anchors are what the design's own dependencies cost: ``python -c "import click, yaml"`` for the commands
that need click and PyYAML only, and the same with ``rich.console, rich.table`` for the terminal table.
Start-up targets are ratios to them (the machine is noisy; a ratio of medians taken in one run is not).
Throughput and latency targets are absolute, as the issue states them, on generated specs written to a
temporary folder: 10,000 and 20,000 layers of separable convolutions.

    python benchmarks/run.py                     # 5 rounds
    python benchmarks/run.py --rounds 11 --record run.json

Standard library only; it always exits 0: it prints figures and is not a test (no unit test reads the
clock). Run it with the Python of the environment where costcalc is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

PY = sys.executable
COSTCALC = [PY, "-m", "costcalc"]


def separable_spec(copies: int, depth_scaled: bool = False) -> str:
    """``copies`` separable layers with batch norm and ReLU (6 layers each) between a stem and a classifier."""
    count = f'"round_repeats({copies})"' if depth_scaled else str(copies)
    return "\n".join([
        "input: {channels: 3, size: 64}",
        "width: {rounding: make_divisible, divisor: 8}",
        "layers:",
        "  - conv: {kernel: 3, filters: 32, stride: 2, padding: 1}",
        f"  - repeat: {count}",
        "    layers:",
        "      - separable: {kernel: 3, filters: 64, batch_norm: true, activation: relu}",
        "  - global_avg_pool",
        "  - fc: {units: 10, fixed: true}",
        "",
    ])


class Command(NamedTuple):
    label: str
    argv: list[str]


# A sweep's computation alone, in process: the exact totals of every point, combined row by row as the CSV
# reads them (no output). It prints its own seconds; the process time around it is not what it measures.
COMPUTED = """\
import sys, time
from fractions import Fraction
from costcalc.conventions import PAPER
from costcalc.engine.compiled import CompiledCost
from costcalc.spec.loading import load_network
network = load_network("mobilenet_v1")
alphas = [Fraction(n, 1000) for n in range(250, 1251)]
rhos = [Fraction(r, 224) for r in range(96, 1095)]
start = time.perf_counter()
values = CompiledCost(network, PAPER).grid_values(alphas, rhos)
for i in range(values.rows):
    values.row(i)
print(time.perf_counter() - start)
"""

MILLION = ["--alpha", "0.25:1.25:0.001", "--resolution", "96:1094:1"]  # 1,001 x 999 = 999,999 points
MILLION_POINTS = 1001 * 999
ZOO = ["--alpha", "0.25:1.25:0.001", "--resolution", "128:327:1"]  # 1,001 x 200 = 200,200 points
ZOO_POINTS = 1001 * 200


def commands(folder: str) -> list[Command]:
    ten_k, twenty_k = os.path.join(folder, "ten_k.yaml"), os.path.join(folder, "twenty_k.yaml")
    return [
        Command("python -c pass", [PY, "-c", "pass"]),
        Command("anchor: import click, yaml", [PY, "-c", "import click, yaml"]),
        Command("anchor: + rich.console, rich.table", [PY, "-c", "import click, yaml, rich.console, rich.table"]),
        Command("costcalc --help", [*COSTCALC, "--help"]),
        Command("report --format json", [*COSTCALC, "report", "--format", "json"]),
        Command("report (table)", [*COSTCALC, "report"]),
        Command("sweep 1M csv (mobilenet_v1)", [*COSTCALC, "sweep", "mobilenet_v1", *MILLION, "--format", "csv"]),
        Command("sweep 1M computed (in process)", [PY, "-c", COMPUTED]),
        Command("sweep 200k csv (resnet50)", [*COSTCALC, "sweep", "resnet50", *ZOO, "--format", "csv"]),
        Command("sweep 200k csv (efficientnet_b0)", [*COSTCALC, "sweep", "efficientnet_b0", *ZOO, "--format", "csv"]),
        Command("solve alpha (20k layers)", [*COSTCALC, "solve", twenty_k, "--max-mult-adds", "20G"]),
        Command("solve resolution (20k layers)", [*COSTCALC, "solve", twenty_k, "--max-mult-adds", "20G",
                                                  "--vary", "resolution"]),
        Command("solve depth (20k layers)", [*COSTCALC, "solve", twenty_k, "--max-mult-adds", "5G",
                                             "--vary", "depth"]),  # d = 0.3: 20G still holds at d = 1
        Command("report json (10k layers)", [*COSTCALC, "report", ten_k, "--format", "json"]),
        Command("report table (10k layers)", [*COSTCALC, "report", ten_k]),
    ]


STARTUP_COMMANDS = 6  # the first six: the anchors, --help, report --format json, the table

class Target(NamedTuple):
    text: str
    label: str
    ratio_to: str | None = None  # a command: the target is a ratio of medians; else seconds or points/s
    at_most: float | None = None  # ratio, or seconds
    points: int | None = None  # points/s at least ``per_second``
    per_second: float | None = None


TARGETS = [
    Target("costcalc --help within 1.25x of importing click and PyYAML", "costcalc --help",
           "anchor: import click, yaml", 1.25),
    Target("report --format json within 1.25x of importing click and PyYAML", "report --format json",
           "anchor: import click, yaml", 1.25),
    Target("report (table) within 1.25x of importing click, PyYAML and rich", "report (table)",
           "anchor: + rich.console, rich.table", 1.25),
    Target(">= 1,000,000 exact points/s computed (MobileNet v1, 999,999 points)", "sweep 1M computed (in process)",
           points=MILLION_POINTS, per_second=1_000_000),
    Target(">= 500,000 points/s end to end, CSV (MobileNet v1, 999,999 points)", "sweep 1M csv (mobilenet_v1)",
           points=MILLION_POINTS, per_second=500_000),
    Target(">= 200,000 points/s end to end, CSV (resnet50, 200,200 points)", "sweep 200k csv (resnet50)",
           points=ZOO_POINTS, per_second=200_000),
    Target(">= 200,000 points/s end to end, CSV (efficientnet_b0, 200,200 points)",
           "sweep 200k csv (efficientnet_b0)", points=ZOO_POINTS, per_second=200_000),
    Target("solve --vary alpha <= 1 s on 20,000 layers", "solve alpha (20k layers)", at_most=1.0),
    Target("solve --vary resolution <= 1 s on 20,000 layers", "solve resolution (20k layers)", at_most=1.0),
    Target("solve --vary depth <= 1 s on 20,000 layers", "solve depth (20k layers)", at_most=1.0),
    Target("10,000-layer report as JSON <= 0.5 s", "report json (10k layers)", at_most=0.5),
    Target("10,000-layer report as a table <= 1.5 s", "report table (10k layers)", at_most=1.5),
]
STARTUP_TARGETS = 3  # the first three: the start-up ratios


def run_once(command: Command, env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time of one whole process (stdout discarded), its exit status and the end of its stderr; for the
    in-process sweep, the seconds it printed."""
    start = time.perf_counter()
    done = subprocess.run(command.argv, stdin=subprocess.DEVNULL, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if command.label.endswith("(in process)") and done.returncode == 0:
        elapsed = float(done.stdout.decode().strip())
    return elapsed, done.returncode, done.stderr.decode("utf-8", "replace")[-300:]


def verdict(target: Target, medians: dict[str, float]) -> tuple[bool, str]:
    median = medians[target.label]
    if target.ratio_to is not None:
        ratio = median / medians[target.ratio_to]
        return ratio <= target.at_most, f"{ratio:.2f}x (target <= {target.at_most}x; {median * 1000:.0f} ms " \
                                       f"against {medians[target.ratio_to] * 1000:.0f} ms)"
    if target.points is not None:
        rate = target.points / median
        return rate >= target.per_second, f"{rate:,.0f} points/s in {median:.3f} s " \
                                          f"(target >= {target.per_second:,.0f}: {rate / target.per_second:.2f}x)"
    return median <= target.at_most, f"{median:.3f} s (target <= {target.at_most} s: " \
                                     f"{median / target.at_most:.2f}x of it)"  # type: ignore[operator]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default: 5)")
    parser.add_argument("--record", default="benchmark-record.json", help="the JSON record to write")
    parser.add_argument("--startup", action="store_true",
                        help="only the start-up part: the anchors, --help and the two reports of the bundled spec")
    options = parser.parse_args(argv)
    rounds = max(1, options.rounds)
    # The warm-up writes the .pyc files an installed package has (pip compiles them), as the anchors' packages
    # have theirs: with PYTHONDONTWRITEBYTECODE set, costcalc alone would be compiled from source in every run.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update({"COLUMNS": "132", "NO_COLOR": "1"})
    load_before = os.getloadavg()
    print(f"costcalc benchmarks (issue 17): {rounds} interleaved rounds, wall time of whole processes")
    print(f"python {platform.python_version()} ({PY}) on {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="costcalc-bench-") as folder:
        with open(os.path.join(folder, "ten_k.yaml"), "w", encoding="utf-8") as out:
            out.write(separable_spec(1666))  # 6 x 1,666 + 4 = 10,000 layers
        with open(os.path.join(folder, "twenty_k.yaml"), "w", encoding="utf-8") as out:
            out.write(separable_spec(3332, depth_scaled=True))  # 6 x 3,332 + 4 = 19,996 layers
        every = commands(folder)[:STARTUP_COMMANDS] if options.startup else commands(folder)
        failed: dict[str, str] = {}
        for command in every:  # warm-up, untimed
            _elapsed, status, error = run_once(command, env)
            if status != 0:
                failed[command.label] = f"exit {status}: {error.strip()}"
        times: dict[str, list[float]] = {command.label: [] for command in every}
        for round_number in range(rounds):
            shift = round_number % len(every)
            for command in every[shift:] + every[:shift]:
                if command.label in failed:
                    continue
                elapsed, status, error = run_once(command, env)
                if status != 0:
                    failed[command.label] = f"exit {status}: {error.strip()}"
                    continue
                times[command.label].append(elapsed)
    load_after = os.getloadavg()
    print()
    print(f"{'command':<36} {'median':>10} {'min':>10} {'max':>10}")
    medians = {}
    for label, values in times.items():
        if label in failed or not values:
            print(f"{label:<36} FAILED: {failed.get(label, 'no run')}")
            continue
        medians[label] = statistics.median(values)
        print(f"{label:<36} {medians[label] * 1000:>8.1f} ms {min(values) * 1000:>7.1f} ms {max(values) * 1000:>7.1f} ms")
    print()
    print("targets (issue 17), on medians:")
    results = []
    for target in TARGETS[:STARTUP_TARGETS] if options.startup else TARGETS:
        if target.label not in medians or (target.ratio_to and target.ratio_to not in medians):
            print(f"  MISS  {target.text}: not measured")
            results.append({"target": target.text, "pass": False, "figure": "not measured"})
            continue
        ok, figure = verdict(target, medians)
        print(f"  {'PASS' if ok else 'MISS'}  {target.text}: {figure}")
        results.append({"target": target.text, "pass": ok, "figure": figure})
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    record = {"python": platform.python_version(), "platform": f"{platform.system()} {platform.machine()}",
              "cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after, "rounds": rounds,
              "times_s": times, "medians_s": medians, "failed": failed, "targets": results}
    with open(options.record, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=2)
    print(f"record: {options.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
