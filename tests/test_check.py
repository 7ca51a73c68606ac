"""``costcalc check`` and ``costcalc snapshot`` (issue 5): budgets on the command line and in a budgets file,
baselines and the growth they allow, the four output formats, the GitHub job summary, and the exit codes
(0 every budget holds, 1 one is exceeded, 2 bad usage, spec, budgets file or baseline).

Every test runs in its own empty folder (``tmp_path``): ``costcalc check`` without a SPEC reads
./costcalc.yaml, and the repository's root has one.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from cli_helpers import TINY_SPEC, bad_usage, ok, run
from click.testing import Result

ROOT = Path(__file__).resolve().parent.parent
TOTAL_MULT_ADDS = 568_740_352  # MobileNet-224, alpha 1 (Table 8: 569 million)
TOTAL_PARAMS = 4_209_088
ALPHA_1_1_MULT_ADDS = 682_540_727  # the same network at alpha 1.1
GROWTH = ALPHA_1_1_MULT_ADDS - TOTAL_MULT_ADDS  # 113,800,375: +20.01%
ALPHA_1_1_PARAMS = 4_971_017
ERROR_LINE = re.compile(r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),title=(?P<title>[^:]+)"
                        r"::(?P<message>.+)$", re.MULTILINE)



@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test in an empty current folder: never the repository's own costcalc.yaml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def check(*args: str) -> Result:
    result = run("check", *args)
    assert "Traceback" not in result.output + result.stderr
    return result


def failed(*args: str) -> str:
    """Run a check that must fail a budget: exit 1, the report on stdout, nothing on stderr."""
    result = check(*args)
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout


def write(path: Path | str, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column where ``needle`` first occurs in ``text``."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_json(*args: str, exit_code: int = 0) -> dict:
    result = check(*args, "--format", "json")
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


# --- budgets on the command line (the acceptance of issue 5) -------------------------------------------------------


def test_within_budget_exits_0() -> None:
    out = ok("check", "mobilenet_v1", "--max-mult-adds", "600M", "--max-params", "5M")
    lines = out.splitlines()
    assert len(lines) == 3
    assert re.search(r"Mult-Adds\s+568,740,352\s+limit 600,000,000\s+headroom 31\.3 M \(5\.2%\)\s+ok$", lines[0])
    assert re.search(r"params\s+4,209,088\s+limit\s+5,000,000\s+headroom 790\.9 K \(15\.8%\)\s+ok$", lines[1])
    assert lines[0].startswith("mobilenet_v1 (alpha 1, 224 px, paper)")
    assert lines[2] == "✓ all 2 checks pass"


def test_over_budget_exits_1_and_says_by_how_much() -> None:
    out = failed("mobilenet_v1", "--max-mult-adds", "500M")
    assert "over by 68.7 M (13.7%)" in out
    assert re.search(r"Mult-Adds\s+568,740,352\s+limit 500,000,000\s+over by 68\.7 M \(13\.7%\)\s+FAIL$",
                     out.splitlines()[0])
    assert out.splitlines()[-1] == "✗ 1 of 1 check failed"


def test_params_over_budget() -> None:
    out = failed("mobilenet_v1", "--max-mult-adds", "600M", "--max-params", "4M")
    assert "over by 209.1 K (5.2%)  FAIL" in out  # 4,209,088 - 4,000,000 = 209,088
    assert "headroom 31.3 M (5.2%)" in out
    assert out.splitlines()[-1] == "✗ 1 of 2 checks failed"


def test_the_default_spec_is_mobilenet_v1() -> None:
    assert "over by 68.7 M (13.7%)" in failed("--max-mult-adds", "500M")


def test_a_budget_exactly_met_passes() -> None:
    assert "headroom 0 (0.0%)" in ok("check", "--max-mult-adds", str(TOTAL_MULT_ADDS))
    assert "over by 1 (<0.1%)" in failed("--max-mult-adds", str(TOTAL_MULT_ADDS - 1))


def test_nothing_to_check_is_bad_usage() -> None:
    assert "nothing to check" in bad_usage("check", "mobilenet_v1")


@pytest.mark.parametrize("args", [["--max-mult-adds", "lots"], ["--max-increase", "abc"],
                                  ["--alpha", "zero"], ["--format", "yaml"]])
def test_bad_options_are_bad_usage(args: list[str]) -> None:
    bad_usage("check", "mobilenet_v1", "--max-params", "5M", *args)


def test_a_missing_spec_is_bad_usage() -> None:
    assert "no_such_net: error[E100]: no bundled spec is named 'no_such_net'" in bad_usage("check", "no_such_net",
                                                                                          "--max-params", "5M")
    assert "net.yaml: error[E100]: no such spec file" in bad_usage("check", "net.yaml", "--max-params", "5M")


# --- GitHub annotations ---------------------------------------------------------------------------------------------


def test_github_format_prints_an_error_line_for_the_spec(tmp_path: Path) -> None:
    write("net.yaml", TINY_SPEC)
    out = failed("net.yaml", "--max-mult-adds", "100K", "--format", "github")
    errors = ERROR_LINE.findall(out)
    assert len(errors) == 1
    match = ERROR_LINE.search(out)
    assert match is not None
    assert (match["file"], match["line"], match["col"]) == ("net.yaml", "1", "1")
    assert match["title"] == "costcalc%3A tiny_net Mult-Adds"  # ':' escaped in a property
    assert "exceeds the budget 100,000" in match["message"]
    assert "%25)" in match["message"] and "%)" not in match["message"]  # '%' escaped in the message
    assert out.splitlines()[-1] == "✗ 1 of 1 check failed"  # then the text report


def test_github_format_for_a_bundled_spec() -> None:
    out = failed("mobilenet_v1", "--max-mult-adds", "500M", "--format", "github")
    match = ERROR_LINE.search(out)
    assert match is not None, out
    assert match["file"].endswith("mobilenet_v1.yaml")
    assert "over by 68.7 M (13.7%25)" in match["message"]


def test_github_format_passing_has_no_error_line() -> None:
    out = ok("check", "mobilenet_v1", "--max-mult-adds", "600M", "--format", "github")
    assert "::error" not in out
    assert out.splitlines()[-1] == "✓ the check passes"


def test_github_format_points_at_the_budget_line_in_the_budgets_file() -> None:
    text = ("# budgets\n"
            "checks:\n"
            "  - spec: mobilenet_v1\n"
            "    max_params: 5M\n"
            "    max_mult_adds:   500M\n"
            "    message: the phone budget\n")
    write("costcalc.yaml", text)
    out = failed("--format", "github")
    matches = list(ERROR_LINE.finditer(out))
    assert len(matches) == 1, out
    line, column = position(text, "500M")  # the limit that failed: line 5, column 22
    assert (matches[0]["file"], int(matches[0]["line"]), int(matches[0]["col"])) == ("costcalc.yaml", line, column)
    assert matches[0]["line"] == "5"
    assert matches[0]["message"].endswith("over by 68.7 M (13.7%25) — the phone budget")


def test_github_growth_annotation_points_at_max_increase(tmp_path: Path) -> None:
    ok("report", "--format", "json", "-o", "base.json")
    text = "checks:\n  - spec: mobilenet_v1\n    max_increase: 1%\n"
    write("costcalc.yaml", text)
    out = failed("--alpha", "1.1", "--baseline", "base.json", "--format", "github")
    matches = list(ERROR_LINE.finditer(out))
    assert [(m["file"], m["line"], m["col"]) for m in matches] == [("costcalc.yaml", "3", "19")] * 2
    assert "Mult-Adds grew +113,800,375 (+20.01%25) since the baseline (its alpha 1, 224 px), allowed +1.00%25" in matches[0]["message"]


def test_github_step_summary_gets_the_markdown_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = write(tmp_path / "summary.md", "# an earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = failed("mobilenet_v1", "--max-mult-adds", "500M", "--format", "github")
    assert "::error" in out
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    markdown = failed("mobilenet_v1", "--max-mult-adds", "500M", "--format", "markdown")
    assert summary.read_text(encoding="utf-8") == "# an earlier step\n" + markdown
    assert "### costcalc budget check: ✗ 1 of 1 check failed" in markdown


def test_github_step_summary_is_appended_to_on_every_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    ok("check", "mobilenet_v1", "--max-mult-adds", "600M", "--format", "github")
    ok("check", "mobilenet_v1", "--max-mult-adds", "600M", "--format", "github")
    assert summary.read_text(encoding="utf-8").count("### costcalc budget check: ✓ the check passes") == 2


@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_only_the_github_format_writes_the_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        output_format: str) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    ok("check", "mobilenet_v1", "--max-mult-adds", "600M", "--format", output_format)
    assert not summary.exists()


# --- baselines --------------------------------------------------------------------------------------------------------


@pytest.fixture
def base_json(tmp_path: Path) -> Path:
    """The baseline of MobileNet at alpha 1.0, written by `report --format json -o base.json`."""
    assert ok("report", "--alpha", "1.0", "--format", "json", "-o", "base.json") == ""
    return tmp_path / "base.json"


def test_growth_past_max_increase_exits_1(base_json: Path) -> None:
    out = failed("--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%")
    assert "+113,800,375 (+20.01%) since the baseline (its alpha 1, 224 px), allowed +1.00%" in out
    assert "+761,929 (+18.10%) since the baseline (its alpha 1, 224 px), allowed +1.00%" in out
    assert "mobilenet_v1 (alpha 1.1, 224 px, paper)" in out
    assert "changed layers: conv_pw_7 +10,745,700" in out
    assert out.count("FAIL") == 2
    assert out.splitlines()[-1] == "✗ 2 of 2 checks failed"


def test_no_growth_exits_0(base_json: Path) -> None:
    out = ok("check", "--alpha", "1.0", "--baseline", "base.json", "--max-increase", "1%")
    assert out.count("+0 (+0.00%) since the baseline, allowed +1.00%") == 2
    assert "changed layers" not in out
    assert out.splitlines()[-1] == "✓ all 2 checks pass"


def test_a_number_is_a_percentage(base_json: Path) -> None:
    assert "allowed +25.00%" in ok("check", "--alpha", "1.1", "--baseline", "base.json", "--max-increase", "25")
    assert "allowed +0.50%" in failed("--alpha", "1.1", "--baseline", "base.json", "--max-increase", "0.5%")


def test_shrinking_is_never_growth(base_json: Path) -> None:
    out = ok("check", "--alpha", "0.5", "--baseline", "base.json", "--max-increase", "0%")
    assert "-419,243,264 (-73.71%) since the baseline" in out


def test_min_delta_larger_than_the_growth_passes(base_json: Path) -> None:
    out = ok("check", "--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%", "--min-delta", "200M")
    assert "(changes under 200,000,000 ignored)" in out
    assert out.splitlines()[-1] == "✓ all 2 checks pass"


def test_min_delta_is_a_strict_bound(base_json: Path) -> None:
    """Changes *under* --min-delta are ignored: a growth of exactly --min-delta still counts."""
    args = ("--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%")
    out = failed(*args, "--min-delta", str(GROWTH))
    assert out.splitlines()[-1] == "✗ 1 of 2 checks failed"  # the params grew by less: ignored
    ok("check", *args, "--min-delta", str(GROWTH + 1))


def test_limits_and_growth_together(base_json: Path) -> None:
    out = failed("--alpha", "1.1", "--baseline", "base.json", "--max-increase", "50%", "--max-mult-adds", "600M")
    assert "over by 82.5 M (13.8%)  FAIL" in out
    assert out.splitlines()[-1] == "✗ 1 of 2 checks failed"


def test_report_only_exits_0_but_still_reports_the_failure(base_json: Path) -> None:
    out = ok("check", "--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%", "--report-only")
    assert out.count("FAIL") == 2
    assert out.splitlines()[-1] == "✗ 2 of 2 checks failed"
    out = ok("check", "mobilenet_v1", "--max-mult-adds", "500M", "--report-only", "--format", "github")
    assert "::error" in out and "FAIL" in out


def test_report_only_does_not_hide_bad_input() -> None:
    bad_usage("check", "no_such_net", "--max-params", "5M", "--report-only")
    write("costcalc.yaml", "checks: []\n")
    bad_usage("check", "--report-only")


def test_json_has_every_check_with_exact_counts(base_json: Path) -> None:
    data = check_json("--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%", "--max-params", "5M",
                      exit_code=1)
    assert data["ok"] is False
    assert [entry["metric"] for entry in data["checks"]] == ["mult_adds", "params"]
    for entry in data["checks"]:
        for key in ("spec", "alpha", "resolution", "metric", "value", "limit", "baseline", "delta", "ok",
                    "layers_changed"):
            assert key in entry, key
        assert entry["spec"] == "mobilenet_v1"
        assert entry["alpha"] == 1.1 and entry["resolution"] == 224
        assert type(entry["value"]) is int and type(entry["baseline"]) is int and type(entry["delta"]) is int
        assert entry["delta"] == entry["value"] - entry["baseline"]
        assert entry["ok"] is False
        assert entry["layers_changed"]
        for change in entry["layers_changed"]:
            assert type(change["delta"]) is int and change["delta"] == change["value"] - change["baseline"]
    mult_adds, params = data["checks"]
    assert (mult_adds["value"], mult_adds["baseline"], mult_adds["delta"]) == (ALPHA_1_1_MULT_ADDS, TOTAL_MULT_ADDS,
                                                                               GROWTH)
    assert mult_adds["limit"] is None
    assert (params["value"], params["limit"], params["baseline"]) == (ALPHA_1_1_PARAMS, 5_000_000, TOTAL_PARAMS)
    assert sum(change["delta"] for change in mult_adds["layers_changed"]) == GROWTH  # per layer adds up to the total


def test_json_without_a_baseline() -> None:
    data = check_json("mobilenet_v1", "--max-mult-adds", "600M", "--max-params", "5M")
    assert data["ok"] is True
    assert [(entry["metric"], entry["value"], entry["limit"], entry["baseline"], entry["delta"], entry["ok"])
            for entry in data["checks"]] == [("mult_adds", TOTAL_MULT_ADDS, 600_000_000, None, None, True),
                                             ("params", TOTAL_PARAMS, 5_000_000, None, None, True)]
    assert all(entry["layers_changed"] == [] for entry in data["checks"])


def test_markdown_has_the_table_and_the_baseline_columns(base_json: Path) -> None:
    out = failed("--alpha", "1.1", "--baseline", "base.json", "--max-increase", "1%", "--max-mult-adds", "600M",
                 "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == "### costcalc budget check: ✗ 2 of 2 checks failed"
    assert lines[2] == "|  | Network | α | Resolution | Metric | Value | Budget | Headroom | Baseline | Δ |"
    assert lines[3].count("|") == lines[2].count("|")
    assert lines[4] == ("| ❌ | `mobilenet_v1` | 1.1 | 224 | Mult-Adds | 682,540,727 | 600,000,000 | "
                        "over by 82.5 M (13.8%) | 568,740,352 | +113,800,375 (+20.01%) |")
    assert lines[5] == "| ❌ | `mobilenet_v1` | 1.1 | 224 | params | 4,971,017 | — | — | 4,209,088 | +761,929 (+18.10%) |"
    assert "<summary>Layers that changed since the baseline</summary>" in out


def test_markdown_without_a_baseline_has_no_baseline_columns() -> None:
    out = ok("check", "mobilenet_v1", "--max-mult-adds", "600M", "--format", "markdown")
    assert "| Baseline |" not in out and "Δ" not in out
    assert "| ✅ | `mobilenet_v1` | 1 | 224 | Mult-Adds | 568,740,352 | 600,000,000 | headroom 31.3 M (5.2%) |" in out


def test_a_baseline_that_is_not_json_is_bad_input(tmp_path: Path) -> None:
    write("base.json", '{"name": "mobilenet_v1",\n  oops\n}\n')
    err = bad_usage("check", "--baseline", "base.json", "--max-increase", "1%")
    assert err == "base.json:2:3: error[E510]: the baseline is not valid JSON: Expecting property name enclosed in double " \
                  "quotes\n"


def test_a_missing_baseline_is_bad_input_with_a_hint() -> None:
    err = bad_usage("check", "--baseline", "missing.json", "--max-increase", "1%")
    assert err.startswith("missing.json: error[E510]: no such baseline file")
    assert "costcalc snapshot" in err and "costcalc report --format json -o FILE" in err


@pytest.mark.parametrize("content", [
    "[]",
    '{"costcalc_baseline": 1}',
    '{"costcalc_baseline": 1, "reports": [42]}',
    '{"name": "mobilenet_v1"}',
    ('{"name": "mobilenet_v1", "totals": {"mult_adds": 1.5, "params": 2}, "layers": [], "resolution": 224, '
     '"convention": "paper"}'),
    ('{"name": "mobilenet_v1", "totals": {"mult_adds": 1, "params": 2}, "layers": [], "resolution": 224, '
     '"convention": "paper", "alpha": "wide"}'),
], ids=["array", "bundle-without-reports", "bundle-report-not-object", "missing-keys", "float-total", "bad-alpha"])
def test_a_baseline_that_is_not_a_report_is_bad_input(content: str) -> None:
    write("base.json", content)
    assert bad_usage("check", "--baseline", "base.json", "--max-increase", "1%").startswith("base.json")


@pytest.mark.parametrize("resolution", ['"abc"', "null", "[224]"])
def test_a_baseline_with_a_bad_resolution_is_bad_input(resolution: str) -> None:
    """A hand-edited or corrupted baseline is bad input (exit 2), not a bug in costcalc (exit 3)."""
    write("base.json", '{"name": "mobilenet_v1", "totals": {"mult_adds": 1, "params": 2}, "layers": [], '
                       f'"resolution": {resolution}, "convention": "paper"}}')
    err = bad_usage("check", "--baseline", "base.json", "--max-increase", "1%")
    assert err.startswith("base.json")
    assert "internal error" not in err


# --- the budgets file -------------------------------------------------------------------------------------------------


def test_budgets_file_in_the_current_folder() -> None:
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 600M\n")
    assert ok("check").splitlines()[-1] == "✓ the check passes"
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 500M\n")
    assert "over by 68.7 M (13.7%)" in failed()


def test_budgets_file_configurations_are_every_combination() -> None:
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    alpha: [1, 0.75]\n    resolution: [224, 160]\n"
                           "    max_mult_adds: 569M\n")
    data = check_json()
    assert [(entry["alpha"], entry["resolution"]) for entry in data["checks"]] == [
        (1.0, 224), (1.0, 160), (0.75, 224), (0.75, 160)]
    assert data["checks"][0]["value"] == TOTAL_MULT_ADDS


def test_budgets_file_message_is_shown_with_a_failure() -> None:
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 500M\n    message: ask the phone team\n")
    out = failed()
    assert "\n    ask the phone team\n" in out


def test_command_line_limits_override_the_budgets_file() -> None:
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 500M\n")
    assert "limit 600,000,000" in ok("check", "--config", "costcalc.yaml", "--max-mult-adds", "600M")


def test_a_spec_argument_selects_checks_of_the_budgets_file() -> None:
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 500M\n"
                           "  - spec: mobilenet_v1_shallow\n    max_mult_adds: 400M\n")
    out = ok("check", "--config", "costcalc.yaml", "mobilenet_v1_shallow")
    assert "mobilenet_v1 " not in out and "mobilenet_v1_shallow" in out
    assert "no check of costcalc.yaml is for mobilenet_v1_conv" in bad_usage(
        "check", "--config", "costcalc.yaml", "mobilenet_v1_conv")


def test_a_missing_budgets_file_is_bad_input() -> None:
    assert bad_usage("check", "--config", "nope.yaml") == "nope.yaml: error[E504]: no such budgets file\n"


def test_relative_spec_paths_are_relative_to_the_budgets_file(tmp_path: Path) -> None:
    write("ci/nets/net.yaml", TINY_SPEC)
    write("nets/net.yaml", TINY_SPEC.replace("name: tiny_net", "name: decoy_net"))  # the cwd's: must not be read
    write("ci/costcalc.yaml", "checks:\n  - spec: nets/net.yaml\n    max_params: 10K\n")
    out = ok("check", "--config", "ci/costcalc.yaml")
    assert out.startswith("tiny_net (alpha 1, 32 px, paper)")
    assert "decoy_net" not in out
    # and a spec that is not there is reported at its path from the budgets file's folder
    write("ci/costcalc.yaml", "checks:\n  - spec: nets/missing.yaml\n    max_params: 10K\n")
    assert "ci/nets/missing.yaml" in bad_usage("check", "--config", "ci/costcalc.yaml")


def test_the_repository_costcalc_yaml_passes() -> None:
    """The project's own budgets (dogfooded by .ci/run): the bundled specs meet them."""
    out = ok("check", "--config", str(ROOT / "costcalc.yaml"))
    assert "FAIL" not in out
    assert re.fullmatch(r"✓ all \d+ checks pass", out.splitlines()[-1])
    for name in ("mobilenet_v1 ", "mobilenet_v1_conv ", "mobilenet_v1_shallow "):
        assert name in out


