"""Sweep benchmark: how many design points per second a whole `costcalc sweep` process computes and prints.

Issue 4's figure: the exact Mult-Adds and params of MobileNet v1 at 301 widths x 225 resolutions,

    costcalc sweep mobilenet_v1 --alpha 0.25:1.0:0.0025 --resolution 96:320:1 --format csv > /dev/null

is 67,725 points. This script runs that command as a separate process N times (after one untimed run that
also counts the CSV rows, to check that the command computes what it claims), and prints the median wall
time, points per second, and whether the target is met: at least 100,000 points per second end to end
(interpreter start, imports, reading the spec, computing, formatting and writing the CSV).

It runs the `costcalc` console script when one is on PATH, else `python -m costcalc`, with the interpreter
running this script. The environment passes through unchanged, so `PYTHONPATH=/some/checkout` times that
checkout. Standard library only. It always exits 0: it prints figures and is not a test.

    python benchmarks/sweep.py             # 7 timed runs
    python benchmarks/sweep.py --runs 21
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

TARGET_POINTS_PER_SECOND = 100_000
ARGUMENTS = ["sweep", "mobilenet_v1", "--alpha", "0.25:1.0:0.0025", "--resolution", "96:320:1", "--format", "csv"]
EXPECTED_POINTS = 301 * 225  # 0.25, 0.2525, ..., 1.0 and 96, 97, ..., 320: 67,725


def command() -> tuple[list[str], str]:
    """The argv to time and how to show it."""
    script = shutil.which("costcalc")
    if script:
        return [script, *ARGUMENTS], f"costcalc {' '.join(ARGUMENTS)}"
    return [sys.executable, "-m", "costcalc", *ARGUMENTS], f"python -m costcalc {' '.join(ARGUMENTS)}"


def count_points(argv: list[str], env: dict[str, str]) -> tuple[int | None, str]:
    """Run once, untimed (it also warms the file cache and writes .pyc files): the number of CSV rows after the
    header, or None and the end of stderr when the command fails or prints something else."""
    done = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, capture_output=True, env=env)
    if done.returncode != 0:
        return None, f"exit status {done.returncode}: {done.stderr.decode('utf-8', 'replace')[-500:].strip()}"
    lines = done.stdout.decode("utf-8").splitlines()
    if not lines or lines[0] != "alpha,rho,resolution,mult_adds,params":
        return None, f"unexpected output: {lines[:1]!r}"
    return len(lines) - 1, ""


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time of one whole process with stdout discarded, and its exit status."""
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start, done.returncode


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs (default: 7)")
    options = parser.parse_args(argv)
    runs = max(1, options.runs)
    timed, shown = command()
    env = dict(os.environ)

    print(f"costcalc sweep benchmark: {runs} runs, wall time of the whole process, stdout discarded")
    print(f"python {platform.python_version()} ({sys.executable}) on {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"command: {shown} > /dev/null")
    points, problem = count_points(timed, env)
    if points is None:
        print(f"FAILED: {problem}")
        return 0
    check = "as expected" if points == EXPECTED_POINTS else f"EXPECTED {EXPECTED_POINTS:,}"
    print(f"points: {points:,} CSV rows ({check})")
    print()

    times = []
    for _ in range(runs):
        elapsed, status = run_once(timed, env)
        if status != 0:
            print(f"FAILED: exit status {status} in a timed run")
            return 0
        times.append(elapsed)
    median = statistics.median(times)
    rate = points / median
    print(f"median {median:.3f} s   min {min(times):.3f} s   max {max(times):.3f} s")
    print(f"{rate:,.0f} points per second (median)")
    print()
    print(f"target (issue 4): >= {TARGET_POINTS_PER_SECOND:,} points per second end to end")
    print(f"  {verdict(rate >= TARGET_POINTS_PER_SECOND)}  {rate:,.0f} >= {TARGET_POINTS_PER_SECOND:,} points/s "
          f"({points:,} points in {median:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
