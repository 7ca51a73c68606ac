"""The command line (README, "Options"; docs/json.md): every command and format through click's ``CliRunner``,
option parsing, the JSON contract, output files, and the exit codes (0 ok, 2 bad usage or bad spec,
3 internal error). Data goes to stdout, diagnostics to stderr, never a traceback.

Two subprocess tests check what only a real interpreter shows: ``python -m costcalc`` works, and
``report --format json`` imports neither sympy nor rich nor onnx (start-up time: docs/architecture.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy
from cli_helpers import bad_usage, ok, run

import costcalc
from costcalc.source.bundled import bundled_specs

TOTAL_MULT_ADDS = 568_740_352  # MobileNet-224 (Howard et al. 2017, Table 8: 569 million Mult-Adds)
TOTAL_PARAMS = 4_209_088  # 4.2 million parameters
CONV_MOBILENET_MULT_ADDS = 4_867_293_184  # Table 4's Conv MobileNet, with the fc layer (specs/mobilenet_v1_conv.yaml)
LAYERS = 83  # conv + bn + relu, 13 × (dw, bn, relu, pw, bn, relu), global pool, fc


def report_json(*args: str) -> dict:
    return json.loads(ok("report", "--format", "json", *args))


# --- commands ------------------------------------------------------------------------------------------


def test_version() -> None:
    assert ok("--version") == f"costcalc {costcalc.__version__}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_the_commands(flag: str) -> None:
    out = ok(flag)
    assert out.startswith("Usage: costcalc [OPTIONS] COMMAND [ARGS]...")
    for command in ("report", "formula", "list"):
        assert f"\n  {command} " in out


def test_report_help_lists_every_option() -> None:
    out = ok("report", "--help")
    for option in ("--alpha", "--rho", "--resolution", "--convention", "--format", "--symbolic", "--all-layers",
                   "--output", "table|json|csv|markdown", "NAME|FILE", "fvcore", "--unit"):
        assert option in out


@pytest.mark.parametrize("command", ["formula", "list"])
def test_subcommand_help(command: str) -> None:
    assert ok(command, "--help").startswith(f"Usage: costcalc {command} [OPTIONS]")


def test_no_command_shows_usage_with_exit_2() -> None:
    result = run()
    assert result.exit_code == 2
    assert "Usage: costcalc" in result.output


def test_unknown_command_is_bad_usage() -> None:
    assert "No such command 'nosuch'" in bad_usage("nosuch")


def test_list_names_every_bundled_spec() -> None:
    out = ok("list")
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(bundled_specs())
    assert {"mobilenet_v1", "mobilenet_v1_conv", "mobilenet_v1_shallow", "resnet18"} <= set(names)
    assert "MobileNet v1 (Howard et al. 2017, Table 1)" in out


def test_list_json() -> None:
    data = json.loads(ok("list", "--format", "json"))
    assert [entry["name"] for entry in data] == sorted(bundled_specs())
    assert all(entry["description"] and Path(entry["path"]).is_file() for entry in data)


# --- report: the default spec and its numbers -------------------------------------------------------------


def test_report_without_spec_is_mobilenet_224() -> None:
    data = report_json()
    assert data["spec"] == "mobilenet_v1"
    assert data["name"] == "mobilenet_v1"
    assert data["totals"] == {"mult_adds": TOTAL_MULT_ADDS, "params": TOTAL_PARAMS,
        "weight_bytes": 4 * TOTAL_PARAMS, "peak_activation_bytes": 4_816_896}


def test_report_table_shows_header_and_totals_with_thousands_separators() -> None:
    out = ok("report")
    lines = out.splitlines()
    assert lines[0].startswith("mobilenet_v1 — ")
    header = lines[1]
    for part in ("alpha 1", "rho 1", "resolution 224×224", "convention paper"):
        assert part in header
    assert "568,740,352" in out and "4,209,088" in out
    assert "Total: 568,740,352 Mult-Adds (568.7M), 4,209,088 params (4.2M)" in out
    assert "\x1b[" not in out, "colour codes in non-terminal output"
    assert max(len(line) for line in lines) <= 132


def test_report_table_header_shows_the_multipliers_and_resolution_used() -> None:
    out = ok("report", "--alpha", "0.75", "--resolution", "192", "--convention", "torchvision")
    header = out.splitlines()[1]
    for part in ("alpha 0.75", "rho 6/7", "resolution 192×192", "convention torchvision"):
        assert part in header


def _one_name_per_file() -> list[str]:
    """Every bundled spec file by one of its names: a family by its first variant (tests/test_golden_cnn_zoo.py
    evaluates every variant)."""
    first: dict[str, str] = {}
    for name, path in bundled_specs().items():
        first.setdefault(path.partition("#")[0], name)
    return sorted(first.values())


@pytest.mark.parametrize("name", _one_name_per_file())
def test_bundled_specs_by_name(name: str) -> None:
    data = report_json(name)
    assert data["spec"] == name and data["name"] == name
    assert data["totals"]["mult_adds"] > 0


def test_bundled_spec_by_path_equals_by_name() -> None:
    by_name = report_json("mobilenet_v1_conv")
    by_path = report_json(str(bundled_specs()["mobilenet_v1_conv"]))
    assert by_name["totals"] == by_path["totals"] == {
        "mult_adds": CONV_MOBILENET_MULT_ADDS, "params": 29_281_120,
        "weight_bytes": 117_124_480, "peak_activation_bytes": 4_816_896}
    assert by_name["layers"] == by_path["layers"]


def test_unknown_spec_name_suggests_the_closest_bundled_spec() -> None:
    err = bad_usage("report", "mobilenet_v1_shalow")
    assert err.count("\n") == 1
    assert err.startswith("mobilenet_v1_shalow: error[E100]: ")
    assert "did you mean 'mobilenet_v1_shallow'" in err
    assert "costcalc list" in err


# --- every format ------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["table", "json", "csv", "markdown"])
def test_every_format_prints_the_totals(output_format: str) -> None:
    out = ok("report", "--format", output_format)
    if output_format == "csv":  # no total row: the columns add up
        rows = list(csv.DictReader(io.StringIO(out)))
        assert sum(int(row["mult_adds"]) for row in rows) == TOTAL_MULT_ADDS
    elif output_format == "json":
        assert f'"mult_adds": {TOTAL_MULT_ADDS}' in out
    else:
        assert f"{TOTAL_MULT_ADDS:,}" in out and f"{TOTAL_PARAMS:,}" in out
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_unknown_format_is_bad_usage() -> None:
    assert "'--format'" in bad_usage("report", "--format", "yaml")


def test_json_contract() -> None:
    data = report_json()
    for key in ("spec", "name", "alpha", "rho", "resolution", "convention", "totals", "by_kind", "layers"):
        assert key in data, key
    assert data["alpha"] == 1 and data["rho"] == 1 and data["resolution"] == 224
    assert data["convention"] == "paper"
    for key in ("mult_adds", "params"):
        assert type(data["totals"][key]) is int
    assert set(data["by_kind"]) == {"conv 3x3", "conv 1x1", "depthwise 3x3", "fc"}
    for group in data["by_kind"].values():
        assert type(group["mult_adds"]) is int and type(group["params"]) is int
    assert sum(group["mult_adds"] for group in data["by_kind"].values()) == TOTAL_MULT_ADDS
    assert sum(group["params"] for group in data["by_kind"].values()) == TOTAL_PARAMS
    assert data["by_kind"]["conv 1x1"]["mult_adds"] == 539_492_352  # the paper's Table 2: 94.86%
    layers = data["layers"]
    assert len(layers) == LAYERS
    for row in layers:
        assert {"name", "kind", "input_shape", "output_shape", "mult_adds", "params"} <= set(row)
        assert type(row["mult_adds"]) is int and type(row["params"]) is int
        assert all(type(size) is int for size in row["input_shape"] + row["output_shape"])
    assert sum(row["mult_adds"] for row in layers) == TOTAL_MULT_ADDS
    assert sum(row["params"] for row in layers) == TOTAL_PARAMS
    names = [row["name"] for row in layers]
    assert len(set(names)) == len(names)
    # a separable layer is its depthwise and pointwise rows, in order, each followed by its bn and relu
    assert names[3:9] == ["conv_dw_1", "conv_dw_1_bn", "conv_dw_1_relu", "conv_pw_1", "conv_pw_1_bn",
                          "conv_pw_1_relu"]
    assert [row["kind"] for row in layers[3:9:3]] == ["depthwise", "pointwise"]
    for before, after in zip(layers, layers[1:]):
        assert before["output_shape"] == after["input_shape"]


def test_json_is_one_object_on_stdout() -> None:
    out = ok("report", "--format", "json")
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(out)
    assert isinstance(data, dict) and out[end:] == "\n"


def test_csv_rows_and_sums() -> None:
    rows = list(csv.DictReader(io.StringIO(ok("report", "--format", "csv"))))
    assert len(rows) == LAYERS
    assert sum(int(row["mult_adds"]) for row in rows) == TOTAL_MULT_ADDS
    assert sum(int(row["params"]) for row in rows) == TOTAL_PARAMS
    assert [row["name"] for row in rows] == [row["name"] for row in report_json()["layers"]]


def test_csv_line_count_is_layers_plus_header() -> None:
    assert len(ok("report", "--format", "csv").splitlines()) == LAYERS + 1


def test_markdown_report() -> None:
    out = ok("report", "--format", "markdown")
    assert out.startswith("### mobilenet_v1 — ")
    assert "| **Total** |" in out and "**568,740,352**" in out and "**4,209,088**" in out


def test_all_layers_shows_batch_norm_and_relu_rows() -> None:
    assert "conv_1_bn" not in ok("report", "--format", "markdown")
    out = ok("report", "--format", "markdown", "--all-layers")
    assert "`conv_1_bn`" in out and "`conv_1_relu`" in out and "`global_avg_pool_1`" in out


def test_symbolic_json_has_the_closed_form() -> None:
    data = report_json("--symbolic", "--alpha", "0.3")
    alpha, rho = sympy.symbols("alpha rho", positive=True)
    closed = sympy.sympify(data["symbolic"]["mult_adds"], locals={"alpha": alpha, "rho": rho})
    assert closed.subs({alpha: 1, rho: 1}) == TOTAL_MULT_ADDS
    assert data["symbolic"]["exact_equals_closed_form"] is False  # int(0.3·n) rounds channels down
    assert sympy.Rational(data["symbolic"]["at_alpha_rho"]["mult_adds"]) == closed.subs(
        {alpha: sympy.Rational(3, 10), rho: 1})


# --- formula ------------------------------------------------------------------------------------------


def test_formula_text() -> None:
    out = ok("formula")
    assert "1/N + 1/D_K²" in out
    assert "D_F²·D_K²·M + D_F²·M·N" in out


def test_formula_latex() -> None:
    out = ok("formula", "--format", "latex")
    assert r"\begin{align*}" in out and r"\end{align*}" in out
    assert r"\frac{1}{N} + \frac{1}{D_{K}^{2}}" in out


def test_formula_json_ratio_is_the_papers() -> None:
    data = json.loads(ok("formula", "--format", "json"))
    assert data["ratio"] == "1/N + 1/D_K**2"
    n, d_k = sympy.symbols("N D_K", positive=True, integer=True)
    parsed = sympy.sympify(data["ratio"], locals={"N": n, "D_K": d_k})
    assert parsed == 1 / n + 1 / d_k**2


def test_formula_unknown_format() -> None:
    assert "'csv' is not one of 'text', 'latex', 'json'" in bad_usage("formula", "--format", "csv")


# --- options ------------------------------------------------------------------------------------------


def test_alpha_decimal_equals_fraction() -> None:
    decimal, fraction = report_json("--alpha", "0.75"), report_json("--alpha", "3/4")
    assert decimal == fraction
    assert decimal["alpha_exact"] == "0.75"
    assert decimal["totals"] != report_json()["totals"]


def test_rho_fraction_equals_resolution() -> None:
    by_rho, by_resolution = report_json("--rho", "192/224"), report_json("--resolution", "192")
    assert by_rho == by_resolution
    assert by_rho["resolution"] == 192
    assert by_rho["layers"][0]["input_shape"] == [192, 192, 3]


def test_rho_and_resolution_together_is_bad_usage() -> None:
    err = bad_usage("report", "--rho", "192/224", "--resolution", "192")
    assert "--rho or --resolution, not both" in err


@pytest.mark.parametrize(("value", "message"), [
    ("0", "'0' must be greater than 0"),
    ("-1", "'-1' must be greater than 0"),
    ("abc", "'abc' is not a number"),
    ("nan", "'nan' is not a number"),
    ("inf", "'inf' is not a number"),
    ("1/0", "'1/0' is not a number"),
])
def test_bad_alpha_is_refused_with_a_clear_message(value: str, message: str) -> None:
    err = bad_usage("report", f"--alpha={value}")
    assert "Invalid value for '--alpha'" in err
    assert message in err


@pytest.mark.parametrize("option", ["--rho", "--resolution"])
def test_zero_rho_or_resolution_is_refused(option: str) -> None:
    assert f"Invalid value for '{option}'" in bad_usage("report", option, "0")


def test_alpha_that_leaves_no_channels() -> None:
    err = bad_usage("report", "--alpha", "0.01")
    spec = str(bundled_specs()["mobilenet_v1"])
    lines = Path(spec).read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("  - conv: {kernel: 3, filters: 32"))
    assert err == f"{spec}:{line}:5: error[E405]: layer 'conv_1' (input 224×224×3): alpha = 0.01 leaves 0 of its 32 channels\n"


def test_unknown_convention() -> None:
    assert bad_usage("report", "--convention", "flopcount") == (
        "flopcount: error[E520]: unknown convention 'flopcount'; expected one of: paper, torchvision, fvcore, ptflops, "
        "thop, torchinfo, keras, or a convention file (.yaml)\n")


def test_torchvision_convention_counts_biases_and_batch_norm() -> None:
    data = report_json("--convention", "torchvision")
    assert data["convention"] == "torchvision"
    assert data["totals"]["mult_adds"] == TOTAL_MULT_ADDS
    assert data["totals"]["params"] == 4_231_976  # Keras MobileNet(alpha=1): trainable params


# --- output files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["table", "json", "csv", "markdown"])
def test_output_file_is_written_and_stdout_is_empty(tmp_path: Path, output_format: str) -> None:
    target = tmp_path / f"report.{output_format}"
    assert ok("report", "--format", output_format, "-o", str(target)) == ""
    text = target.read_text(encoding="utf-8")
    if output_format == "table":
        assert f"{TOTAL_MULT_ADDS:,}" in text and "\x1b[" not in text
    else:  # the same bytes as `costcalc report --format F > FILE`, final newline included
        assert text == ok("report", "--format", output_format)
    assert sorted(path.name for path in tmp_path.iterdir()) == [target.name], "temporary files left behind"


def test_output_file_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    ok("report", "--format", "json", "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["totals"]["mult_adds"] == TOTAL_MULT_ADDS
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]


def test_failed_run_leaves_no_output_file(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("input: {channels: 3, size: 32}\nlayers:\n  - conv2\n", encoding="utf-8")
    target = tmp_path / "out.json"
    bad_usage("report", str(spec), "--format", "json", "-o", str(target))
    assert not target.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.yaml"]


def test_interrupted_write_keeps_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report\n", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run("report", "--format", "json", "-o", str(target))
    assert target.read_text(encoding="utf-8") == "old report\n"
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]
    # a full disk is not a bug in costcalc: a plain error naming the file, not "internal error"
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert str(target) in result.stderr and "No space left on device" in result.stderr


def test_output_into_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    """Not a bug in costcalc: exit 2 with the path, not exit 3 "internal error" naming a temporary file."""
    target = tmp_path / "no" / "such" / "folder" / "report.json"
    err = bad_usage("report", "--format", "json", "-o", str(target))
    assert "internal error" not in err
    assert str(target) in err
    assert ".tmp" not in err
    assert not (tmp_path / "no").exists()


def test_output_to_a_directory_is_bad_usage(tmp_path: Path) -> None:
    assert "is a directory" in bad_usage("report", "-o", str(tmp_path))


# --- internal errors (exit 3) -------------------------------------------------------------------------


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


@pytest.mark.parametrize(("target", "args"), [
    ("costcalc.engine.exact.evaluate", ("report",)),
    ("costcalc.render.report_formats.to_json", ("report", "--format", "json")),
    ("costcalc.render.report_formats.to_csv", ("report", "--format", "csv")),
    ("costcalc.render.report_table.render", ("report",)),
    ("costcalc.engine.symbolic.derive", ("formula",)),
])
def test_internal_error_exits_3_without_traceback(monkeypatch: pytest.MonkeyPatch, target: str,
                                                  args: tuple[str, ...]) -> None:
    monkeypatch.setattr(target, _boom)
    result = run(*args)
    assert result.exit_code == 3, (result.exit_code, result.stderr, result.exception)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "costcalc: internal error: RuntimeError: boom"
    assert len(lines) <= 2, "an internal error is one short message, not a dump"
    assert "Traceback" not in result.stderr
    assert "bug" in result.stderr and "--debug" in result.stderr and "issue tracker" in result.stderr


def test_debug_reraises_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("costcalc.engine.exact.evaluate", _boom)
    result = run("--debug", "report")
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "boom"
    assert result.exit_code not in (0, 2, 3)


def test_debug_does_not_change_bad_input_handling() -> None:
    err = bad_usage("--debug", "report", "mobilenet_v1_shalow")
    assert "did you mean 'mobilenet_v1_shallow'" in err


# --- subprocesses -------------------------------------------------------------------------------------


def _subprocess_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "PYTHONSTARTUP")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def test_python_dash_m_costcalc() -> None:
    done = subprocess.run([sys.executable, "-m", "costcalc", "report", "--format", "json"], capture_output=True,
                          text=True, encoding="utf-8", env=_subprocess_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["totals"] == {"mult_adds": TOTAL_MULT_ADDS, "params": TOTAL_PARAMS,
        "weight_bytes": 4 * TOTAL_PARAMS, "peak_activation_bytes": 4_816_896}


def test_python_dash_m_costcalc_bad_spec_exit_code(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "costcalc", "report", str(tmp_path / "missing.yaml")],
                          capture_output=True, text=True, encoding="utf-8", env=_subprocess_env(), timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"{tmp_path / 'missing.yaml'}: error[E100]: no such ")
    assert done.stderr.count("\n") == 1


IMPORT_PROBE = """
import json, sys
from costcalc.cli import main
try:
    main(["report", "--format", "json"])