@pytest.mark.skipif(sys.version_info < (3, 11), reason="[tool.costcalc] is read with tomllib (Python 3.11+); "
                                                       "on 3.10 the budgets must be in costcalc.yaml")
def test_pyproject_tool_costcalc_is_found_without_costcalc_yaml() -> None:
    write("pyproject.toml", '[project]\nname = "x"\n\n[tool.costcalc]\n\n[[tool.costcalc.checks]]\n'
                            'spec = "mobilenet_v1"\nmax_mult_adds = "500M"\nmax_params = 5000000\n')
    out = failed("--format", "github")
    assert "over by 68.7 M (13.7%)" in out
    match = ERROR_LINE.search(out)
    assert match is not None and (match["file"], match["line"]) == ("pyproject.toml", "4")  # the table's header
    # costcalc.yaml, when there is one, comes first
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 600M\n")
    ok("check")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="[tool.costcalc] is read with tomllib (Python 3.11+)")
def test_pyproject_problems_are_reported() -> None:
    write("pyproject.toml", '[tool.costcalc]\n[[tool.costcalc.checks]]\nspec = "mobilenet_v1"\nmax_mult_add = "5M"\n')
    err = bad_usage("check")
    assert err.startswith("pyproject.toml:1:1: error[E500]: check 'mobilenet_v1': unknown key 'max_mult_add' "
                          "(did you mean 'max_mult_adds'?)")


