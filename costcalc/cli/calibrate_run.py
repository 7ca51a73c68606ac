"""``costcalc calibrate --run``: measure here. Each spec at each point of the grid (alpha x resolution x depth
multiplier) is exported to ONNX (``costcalc export``'s writer, random weights from a fixed seed) and timed with
ONNX Runtime on the CPU (costcalc.export.timing), with a progress bar on stderr; the measurements are what
``--measurements`` would read, and ``--csv`` writes them as such a file."""

from __future__ import annotations

import sys
from fractions import Fraction

import click

from costcalc.errors import Location
from costcalc.export.timing import RunInfo
from costcalc.source.measurements import Measurement

MAX_RUN_POINTS = 200  # models x points timed in one run


def measure_here(models: list[str], alphas: list[Fraction], resolutions: list[int] | None,
                 depths: list[Fraction], repeats: int, warmup: int, threads: int | None,
                 csv_output: str | None, clock: str = "wall") -> tuple[list[Measurement], RunInfo]:
    from costcalc.engine.exact import evaluate
    from costcalc.export import timing
    from costcalc.export.onnx_graph import to_onnx
    from costcalc.onnx.model import require_onnx
    from costcalc.quantities import format_fraction
    from costcalc.spec.loading import load_network, variant_point

    if repeats < 1:
        raise click.BadParameter("at least 1 timed run", param_hint="'--repeats'")
    if threads is not None and threads < 1:
        raise click.BadParameter("at least 1 thread", param_hint="'--threads'")
    if clock == "cpu" and threads != 1:
        raise click.UsageError("--clock cpu times the one thread that runs the model: give --threads 1")
    if not models:
        raise click.BadParameter("at least one spec", param_hint="'--models'")
    sizes: list[int | None] = list(resolutions) if resolutions else [None]  # None: each spec's own
    points = [(model, alpha, size, depth) for model in models for depth in depths for alpha in alphas
              for size in sizes]
    if len(points) > MAX_RUN_POINTS:
        raise click.UsageError(f"--run: {len(points)} models and points, more than the {MAX_RUN_POINTS} it times "
                               "in one run")
    require_onnx("calibrate --run", "calibrate --run")
    info = RunInfo(timing.runtime_name(), threads or timing.default_threads(), warmup, repeats, clock)
    import csv
    import io

    measurements: list[Measurement] = []
    table = io.StringIO()
    rows = csv.writer(table, lineterminator="\n")
    rows.writerow(["model", "alpha", "resolution", "depth_multiplier", "dtype", "batch", "latency_ms"])
    with click.progressbar(points, label="timing with ONNX Runtime", file=sys.stderr,
                           item_show_func=lambda point: None if point is None else
                           f"{point[0]} {format_fraction(point[1])} {point[2] or ''}") as bar:
        for model, alpha, resolution, depth in bar:
            network = load_network(model, depth)
            evaluation = evaluate(network, *variant_point(network.spec, alpha, None, resolution))
            shape = evaluation.input_shape
            onnx_bytes = to_onnx(evaluation, "random").SerializeToString()
            seconds = timing.TIMER(onnx_bytes, (1, shape.channels, shape.height, shape.width), warmup, repeats,
                                   info.threads, clock)
            shown_resolution = resolution or evaluation.resolution
            measurements.append(Measurement(model, alpha, shown_resolution, depth, "fp32", 1, None, seconds,
                                            Location(csv_output or "calibrate --run", len(measurements) + 3, 1)))
            rows.writerow([model, format_fraction(alpha), shown_resolution, format_fraction(depth), "fp32", 1,
                           _milliseconds(seconds)])
    if csv_output is not None:
        from costcalc.cli.output import write_atomic

        header = (f"# measured by costcalc calibrate --run: {info.runtime}, {info.threads} intra-op threads, "
                  f"{info.warmup} warm-up and {info.repeats} timed runs each, the median kept, {info.clock} clock\n")
        write_atomic(csv_output, header + table.getvalue())
    return measurements, info


def _milliseconds(seconds: Fraction) -> str:
    """A median of whole nanoseconds (or the mean of two) in milliseconds, as an exact decimal: ``1.0198035``."""
    tenths_of_ns = seconds * 10**10
    if tenths_of_ns.denominator != 1:  # not a median of nanoseconds: the exact fraction
        from costcalc.quantities import format_fraction

        return format_fraction(seconds * 1000)
    whole, part = divmod(int(tenths_of_ns), 10**7)
    return f"{whole}.{part:07d}".rstrip("0").rstrip(".")