except SystemExit as exit:
    code = exit.code
else:
    code = None
print(json.dumps({"code": code, "sympy": "sympy" in sys.modules, "rich": "rich" in sys.modules,
                  "onnx": any(name == "onnx" or name.startswith("onnx.") for name in sys.modules),
                  "modules": sorted(sys.modules)}), file=sys.stderr)
"""

# What a json report of the bundled spec imports of costcalc, once its cached form is written (start-up, issue
# 17): no other command's module, no YAML machinery. A change here is a change of start-up time: measure it
# (benchmarks/run.py --startup) before updating the list.
JSON_REPORT_MODULES = {
    "costcalc", "costcalc.analysis", "costcalc.analysis.batch", "costcalc.analysis.blocks",
    "costcalc.analysis.breakdown", "costcalc.analysis.memory", "costcalc.analysis.params_split",
    "costcalc.analysis.report", "costcalc.analysis.separable", "costcalc.api", "costcalc.api.inputs",
    "costcalc.api.model", "costcalc.api.results", "costcalc.cli", "costcalc.cli.app",
    "costcalc.cli.layer_view", "costcalc.cli.options", "costcalc.cli.output",
    "costcalc.cli.report", "costcalc.conventions", "costcalc.conventions.builtin", "costcalc.conventions.files",
    "costcalc.devices", "costcalc.engine", "costcalc.engine.arith",
    "costcalc.engine.exact", "costcalc.engine.propagate", "costcalc.engine.results", "costcalc.errors",
    "costcalc.layers", "costcalc.layers.base",
    "costcalc.layers.components", "costcalc.layers.conv", "costcalc.layers.dense", "costcalc.layers.fields",
    "costcalc.layers.foreign_names", "costcalc.layers.formulas", "costcalc.layers.graph", "costcalc.layers.pooling",
    "costcalc.layers.registry", "costcalc.layers.simple", "costcalc.layers.width",
    "costcalc.quantities", "costcalc.render", "costcalc.render.json_fields", "costcalc.render.layer_rows",
    "costcalc.render.numbers", "costcalc.render.report_formats", "costcalc.render.sinks",
    "costcalc.render.sinks.json_text", "costcalc.render.sinks.terminal", "costcalc.render.view", "costcalc.source",
    "costcalc.source.bundled", "costcalc.source.files", "costcalc.source.names", "costcalc.source.positioned",
    "costcalc.source.problems", "costcalc.source.spec_cache", "costcalc.spec", "costcalc.spec.blocks",
    "costcalc.spec.build", "costcalc.spec.depth", "costcalc.spec.entries", "costcalc.spec.layer_names",
    "costcalc.spec.loading", "costcalc.spec.model", "costcalc.spec.padding_note", "costcalc.spec.schema",
    "costcalc.spec.values", "costcalc.spec.variants",
}
# Never on that path: the YAML parser (the cached form is JSON), OpenSSL's hashlib (CPython's own SHA-256 does),
# the terminal table, the closed form, ONNX, the other commands, and what a report does not use: dataclasses, the
# device profiles' reader, the shell completers, the API's what-ifs and the transformer kinds.
NOT_IMPORTED = {"yaml", "hashlib", "rich", "sympy", "onnx", "costcalc.source.positioned_yaml", "costcalc.cli.budget",
                "costcalc.cli.whatifs", "costcalc.cli.models", "costcalc.cli.calibrate", "click.shell_completion",
                "dataclasses", "costcalc.devices.profiles", "costcalc.cli.completion", "costcalc.api.whatifs",
                "costcalc.layers.attention", "costcalc.layers.tokens"}


def test_json_report_imports_neither_sympy_nor_rich_nor_onnx() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, encoding="utf-8",
                          env=_subprocess_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["mult_adds"] == TOTAL_MULT_ADDS
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    assert probe["code"] in (0, None)
    assert {key: probe[key] for key in ("sympy", "rich", "onnx")} == {"sympy": False, "rich": False, "onnx": False}


def test_a_bundled_json_report_imports_only_what_it_uses(tmp_path: Path) -> None:
    """The second run, with the bundled spec's cached form in place, imports exactly ``JSON_REPORT_MODULES`` of
    costcalc, and none of ``NOT_IMPORTED`` (the first run parses the YAML and writes the cached form)."""
    env = {**_subprocess_env(), "COSTCALC_CACHE_DIR": str(tmp_path)}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True,
                              encoding="utf-8", env=env, timeout=120)
        assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stderr.strip().splitlines()[-1])["modules"])
    assert {name for name in modules if name.split(".")[0] == "costcalc"} == JSON_REPORT_MODULES
    assert modules & NOT_IMPORTED == set()


def test_a_misspelt_option_value_gets_a_suggestion() -> None:
    err = bad_usage("report", "--unit", "flop")
    assert "'flop' is not one of 'mult-adds', 'flops' (did you mean 'flops'?)." in err
    assert "unknown convention 'torchvison' (did you mean 'torchvision'?)" in bad_usage(
        "report", "--convention", "torchvison")
    assert "(did you mean 'json'?)" in bad_usage("sweep", "--format", "jsn")