def test_a_pyproject_without_tool_costcalc_is_not_a_budgets_file() -> None:
    write("pyproject.toml", '[project]\nname = "x"\n')
    assert "nothing to check" in bad_usage("check")


MALFORMED = """\
baseline: 3
chekcs: []
checks:
  - spec: mobilenet_v1
    max_mult_add: 600M
    max_params: lots
    max_increase: abc%
  - spec: mobilenet_v1_shallow
  - 42
  - spec: mobilenet_v1
    alpha: []
    resolution: -3
    convention: papper
    min_delta: -5
    max_params: 5M
"""


def test_a_malformed_budgets_file_reports_every_problem_at_its_line_and_column() -> None:
    write("costcalc.yaml", MALFORMED)
    err = bad_usage("check")
    assert err.splitlines() == [
        "costcalc.yaml:1:11: error[E501]: 'baseline' must be a file name, got 3",
        "costcalc.yaml:2:1: error[E500]: unknown key 'chekcs' (did you mean 'checks'?); expected one of: checks, baseline",
        ("costcalc.yaml:5:5: error[E500]: check 'mobilenet_v1': unknown key 'max_mult_add' (did you mean 'max_mult_adds'?); "
         "expected one of: spec, alpha, resolution, depth_multiplier, width_rule, convention, max_mult_adds, max_params, max_increase, min_delta, "
         "max_latency, max_peak_memory, device, dtype, message, require_calibrated"),
        ("costcalc.yaml:6:17: error[E501]: check 'mobilenet_v1': 'max_params': 'lots' is not a count (write 300M, 4.2e6, "
         "1.5G or 300000)"),
        ("costcalc.yaml:7:19: error[E501]: check 'mobilenet_v1': 'max_increase': expected a percentage like 1% or 0.5%, "
         "got 'abc%'"),
        ("costcalc.yaml:8:5: error[E502]: check 'mobilenet_v1_shallow': no limit: give max_mult_adds, max_params, "
         "max_increase, max_peak_memory or max_latency"),
        ("costcalc.yaml:9:5: error[E502]: checks[2]: a check is a mapping with 'spec' and limits, like "
         "{spec: mobilenet_v1, max_mult_adds: 600M}"),
        "costcalc.yaml:11:12: error[E501]: check 'mobilenet_v1': 'alpha': the list is empty",
        ("costcalc.yaml:12:17: error[E501]: check 'mobilenet_v1': 'resolution': expected a resolution in pixels "
         "(a whole number of at least 1), got -3"),
        ("costcalc.yaml:13:17: error[E501]: check 'mobilenet_v1': unknown convention 'papper' (did you mean 'paper'?); "
         "expected one of: paper, torchvision, fvcore, ptflops, thop, torchinfo, keras, or a convention file written "
         "as a path (./x, x.yaml)"),
        "costcalc.yaml:14:16: error[E501]: check 'mobilenet_v1': 'min_delta': a count cannot be negative, got -5",
    ]


