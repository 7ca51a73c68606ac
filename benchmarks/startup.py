"""Start-up benchmark: how long a whole `costcalc report --format json` process takes, against a bare Python.

costcalc is a command that people run in a terminal and in CI, so what counts is the wall time of a whole
process: interpreter start, imports, reading the spec, counting, printing. This script times

- `python -m costcalc report --format json` (the bundled mobilenet_v1), and the `costcalc` console script
  when one is on PATH,
- `python -c "import costcalc.api"` (the Python API: at most 100 ms over the bare interpreter, docs/api.md),
- against `python -c pass` (the floor no Python command can go below),

interleaved, N runs each, and prints the medians, the ratio and whether the targets are met:
at most 0.5 s, and at most 6x the bare interpreter (the aim is 2x). For information, it also times
`report` (the rich table), `report --symbolic` and `formula`, which import sympy.

Standard library only. It always exits 0: it prints figures and is not a test (speed targets are checked
by benchmarks, not by timed unit tests, which a noisy machine makes flaky).

    python benchmarks/startup.py            # 21 runs of each command
    python benchmarks/startup.py --runs 51
    python benchmarks/startup.py --targets-only
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

TARGET_SECONDS = 0.5
TARGET_RATIO = 6.0
AIM_RATIO = 2.0
BASELINE = "python -c pass"
API_IMPORT = 'python -c "import costcalc.api"'
API_TARGET_SECONDS = 0.1  # the Python API's import, over the bare interpreter (docs/api.md)


def commands(targets_only: bool) -> tuple[dict[str, list[str]], list[str]]:
    """Label -> argv of every command to time, and the labels the targets apply to."""
    python = sys.executable
    timed = {BASELINE: [python, "-c", "pass"], API_IMPORT: [python, "-c", "import costcalc.api"]}
    targeted = []
    label = "python -m costcalc report --format json"
    timed[label] = [python, "-m", "costcalc", "report", "--format", "json"]
    targeted.append(label)
    script = shutil.which("costcalc")
    if script:
        label = "costcalc report --format json"
        timed[label] = [script, "report", "--format", "json"]
        targeted.append(label)
    if not targets_only:
        timed["python -m costcalc report (table)"] = [python, "-m", "costcalc", "report"]
        timed["python -m costcalc report --symbolic"] = [python, "-m", "costcalc", "report", "--symbolic"]
        timed["python -m costcalc formula"] = [python, "-m", "costcalc", "formula"]
    return timed, targeted


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time of one whole process, its exit status, and the end of its stderr."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=env)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode, done.stderr.decode("utf-8", "replace")[-500:]


def measure(timed: dict[str, list[str]], runs: int) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Interleaved rounds: every command once per round, the starting command rotating each round, so that
    drift (CPU frequency, caches, other load) falls on all commands alike."""
    env = dict(os.environ, COLUMNS="132")  # the table's width when not a terminal; fixed for repeatability
    # A user's installed costcalc has .pyc files (pip compiles them); without them every run would compile
    # every module again, which measures the compiler, not costcalc.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    labels = list(timed)
    times: dict[str, list[float]] = {label: [] for label in labels}
    failures: dict[str, str] = {}
    for label in labels:  # warm-up, not counted: fills the disk cache and writes .pyc files
        _elapsed, status, stderr = run_once(timed[label], env)
        if status != 0:
            failures[label] = f"exit status {status}: {stderr.strip()}"
    for round_index in range(runs):
        shift = round_index % len(labels)
        for label in labels[shift:] + labels[:shift]:
            if label in failures:
                continue
            elapsed, status, stderr = run_once(timed[label], env)
            if status != 0:
                failures[label] = f"exit status {status}: {stderr.strip()}"
                continue
            times[label].append(elapsed)
    return times, failures


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(timed: dict[str, list[str]], targeted: list[str], times: dict[str, list[float]],
           failures: dict[str, str], runs: int) -> None:
    print(f"costcalc start-up benchmark: {runs} interleaved runs of each command, wall time of the whole process")
    print(f"python {platform.python_version()} ({sys.executable}) on {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    found = importlib.util.find_spec("costcalc")  # where `python -m costcalc` imports it from; not imported here
    print(f"costcalc package: {os.path.dirname(found.origin) if found and found.origin else 'not importable'}")
    script = shutil.which("costcalc")
    print(f"costcalc console script: {script or 'not on PATH (skipped)'}")
    print()
    width = max(len(label) for label in timed)
    print(f"{'command':<{width}}  {'median':>11}  {'min':>11}  {'max':>11}  {'x bare':>7}  {'over bare':>11}")
    baseline = statistics.median(times[BASELINE]) if times.get(BASELINE) else None
    for label in timed:
        if label in failures:
            print(f"{label:<{width}}  FAILED: {failures[label]}")
            continue
        samples = times[label]
        median = statistics.median(samples)
        ratio = f"{median / baseline:6.2f}x" if baseline else "      -"
        over = f"{(median - baseline) * 1000:+8.1f} ms" if baseline else ""
        print(f"{label:<{width}}  {milliseconds(median)}  {milliseconds(min(samples))}  "
              f"{milliseconds(max(samples))}  {ratio}  {over}")
    print()
    if baseline is None:
        print("targets: not checked (the bare interpreter failed)")
        return
    print(f"targets (issue): <= {TARGET_SECONDS * 1000:.0f} ms and <= {TARGET_RATIO:g}x `{BASELINE}` "
          f"(aim <= {AIM_RATIO:g}x); medians")
    if API_IMPORT not in failures:
        over = statistics.median(times[API_IMPORT]) - baseline
        print(f"  {API_IMPORT}:")
        print(f"    {verdict(over <= API_TARGET_SECONDS)}  {over * 1000:+.1f} ms over the bare interpreter <= "
              f"{API_TARGET_SECONDS * 1000:.0f} ms")
    for label in targeted:
        if label in failures:
            print(f"  {label}: not measured (failed)")
            continue
        median = statistics.median(times[label])
        ratio = median / baseline
        print(f"  {label}:")
        print(f"    {verdict(median <= TARGET_SECONDS)}  {median * 1000:.1f} ms <= {TARGET_SECONDS * 1000:.0f} ms")
        print(f"    {verdict(ratio <= TARGET_RATIO)}  {ratio:.2f}x <= {TARGET_RATIO:g}x bare interpreter "
              f"({baseline * 1000:.1f} ms)")
        print(f"    {verdict(ratio <= AIM_RATIO)}  {ratio:.2f}x <= {AIM_RATIO:g}x (aim)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each command (default: 21)")
    parser.add_argument("--targets-only", action="store_true",
                        help="time only the commands the targets apply to, and the bare interpreter")
    options = parser.parse_args(argv)
    runs = max(1, options.runs)
    timed, targeted = commands(options.targets_only)
    times, failures = measure(timed, runs)
    report(timed, targeted, times, failures, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
