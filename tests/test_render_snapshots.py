"""Snapshot tests of rendered output (golden files in ``tests/snapshots/``, rewritten by
``pytest --update-snapshots``), and torchinfo's invariant on every rendered table: the per-layer Mult-Adds
and params that are printed add up to the printed totals.

Tables are rendered on a fixed-width rich console without colour, as ``costcalc report -o FILE`` does, so
the snapshots do not depend on the terminal running the tests. The invariant checks parse the numbers back
out of the text, so they catch a renderer that drops, duplicates or misformats a row even when the
snapshot was (wrongly) accepted.
"""

from __future__ import annotations

import io
import json
import math
import re
from fractions import Fraction
from typing import Callable

import pytest
import sympy
from rich.console import Console

import costcalc
from costcalc.analysis.report import Report, build_report
from costcalc.conventions import CONVENTIONS
from costcalc.engine.exact import evaluate, rho_for_resolution
from costcalc.engine.symbolic import derive
from costcalc.render import formula_formats as formula
from costcalc.render.report_formats import to_csv, to_json, to_markdown
from costcalc.render.report_table import BAR_WIDTH, render
from costcalc.render.view import View
from costcalc.source.bundled import bundled_specs
from costcalc.spec import load_spec

TOTAL_MULT_ADDS = 568_740_352  # MobileNet-224, paper Table 1/8: 569 million
TOTAL_PARAMS = 4_209_088  # 4.2 million


def make_report(spec: str = "mobilenet_v1", alpha: Fraction = Fraction(1), resolution: int | None = None,
                symbolic: bool = False, convention: str = "paper") -> Report:
    parsed = load_spec(str(bundled_specs()[spec]))
    rho = rho_for_resolution(parsed, resolution) if resolution else Fraction(1)
    return build_report(evaluate(parsed, alpha, rho, CONVENTIONS[convention]), symbolic=symbolic)


def table_text(report: Report, width: int = 132, all_layers: bool = False) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(render(report, View(all_layers=all_layers), width))
    return console.file.getvalue()  # type: ignore[attr-defined]


def json_text(report: Report) -> str:
    """The exact JSON output, except the version number (so that a release does not rewrite the golden)."""
    text = to_json(report, View(specs=("mobilenet_v1",)))
    version_line = f'  "costcalc_version": "{costcalc.__version__}",\n'
    assert version_line in text
    return text.replace(version_line, '  "costcalc_version": "<version>",\n')


TABLES: dict[str, Callable[[], str]] = {
    "table_mobilenet_v1_w132.txt": lambda: table_text(make_report()),
    "table_mobilenet_v1_w100.txt": lambda: table_text(make_report(), width=100),
    "table_mobilenet_v1_all_layers_w132.txt": lambda: table_text(make_report(), all_layers=True),
    "table_mobilenet_v1_symbolic_w132.txt": lambda: table_text(make_report(symbolic=True)),
    "table_mobilenet_v1_alpha0.3_symbolic_w132.txt":
        lambda: table_text(make_report(alpha=Fraction(3, 10), symbolic=True)),
    "table_mobilenet_v1_alpha0.75_r192_w132.txt":
        lambda: table_text(make_report(alpha=Fraction(3, 4), resolution=192)),
    "table_mobilenet_v1_conv_w132.txt": lambda: table_text(make_report("mobilenet_v1_conv")),
}
MARKDOWN: dict[str, Callable[[], str]] = {
    "markdown_mobilenet_v1.md": lambda: to_markdown(make_report()),
    "markdown_mobilenet_v1_all_layers.md": lambda: to_markdown(make_report(), View(all_layers=True)),
    "markdown_mobilenet_v1_alpha0.75_r192.md": lambda: to_markdown(make_report(alpha=Fraction(3, 4), resolution=192)),
}
OTHERS: dict[str, Callable[[], str]] = {
    "csv_mobilenet_v1.csv": lambda: to_csv(make_report()),
    "json_mobilenet_v1.json": lambda: json_text(make_report()),
    "json_mobilenet_v1_alpha0.3_symbolic.json": lambda: json_text(make_report(alpha=Fraction(3, 10), symbolic=True)),
    "formula.txt": lambda: formula.to_text(derive()),
    "formula.tex": lambda: formula.to_latex(derive()),
    "formula.json": lambda: formula.to_json(derive()),
}
ALL = {**TABLES, **MARKDOWN, **OTHERS}