def test_snapshot_refuses_a_malformed_budgets_file_too() -> None:
    write("costcalc.yaml", MALFORMED)
    assert bad_usage("snapshot", "-o", "base.json").startswith("costcalc.yaml:1:11: error[E501]:")
    assert not Path("base.json").exists()


@pytest.mark.parametrize(("content", "expected"), [
    ("checks: []\n", "costcalc.yaml:1:9: error[E502]: 'checks' must be a non-empty list of checks"),
    ("checks:\n", "costcalc.yaml:1:8: error[E502]: 'checks' must be a non-empty list of checks"),
    ("baseline: b.json\n", "costcalc.yaml:1:1: error[E502]: missing 'checks': the list of checks"),
    ("- spec: mobilenet_v1\n", "costcalc.yaml:1:1: error[E502]: a budgets file is a mapping with 'checks'"),
    ("just a string\n", "costcalc.yaml:1:1: error[E502]: a budgets file is a mapping with 'checks'"),
    ("", "costcalc.yaml:1:1: error[E502]: a budgets file is a mapping with 'checks'"),
    ("checks:\n  - max_params: 5M\n", "costcalc.yaml:2:5: error[E502]: checks[0]: missing 'spec'"),
    ("checks:\n  - spec: 7\n    max_params: 5M\n", "costcalc.yaml:2:11: error[E501]: check 'checks[0]': 'spec' must be"),
    ("checks:\n  - spec: mobilenet_v1\n    max_params: true\n",
     "costcalc.yaml:3:17: error[E501]: check 'mobilenet_v1': 'max_params': expected a count like 600M or 4200000, got true"),
    ("checks:\n  - spec: mobilenet_v1\n    max_params: 4200000.5\n",
     "costcalc.yaml:3:17: error[E501]: check 'mobilenet_v1': 'max_params': '4200000.5' is not a whole number"),
    ("checks:\n  - spec: mobilenet_v1\n    max_params: -5\n",
     "costcalc.yaml:3:17: error[E501]: check 'mobilenet_v1': 'max_params': a count cannot be negative, got -5"),
    ("checks:\n  - spec: mobilenet_v1\n    max_increase: -1%\n",
     "costcalc.yaml:3:19: error[E501]: check 'mobilenet_v1': 'max_increase': a growth limit cannot be negative, got '-1%'"),
    ("checks:\n  - spec: mobilenet_v1\n    max_increase: [1]\n",
     "costcalc.yaml:3:19: error[E501]: check 'mobilenet_v1': 'max_increase': expected one value, got a list of 1"),
    ("checks:\n  - spec: mobilenet_v1\n    alpha: [1, wide]\n    max_params: 5M\n",
     "costcalc.yaml:3:16: error[E501]: check 'mobilenet_v1': 'alpha': "),
    ("checks:\n  - spec: mobilenet_v1\n    resolution: 224.5\n    max_params: 5M\n",
     "costcalc.yaml:3:17: error[E501]: check 'mobilenet_v1': 'resolution': expected a resolution in pixels"),
    ("checks:\n  - spec: mobilenet_v1\n    max_params: 5M\n    message: [a]\n",
     "costcalc.yaml:4:14: error[E501]: check 'mobilenet_v1': 'message' must be a string"),
    ("checks:\n  - spec: mobilenet_v1\n    max_params: 5M\n    max_params: 6M\n",
     "costcalc.yaml:4:5: error[E104]: duplicate key 'max_params' (first at line 3)"),
])
def test_one_problem_of_the_budgets_file(content: str, expected: str) -> None:
    write("costcalc.yaml", content)
    err = bad_usage("check")
    assert err.startswith(expected), err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("content", ["checks: [\n  {spec: mobilenet_v1\n", "checks:\n  - spec: [\n", "a: b: c\n",
                                     "checks:\n\t- spec: mobilenet_v1\n"])
