"""The Python API (costcalc.api, docs/api.md, issue 18 item 3): importing it loads nothing heavy, its results
are the command line's JSON, its arguments are read exactly and bounded, a notebook shows its table with every
name escaped, and the walkthrough in docs/api.md runs as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import ok
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import api
from costcalc.errors import CostcalcError

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_api_loads_neither_click_nor_rich_nor_sympy() -> None:
    """The import is cheap because it loads only the API's own small modules (docs/api.md measures it);
    checked by what a fresh interpreter has loaded, never by a clock."""
    code = ("import json, sys\nimport costcalc.api\n"
            "print(json.dumps(sorted(name for name in sys.modules if name.split('.')[0] in "
            "('costcalc', 'click', 'rich', 'sympy', 'yaml', 'onnx'))))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert not [name for name in loaded if not name.startswith("costcalc")], loaded
    assert set(loaded) <= {"costcalc", "costcalc.api", "costcalc.api.inputs", "costcalc.api.model",
                           "costcalc.api.results", "costcalc.api.whatifs"}, loaded


@pytest.mark.parametrize(("call", "command"), [
    (lambda: api.report("mobilenet_v1", alpha=0.75, resolution=192, device="raspberry_pi_4"),
     ["report", "--alpha", "0.75", "--resolution", "192", "--device", "raspberry_pi_4"]),
    (lambda: api.load("efficientnet_b0").report(convention="fvcore", unit="flops", depth=1),
     ["report", "efficientnet_b0", "--convention", "fvcore", "--unit", "flops", "--depth", "1"]),
    (lambda: api.sweep(alphas="0.5:1:0.25", resolutions=[160, 224], max_params="3M"),
     ["sweep", "--alpha", "0.5:1:0.25", "--resolution", "160,224", "--max-params", "3M"]),
    (lambda: api.solve(max_mult_adds="300M", resolution=192),
     ["solve", "--max-mult-adds", "300M", "--resolution", "192"]),
    (lambda: api.solve(max_mult_adds=400_000_000, vary="resolution", alpha="3/4", step=8),
     ["solve", "--max-mult-adds", "400M", "--vary", "resolution", "--alpha", "3/4", "--step", "8"]),
    (lambda: api.compare(["mobilenet_v1", "mobilenet_v1_conv"], alpha=[Fraction(1, 2), 1]),
     ["compare", "mobilenet_v1", "mobilenet_v1_conv", "--alpha", "0.5,1"]),
    (lambda: api.compare(["mobilenet_v1"], vs_standard=True, resolution=160),
     ["compare", "mobilenet_v1", "--vs-standard", "--resolution", "160"]),
], ids=["report-device", "report-variant-flops", "sweep", "solve-alpha", "solve-resolution", "compare", "vs-standard"])
def test_to_dict_and_to_json_are_the_commands_json(call: object, command: list[str]) -> None:
    result = call()  # type: ignore[operator]
    printed = ok(*command, "--format", "json")
    assert result.to_json() == printed.rstrip("\n")
    assert result.to_dict() == json.loads(printed)


def test_a_report_gives_the_papers_tables_6_and_7() -> None:
    """The exact figures behind the MobileNets paper's Tables 6 (alpha at 224) and 7 (resolution at alpha 1),
    from tests/reference/mobilenet_v1_paper.yaml, with alpha written as the floats a notebook types."""
    import yaml

    paper = yaml.safe_load((ROOT / "tests" / "reference" / "mobilenet_v1_paper.yaml").read_text(encoding="utf-8"))
    model = api.load("mobilenet_v1")
    for row in paper["table6_width_multiplier"]:
        result = model.report(alpha=row["alpha"])
        assert (result.mult_adds, result.params) == (row["exact_mult_adds"], row["exact_params"]), row
    for row in paper["table7_resolution"]:
        result = model.report(resolution=row["resolution"])
        assert (result.mult_adds, result.params) == (row["exact_mult_adds"], row["exact_params"]), row
    result = model.report(alpha=0.75, resolution=192)
    assert (result.alpha, result.rho, result.resolution, result.depth_multiplier) == (
        Fraction(3, 4), Fraction(6, 7), 192, 1)
    assert type(result.mult_adds) is int and type(result.alpha) is Fraction


@settings(max_examples=25, deadline=None)
@given(st.fractions(min_value=Fraction(1, 8), max_value=2, max_denominator=64))
def test_a_multiplier_is_the_same_however_it_is_written(alpha: Fraction) -> None:
    """A Fraction, its text and (when it has one) the float whose shortest text it is: one exact point."""
    model = api.load("mobilenet_v1")
    point = model.point(alpha)
    assert point == model.point(f"{alpha.numerator}/{alpha.denominator}") == (alpha, Fraction(1))
    as_float = float(alpha)
    if Fraction(repr(as_float)) == alpha:  # 0.75 is 3/4; 1/3 has no float that is it
        assert model.point(as_float) == point


@pytest.mark.parametrize(("arguments", "message"), [
    ({"alpha": True}, "alpha: expected a multiplier"),
    ({"alpha": -1}, "alpha: '-1' must be greater than 0"),
    ({"alpha": float("nan")}, "alpha: 'nan' is not a number"),
    ({"alpha": 10**400}, "more than 256 bits"),
    ({"alpha": Fraction(1, 3**300)}, "more than 256 bits"),
    ({"rho": 1, "resolution": 224}, "give rho or resolution, not both"),
    ({"resolution": 0}, "resolution: '0' must be at least 1 pixel"),
    ({"dtype": "fp64"}, "dtype: 'fp64' is not one of"),
    ({"unit": "flop"}, "(did you mean 'flops'?)"),
    ({"width_rule": "tf_slim"}, "(did you mean 'tfslim'?)"),
    ({"depth": -1}, "depth: '-1' must be at least 0"),
])
def test_a_bad_argument_is_an_argument_error_naming_it(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(api.ArgumentError) as raised:
        api.report("mobilenet_v1", **arguments)
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_grids_are_bounded_before_anything_is_built() -> None:
    with pytest.raises(api.GridTooLarge, match="more than the 250,000"):
        api.sweep(alphas="0.001:1:0.001", resolutions="1:1000:1")
    with pytest.raises(api.ArgumentError, match="more than 10,000 values"):
        api.sweep(alphas=(Fraction(1, n) for n in range(1, 20_000)))
    with pytest.raises(api.GridTooLarge, match="solve"):
        api.solve(max_mult_adds="300M", vary="both", step="0.0001", resolutions=[128, 160, 192, 224])


def test_bad_files_raise_the_command_lines_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("version: 1\nname: bad\ninput: {channels: 3, size: 32}\nlayers:\n"
                                       "  - conv2: {}\n", encoding="utf-8")
    with pytest.raises(CostcalcError) as raised:
        api.load(tmp_path / "bad.yaml")
    assert re.match(r".*bad\.yaml:5:5: error\[E\d+\]", str(raised.value.diagnostics[0]))
    with pytest.raises(CostcalcError, match="torchvison"):
        api.report(convention="torchvison")


def test_a_notebook_shows_the_table_with_every_name_escaped(tmp_path: Path) -> None:
    (tmp_path / "net.yaml").write_text(
        'version: 1\nname: "<img src=x onerror=alert(1)>"\ninput: {channels: 3, size: 32}\nlayers:\n'
        '  - conv: {kernel: 3, filters: 8, name: "[bold]<script>"}\n', encoding="utf-8")
    result = api.report(tmp_path / "net.yaml")
    html = result._repr_html_()
    assert html.startswith("<pre") and "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "[bold]&lt;script&gt;" in html
    from rich.console import Console

    console = Console(width=100, color_system=None, highlight=False)
    with console.capture() as capture:
        console.print(result)
    assert "[bold]<script>" in capture.get() and str(result).count("<img src=x onerror=alert(1)>") == 1
    solved = api.solve(tmp_path / "net.yaml", max_params=100)
    assert "&lt;img" in solved._repr_html_() and str(solved) == solved.to_text()


def test_the_walkthrough_in_docs_api_md_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of docs/api.md, in order, in one namespace, in an empty folder: a notebook."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        line = text[:text.index(block)].count("\n") + 1
        exec(compile("\n" * (line - 1) + block, "docs/api.md", "exec"), namespace)  # noqa: S102  # our own docs


def test_an_onnx_model_loads_like_a_spec() -> None:
    """An ONNX file is a source of a spec (docs/onnx.md): its counts are torchvision's mobilenet_v2 as
    tests/reference/onnx_fixtures.yaml measured it (torch 2.14.1, FlopCounterMode // 2 and num_params)."""
    pytest.importorskip("onnx")
    import yaml

    fixtures = yaml.safe_load((ROOT / "tests" / "reference" / "onnx_fixtures.yaml").read_text(encoding="utf-8"))
    measured = fixtures["models"]["mobilenet_v2"]
    path = ROOT / "tests" / "fixtures" / "onnx" / "mobilenet_v2.onnx"
    result = api.report(path, convention="torchvision", resolution=160)
    assert (result.mult_adds, result.params) == (measured["mult_adds"][160], measured["num_params"])
    assert result.to_dict() == json.loads(ok("report", str(path), "--convention", "torchvision", "--resolution",
                                              "160", "--format", "json"))