@pytest.mark.parametrize("name", ALL)
def test_rendered_output_matches_snapshot(name: str, snapshot: Callable[[str, str], None]) -> None:
    snapshot(name, ALL[name]())


def test_json_snapshot_only_hides_the_version() -> None:
    data = json.loads(to_json(make_report(), View(specs=("mobilenet_v1",))))
    assert data["costcalc_version"] == costcalc.__version__


# --- the invariant: printed rows add up to printed totals ----------------------------------------------


def _int(text: str) -> int:
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), f"not a number with thousands separators: {text!r}"
    return int(text.replace(",", ""))


ROW = re.compile(r"^\s*(?:(?P<index>\d+)\s+)?(?P<name>\S+)\s.*→ \S+\s+(?P<mult_adds>[\d,]+)\s+(?P<params>[\d,]+)"
                 r"(?:\s+(?P<share>\d+\.\d\d)%)?")
KIND_ROW = re.compile(r"^\s*(?P<kind>\S.*?)\s{2,}(?P<layers>\d+)\s+(?P<mult_adds>[\d,]+)\s+(?P<ma_share>\d+\.\d\d)%"
                      r"\s+(?P<params>[\d,]+)\s+(?P<p_share>\d+\.\d\d)%")
PAIR_ROW = re.compile(r"^\s*(?P<dw>\S+) \+ (?P<pw>\S+)\s+(?P<d_k>\d+)\s+(?P<m>\d+)\s+(?P<n>\d+)\s+(?P<h>\d+)×(?P<w>\d+)"
                      r"\s+(?P<mult_adds>[\d,]+)\s+(?P<standard>[\d,]+)\s+(?P<num>\d+)/(?P<den>\d+)\s+= (?P<dec>\d\.\d{4})\s*$")