def test_invalid_yaml_in_the_budgets_file(content: str) -> None:
    write("costcalc.yaml", content)
    err = bad_usage("check")
    assert re.match(r"costcalc\.yaml:\d+:\d+: error\[E102\]: invalid YAML", err), err


def test_a_missing_baseline_named_by_the_budgets_file_is_bad_input() -> None:
    write("costcalc.yaml", "baseline: base.json\nchecks:\n  - spec: mobilenet_v1\n    max_increase: 1%\n")
    err = bad_usage("check")
    assert err.startswith("base.json: error[E510]: no such baseline file")


# --- snapshot ---------------------------------------------------------------------------------------------------------


BUNDLE_BUDGETS = """\
baseline: baseline.json
checks:
  - spec: nets/net.yaml
    alpha: [1, 0.5]
    max_params: 10K
    max_increase: 1%
  - spec: mobilenet_v1
    alpha: [1, 0.75]
    resolution: [224, 160]
    max_mult_adds: 600M
"""


def test_snapshot_writes_one_report_per_check_and_configuration(tmp_path: Path) -> None:
    write("ci/nets/net.yaml", TINY_SPEC)
    write("ci/costcalc.yaml", BUNDLE_BUDGETS)
    result = run("snapshot", "--config", "ci/costcalc.yaml")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr == "wrote ci/baseline.json: 6 reports\n"  # next to the budgets file
    assert sorted(path.name for path in (tmp_path / "ci").iterdir()) == ["baseline.json", "costcalc.yaml", "nets"]
    data = json.loads((tmp_path / "ci" / "baseline.json").read_text(encoding="utf-8"))
    assert data["costcalc_baseline"] == 1
    assert [(report["name"], report["alpha_exact"], report["resolution"]) for report in data["reports"]] == [
        ("tiny_net", "1", 32), ("tiny_net", "0.5", 32),
        ("mobilenet_v1", "1", 224), ("mobilenet_v1", "1", 160), ("mobilenet_v1", "0.75", 224),
        ("mobilenet_v1", "0.75", 160)]
    assert data["reports"][2]["totals"] == {"mult_adds": TOTAL_MULT_ADDS, "params": TOTAL_PARAMS,
                                            "weight_bytes": 4 * TOTAL_PARAMS, "peak_activation_bytes": 4_816_896}


