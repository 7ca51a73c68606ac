"""The ``costcalc`` command (pyproject.toml's script) and ``python -m costcalc``: the command-line interface, in a
process of its own.

``main`` first makes the garbage collector's young generation larger (50,000 allocations between collections,
not CPython's 700), as mypy does for its own runs: importing click and costcalc's modules otherwise runs
dozens of collections that find almost nothing, about 4 ms of every start-up (issue 17). Cycles are still
collected, only less often; the peak memory of a million-point sweep or a 20,000-layer solve is the same
(benchmarks/README.md). It is set here, in the process that runs the command, and never by importing costcalc
(the API, the tests): a library does not change its host's collector.
"""

import gc

GC_THRESHOLDS = (50_000, 20, 20)  # young generation, then how many of each before the next older one


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    from costcalc.cli import run  # after the thresholds: importing click and costcalc is what they speed up

    run()


if __name__ == "__main__":
    main()