def _block_after(lines: list[str], header: int) -> list[str]:
    """The rows of a rich table whose header is ``lines[header]``: after the rule, up to the first blank line."""
    assert "─" in lines[header + 1], lines[header + 1]
    rows = []
    for line in lines[header + 2:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


def _decimal(value: Fraction, places: int) -> str:
    """``value`` to ``places`` decimals, halves up (as the renderers promise), computed from the exact fraction."""
    scaled = math.floor(value * 10**places + Fraction(1, 2))
    return f"{scaled // 10**places}.{scaled % 10**places:0{places}d}"


def _share(part: int, total: int) -> str:
    return _decimal(Fraction(part * 100, total), 2) if total else "0.00"


def check_table_invariants(text: str) -> dict[str, tuple[int, int]]:
    """Assert that the rendered rich report is self-consistent; return the layer rows by name."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "Input → Output" in line and "Mult-Adds" in line)
    rows = _block_after(lines, header)
    assert rows, "no layer rows"
    layers: dict[str, tuple[int, int]] = {}
    shares: list[tuple[int, str]] = []
    for line in rows:
        match = ROW.match(line)
        assert match, f"unparsable layer row: {line!r}"
        assert match["name"] not in layers, f"layer {match['name']} printed twice"
        layers[match["name"]] = (_int(match["mult_adds"]), _int(match["params"]))
        if match["share"]:
            shares.append((layers[match["name"]][0], match["share"]))
    # the footer: a blank line, then "Total  <mult-adds>  <params>"
    footer = [line for line in lines[header + 2 + len(rows):] if line.strip()][0]
    total = re.match(r"^\s*Total\s+([\d,]+)\s+([\d,]+)(?:\s+100\.00%)?\s*$", footer)
    assert total, f"no Total row: {footer!r}"
    total_mult_adds, total_params = _int(total[1]), _int(total[2])
    assert sum(ma for ma, _ in layers.values()) == total_mult_adds
    assert sum(p for _, p in layers.values()) == total_params
    summary = re.search(r"^Total: ([\d,]+) Mult-Adds \(\S+\), ([\d,]+) params \(\S+\)$", text, re.MULTILINE)
    assert summary, "no summary line"
    assert (_int(summary[1]), _int(summary[2])) == (total_mult_adds, total_params)
    for mult_adds, share in shares:
        assert share == _share(mult_adds, total_mult_adds)

    if "By kind" in text:
        kind_header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Kind") and "Layers" in line)
        kinds = [KIND_ROW.match(line) for line in _block_after(lines, kind_header)]
        assert kinds and all(kinds), "unparsable by-kind row"
        assert sum(_int(k["mult_adds"]) for k in kinds) == total_mult_adds  # type: ignore[index]
        assert sum(_int(k["params"]) for k in kinds) == total_params  # type: ignore[index]
        for kind in kinds:
            assert kind["ma_share"] == _share(_int(kind["mult_adds"]), total_mult_adds)  # type: ignore[index]
            assert kind["p_share"] == _share(_int(kind["params"]), total_params)  # type: ignore[index]
        counted = sum(1 for ma, p in layers.values() if ma or p)
        assert sum(int(k["layers"]) for k in kinds) == counted  # type: ignore[index]

    if "Depthwise + pointwise" in text:
        pair_header = next(i for i, line in enumerate(lines) if "Depthwise + pointwise" in line)
        pairs = [PAIR_ROW.match(line) for line in _block_after(lines, pair_header)]
        assert pairs and all(pairs), "unparsable pair row"
        twin_mult_adds, twin_params = total_mult_adds, total_params
        for pair in pairs:
            assert pair is not None
            dw, pw = layers[pair["dw"]], layers[pair["pw"]]
            d_k, m, n, h, w = (int(pair[key]) for key in ("d_k", "m", "n", "h", "w"))
            standard = d_k * d_k * m * n * h * w
            assert _int(pair["mult_adds"]) == dw[0] + pw[0]
            assert _int(pair["standard"]) == standard
            ratio = Fraction(dw[0] + pw[0], standard)
            assert (int(pair["num"]), int(pair["den"])) == (ratio.numerator, ratio.denominator)
            assert pair["dec"] == _decimal(ratio, 4)
            assert ratio == Fraction(1, n) + Fraction(1, d_k * d_k)  # the paper's 1/N + 1/D_K²
            twin_mult_adds += standard - dw[0] - pw[0]
            twin_params += d_k * d_k * m * n - dw[1] - pw[1]
        flat = " ".join(text.split())
        twin = re.search(rf"With standard convolutions for its {len(pairs)} separable pairs?: ([\d,]+) Mult-Adds "
                         r"\((\d+\.\d\d)×\), ([\d,]+) params \((\d+\.\d\d)×\)", flat)
        assert twin, "no standard-convolution twin line"
        assert _int(twin[1]) == twin_mult_adds
        assert _int(twin[3]) == twin_params
        assert twin[2] == _decimal(Fraction(twin_mult_adds, total_mult_adds), 2)
        assert twin[4] == _decimal(Fraction(twin_params, total_params), 2)
    return layers


def _markdown_tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.endswith(" |") or line.endswith("|"), line
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            if current is None:
                current = []
                tables.append(current)
            if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                current.append(cells)
        else:
            current = None
    return tables


def check_markdown_invariants(text: str) -> None:
    tables = _markdown_tables(text)
    layers_table = tables[0]
    header, rows, total = layers_table[0], layers_table[1:-1], layers_table[-1]
    assert header == ["#", "Layer", "Kind", "Filter", "Stride", "Input → Output", "Mult-Adds", "Params", "Share"]
    assert all(len(row) == len(header) for row in layers_table)
    assert total[1] == "**Total**"
    total_mult_adds = _int(total[6].strip("*"))
    total_params = _int(total[7].strip("*"))
    assert sum(_int(row[6]) for row in rows) == total_mult_adds
    assert sum(_int(row[7]) for row in rows) == total_params
    for row in rows:
        assert row[8] == _share(_int(row[6]), total_mult_adds) + "%"
    indexes = [int(row[0]) for row in rows]
    assert indexes == sorted(set(indexes)), "row numbers out of order or repeated"
    if "**By kind**" in text:
        kinds = tables[1]
        assert kinds[0] == ["Kind", "Layers", "Mult-Adds", "%", "Params", "%"]
        assert sum(_int(row[2]) for row in kinds[1:]) == total_mult_adds
        assert sum(_int(row[4]) for row in kinds[1:]) == total_params
        counted = sum(1 for row in rows if _int(row[6]) or _int(row[7]))
        assert sum(int(row[1]) for row in kinds[1:]) == counted


@pytest.mark.parametrize("name", TABLES)
def test_table_rows_add_up_to_totals(name: str) -> None:
    check_table_invariants(TABLES[name]())


@pytest.mark.parametrize("name", MARKDOWN)
def test_markdown_rows_add_up_to_totals(name: str) -> None:
    check_markdown_invariants(MARKDOWN[name]())


# --- what the snapshots must show, independently of the golden files -----------------------------------


def test_table_shows_the_papers_totals() -> None:
    layers = check_table_invariants(table_text(make_report()))
    assert sum(ma for ma, _ in layers.values()) == TOTAL_MULT_ADDS
    assert sum(p for _, p in layers.values()) == TOTAL_PARAMS
    assert len(layers) == 29  # conv_1, 13 × (dw, pw), the global pool (shape changes), fc_1


def test_narrow_table_drops_columns_but_keeps_every_layer_and_number() -> None:
    wide, narrow = table_text(make_report(), 132), table_text(make_report(), 100)
    assert max(len(line) for line in narrow.splitlines()) <= 100
    assert max(len(line) for line in wide.splitlines()) <= 132
    narrow_header = next(line for line in narrow.splitlines() if "Input → Output" in line)
    wide_header = next(line for line in wide.splitlines() if "Input → Output" in line)
    assert "Kind" in wide_header and "Share" in wide_header
    assert "Kind" not in narrow_header
    assert "Hidden to fit 100 columns: bar, Kind, # (" in narrow  # which, said in one line (issue 18)
    assert check_table_invariants(wide) == check_table_invariants(narrow)
    assert "…" not in narrow, "a cell was truncated at width 100"


def test_all_layers_lists_every_layer_in_order() -> None:
    report = make_report()
    text = table_text(report, all_layers=True)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "Input → Output" in line)
    indexes = [int(ROW.match(line)["index"]) for line in _block_after(lines, header)]  # type: ignore[index]
    assert indexes == list(range(1, len(report.evaluation.layers) + 1))
    assert "without cost are hidden" not in text
    assert "54 without cost are hidden (27 batch_norm, 27 activation): --all-layers" in " ".join(
        table_text(report).split())
    check_table_invariants(text)


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _closed_form(text: str, what: str) -> sympy.Expr:
    """The printed closed form (Unicode, ``ρ²·(a·α² + b·α)``, or sympy syntax) read back by sympy."""
    match = re.search(rf"^\s+{what}\s+= (.+)$", text, re.MULTILINE)
    assert match, f"no closed form for {what}"
    plain = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda power: "**" + power[0].translate(_SUPERSCRIPTS), match[1])
    plain = plain.replace("·", "*").replace("α", "alpha").replace("ρ", "rho")
    alpha, rho = sympy.symbols("alpha rho", positive=True)
    return sympy.sympify(plain, locals={"alpha": alpha, "rho": rho})  # our own output, not spec text


def test_symbolic_closed_form_equals_exact_count_at_alpha_1() -> None:
    text = table_text(make_report(symbolic=True))
    alpha, rho = sympy.symbols("alpha rho", positive=True)
    at_one = {alpha: 1, rho: 1}
    assert _closed_form(text, "Mult-Adds").subs(at_one) == TOTAL_MULT_ADDS
    assert _closed_form(text, "params").subs(at_one) == TOTAL_PARAMS
    assert "the closed form equals the exact count" in text


def test_symbolic_at_alpha_03_says_the_exact_count_differs_from_the_closed_form() -> None:
    report = make_report(alpha=Fraction(3, 10), symbolic=True)
    text = table_text(report)
    flat = " ".join(text.split())
    alpha, rho = sympy.symbols("alpha rho", positive=True)
    at = {alpha: sympy.Rational(3, 10), rho: 1}
    ideal_mult_adds = _closed_form(text, "Mult-Adds").subs(at)
    ideal_params = _closed_form(text, "params").subs(at)
    assert ideal_mult_adds == sympy.Rational(1433217792, 25)
    assert f"the closed form gives {ideal_mult_adds} (≈ 57,328,712) Mult-Adds and {ideal_params} (≈ 603,414) params" in flat
    assert "The exact count differs" in flat
    assert report.evaluation.mult_adds != ideal_mult_adds
    assert "equals the exact count" not in flat
    layers = check_table_invariants(text)
    assert sum(ma for ma, _ in layers.values()) == report.evaluation.mult_adds


def test_csv_snapshot_columns_add_up() -> None:
    lines = to_csv(make_report()).splitlines()
    assert lines[0] == ("name,kind,group,filter,stride,input_shape,output_shape,mult_adds,params,path,"
                        "activation_bytes,weight_bytes,alive_bytes,non_trainable_params,buffers")
    rows = [line.split(",") for line in lines[1:]]
    assert sum(int(row[7]) for row in rows) == TOTAL_MULT_ADDS
    assert sum(int(row[8]) for row in rows) == TOTAL_PARAMS
    assert sum(int(row[11]) for row in rows) == 4 * TOTAL_PARAMS  # fp32 weights


def test_formula_text_states_the_papers_ratio() -> None:
    text = formula.to_text(derive())
    assert "\n    1/N + 1/D_K²\n" in text
    assert r"\frac{1}{N} + \frac{1}{D_{K}^{2}}" in formula.to_latex(derive())


BAR = re.compile(r"(?P<mult_adds>[\d,]+)\s+[\d,]+\s+\d+\.\d\d%\s+(?P<bar>[█▉▊▋▌▍▎▏]*)\s*$")
EIGHTHS = {"": 0, **{block: eighths for eighths, block in enumerate(" ▏▎▍▌▋▊▉█") if eighths}}


def _bar_eighths(bar: str) -> int:
    return sum(EIGHTHS[block] for block in bar)


@pytest.mark.parametrize("name", [name for name in TABLES if "w100" not in name])
def test_bars_are_whole_and_ordered_like_the_counts(name: str) -> None:
    """The bar column is scaled to the largest layer: that layer gets the full bar, none is cropped, and a
    layer with more Mult-Adds never gets a shorter bar."""
    text = TABLES[name]()
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "Input → Output" in line)
    if "Hidden to fit 132 columns: bar" in text:  # too wide for 132 columns: the bar is left out, not cropped
        assert all(len(line) <= 132 for line in lines)
        assert not any(BAR.search(line)["bar"] for line in _block_after(lines, header))  # type: ignore[index]
        return
    bars = []
    for line in _block_after(lines, header):
        match = BAR.search(line)
        assert match, f"no bar cell: {line!r}"
        bars.append((_int(match["mult_adds"]), match["bar"]))
    largest = max(mult_adds for mult_adds, _ in bars)
    assert all(bar == "█" * BAR_WIDTH for mult_adds, bar in bars if mult_adds == largest), bars
    ordered = sorted(bars, key=lambda item: item[0])
    lengths = [_bar_eighths(bar) for _, bar in ordered]
    assert lengths == sorted(lengths)


def test_names_from_the_spec_are_printed_literally_not_as_markup(tmp_path) -> None:
    spec = tmp_path / "markup.yaml"
    spec.write_text("name: '[bold]net[/bold]'\ndescription: 'uses [red]colour[/red] | pipes'\n"
                    "input: {channels: 3, size: 32}\nlayers:\n"
                    "  - separable: {kernel: 3, filters: 8, name: '[dw]'}\n  - conv: {kernel: 1, filters: 4, name: 'a|b'}\n",
                    encoding="utf-8")
    report = build_report(evaluate(load_spec(str(spec))))
    text = table_text(report)
    assert text.startswith("[bold]net[/bold] — uses [red]colour[/red] | pipes\n")
    assert "[dw]_dw" in text and "[dw]_pw" in text and "[dw]_dw + [dw]_pw" in text
    markdown = to_markdown(report)
    assert "`[dw]_dw`" in markdown and "`a\\|b`" in markdown
    check_markdown_invariants(markdown)
    check_table_invariants(text)