def test_snapshot_to_a_file_replaces_it_atomically(tmp_path: Path) -> None:
    write("nets/net.yaml", TINY_SPEC)
    write("costcalc.yaml", BUNDLE_BUDGETS)
    write("other.json", "old")
    result = run("snapshot", "-o", "other.json")
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(Path("other.json").read_text(encoding="utf-8"))["costcalc_baseline"] == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["costcalc.yaml", "nets", "other.json"]  # no temp file


def test_check_against_a_snapshot_matches_each_configuration_to_its_own_baseline() -> None:
    write("nets/net.yaml", TINY_SPEC)
    write("costcalc.yaml", BUNDLE_BUDGETS)
    run("snapshot")
    data = check_json()  # the budgets file names the baseline
    assert len(data["checks"]) == 12  # 6 configurations x 2 metrics
    assert all(entry["baseline"] == entry["value"] and entry["delta"] == 0 for entry in data["checks"])
    assert all(entry["layers_changed"] == [] for entry in data["checks"])
    # then the spec grows: every configuration of it fails against its own baseline
    write("nets/net.yaml", TINY_SPEC.replace("filters: 64, stride: 2", "filters: 96, stride: 2"))
    data = check_json(exit_code=1)
    tiny = [entry for entry in data["checks"] if entry["name"] == "tiny_net"]
    assert [(entry["alpha_exact"], entry["metric"], entry["delta"], entry["ok"]) for entry in tiny] == [
        ("1", "mult_adds", 65_856, False), ("1", "params", 1_344, False),
        ("0.5", "mult_adds", 16_544, False), ("0.5", "params", 416, False)]
    assert all(entry["delta"] == 0 for entry in data["checks"] if entry["name"] == "mobilenet_v1")


