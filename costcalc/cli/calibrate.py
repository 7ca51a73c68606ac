"""``costcalc calibrate``: fit a device's latency model to measurements, from a CSV (``--measurements``) or
measured here with ONNX Runtime (``--run``), and write it as a device file that ``--device`` reads
(docs/calibrate.md)."""

from __future__ import annotations

import os
import click

from costcalc.cli.app import guarded, main
from costcalc.cli.options import WHOLE, Choice, values_option


@main.command("calibrate")
@click.option("--measurements", "measurements_file", metavar="FILE.csv", default=None,
              help="Measured latencies: model, alpha, resolution, depth_multiplier, dtype, batch, latency_ms "
                   "(or per layer: a 'layer' column). docs/calibrate.md.")
@click.option("--run", "run_here", is_flag=True,
              help="Measure here instead: export each model at each point to ONNX and time it with ONNX Runtime "
                   "on the CPU.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="The device file to write (atomically).")
@click.option("--name", default=None, help="The device's name [default: the output file's name].")
@click.option("--validate", "validate_file", metavar="FILE.csv", default=None,
              help="Measurements the fit has not seen: print each with the model's prediction and its error.")
@click.option("--format", "output_format", type=Choice(["table", "json"]), default="table", show_default=True)
@click.option("--models", default="mobilenet_v1", show_default=True,
              help="--run: the specs to measure, comma-separated (bundled names or files).")
@click.option("--alpha", "alphas", default="1", show_default=True, help="--run: widths, as a list (0.25,0.5).")
@click.option("--resolution", "resolutions", default=None, help="--run: resolutions in pixels, as a list "
                                                                "[default: each spec's].")
@click.option("--depth-multiplier", "depths", default="1", show_default=True, help="--run: depth multipliers.")
@click.option("--repeats", type=WHOLE, default=20, show_default=True, help="--run: timed runs of each model.")
@click.option("--warmup", type=WHOLE, default=3, show_default=True, help="--run: untimed runs before them.")
@click.option("--threads", type=WHOLE, default=None, help="--run: ONNX Runtime's intra-op threads [default: "
                                                            "the CPUs this process may use].")
@click.option("--clock", type=Choice(["wall", "cpu"]), default="wall", show_default=True,
              help="--run: wall-clock time, or (with --threads 1) the CPU time of the thread that runs the model: "
                   "on a machine other programs share, the time it was not given is left out.")
@click.option("--channel-block", type=WHOLE, default=1, show_default=True,
              help="The device's vector width in channels: convolutions' output channels count in whole blocks of "
                   "it (ONNX Runtime on x86: 16 with AVX-512F, 8 with AVX2). docs/calibrate.md.")
@click.option("--csv", "csv_output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="--run: also write the measurements to this CSV (the input of --measurements).")
@guarded
def calibrate_command(measurements_file: str | None, run_here: bool, output: str | None, name: str | None,
                      validate_file: str | None, output_format: str, models: str, alphas: str,
                      resolutions: str | None, depths: str, repeats: int, warmup: int, threads: int | None,
                      clock: str, channel_block: int, csv_output: str | None) -> None:
    """Fit a latency model (per-inference and per-layer overheads, time per Mult-Add and per byte moved for
    each kind family, or the roofline's max()) to measurements, state its held-out error, and write it as a
    device file: report, sweep, solve and check --device FILE then predict with it."""
    from costcalc.analysis.calibration import calibrate, observe, predict
    from costcalc.cli.output import emit, write_atomic
    from costcalc.render import calibrate_formats
    from costcalc.source.measurements import read_measurements

    from costcalc.devices.calibrated import MAX_CHANNEL_BLOCK

    if (measurements_file is None) == (not run_here):
        raise click.UsageError("give --measurements FILE.csv or --run (one of them)")
    if not 1 <= channel_block <= MAX_CHANNEL_BLOCK:
        raise click.BadParameter(f"from 1 to {MAX_CHANNEL_BLOCK} channels", param_hint="'--channel-block'")
    run = None
    if run_here:
        from costcalc.cli.calibrate_run import measure_here
        from costcalc.quantities import parse_multiplier, parse_resolution

        measurements, run = measure_here([model.strip() for model in models.split(",") if model.strip()],
                                         values_option(alphas, parse_multiplier, "--alpha"),
                                         None if resolutions is None else
                                         values_option(resolutions, parse_resolution, "--resolution"),
                                         values_option(depths, parse_multiplier, "--depth-multiplier"),
                                         repeats, warmup, threads, csv_output, clock)
    else:
        measurements = read_measurements(measurements_file)  # type: ignore[arg-type]
    calibration = calibrate(measurements, channel_block)
    device_name = name or (os.path.splitext(os.path.basename(output))[0] if output else "calibrated")
    rows = [(seen, predict(seen, calibration)) for seen in observe(measurements, channel_block)]
    validation = None
    if validate_file is not None:
        validation = [(seen, predict(seen, calibration))
                      for seen in observe(read_measurements(validate_file), channel_block)]
    result = calibrate_formats.CalibrateResult(calibration, device_name, rows, output, run, validation)
    if output is not None:
        source = (f"costcalc calibrate --run ({run.runtime}, {run.threads} threads)" if run is not None
                  else f"costcalc calibrate --measurements {os.path.basename(measurements_file or '')}")
        write_atomic(output, calibrate_formats.device_yaml(result, source))
    text = calibrate_formats.to_json(result) if output_format == "json" else calibrate_formats.to_table(result)
    emit(text, None)