def test_snapshot_without_a_budgets_file_or_a_target_is_bad_usage() -> None:
    assert "no budgets file" in bad_usage("snapshot")
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_params: 5M\n")
    assert "where to?" in bad_usage("snapshot")
    assert bad_usage("snapshot", "--config", "nope.yaml") == "nope.yaml: error[E504]: no such budgets file\n"



def test_max_increase_without_a_baseline_is_bad_usage() -> None:
    assert "--max-increase needs a baseline" in bad_usage("check", "mobilenet_v1", "--max-increase", "1%")


def test_resolution_option_replaces_only_the_resolutions_of_a_check() -> None:
    # The check's own alphas stay; --resolution replaces its resolutions: 2 alphas x 1 resolution x 1 metric.
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    alpha: [1, 0.5]\n    resolution: [224, 160]\n"
                           "    max_mult_adds: 600M\n")
    data = json.loads(ok("check", "--resolution", "192", "--format", "json"))
    assert [(check["alpha_exact"], check["resolution"]) for check in data["checks"]] == [("1", 192), ("0.5", 192)]
    assert [check["value"] for check in data["checks"]] == [418_121_728, 109_970_432]  # Table 7 and the 0.5 sweep


def test_a_baseline_of_another_configuration_is_named() -> None:
    # The baseline holds only 224 px; at 192 px the check says which configuration it compared with.
    ok("report", "--format", "json", "-o", "base.json")
    out = ok("check", "mobilenet_v1", "--resolution", "192", "--baseline", "base.json", "--max-increase", "1%")
    assert "-150,618,624 (-26.48%) since the baseline (its alpha 1, 224 px), allowed +1.00%" in out  # Table 7


def test_a_spec_without_limits_runs_its_checks_of_the_budgets_file() -> None:
    write("costcalc.yaml", "checks:\n  - spec: mobilenet_v1\n    max_mult_adds: 569M\n"
                           "  - spec: mobilenet_v1_shallow\n    max_mult_adds: 300M\n")
    out = ok("check", "mobilenet_v1")  # the shallow net's failing check is not run
    assert "mobilenet_v1_shallow" not in out and out.splitlines()[-1] == "✓ the check passes"
    assert "mobilenet_v1_shallow" in failed()  # without SPEC, every check of the file runs
