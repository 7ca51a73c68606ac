"""Every output escaped for its sink, whatever the names (issue 12, "Injection through outputs").

A property test: hypothesis makes names from the whole of Unicode (control characters, escape sequences,
line breaks, invisible and right-to-left characters included) and from fragments written to attack one sink
or another (``\\n::add-mask::x``, ``##[error]``, ``ESC [ 2 J``, ``=HYPERLINK(…)``, ``|``, a backtick,
``<img>``, ``[dw]``), puts them in a spec (its name, description and reference, layer names, a block
instance's name), a convention file (name, description, tool, source), a device file (name) and a budgets
file (the check's message), and runs every format of every command in-process (``cli_helpers.run``). Each
output is then read by a real parser for its sink, never by costcalc's own code:

- JSON: ``json.loads`` of strict UTF-8, and the names come back exactly;
- CSV: ``csv.reader``; every row has the header's number of cells; a cell that starts with ``=``, ``+``,
  ``-``, ``@``, tab or carriage return is a number; no cell holds a control character;
- SVG: ``xml.etree.ElementTree`` parses it, and every element is one rich draws; HTML (rich's HTML5 page,
  not XML): ``html.parser`` finds only rich's tags;
- GitHub workflow commands: a matcher written from the runner's rules (a line, its leading white space
  trimmed, that starts with ``::`` and has a second ``::``, any command name; or ``##[`` anywhere before a
  ``]``) finds exactly costcalc's ``::error`` annotations, whose data and title, unescaped as the runner
  does, hold the names as the terminal shows them;
- Markdown: every row of every table has as many cells as its header (a pipe that is not escaped ends a
  cell, as GFM reads it), and no HTML tag but costcalc's own ``<details>`` and ``<summary>``;
- terminal text (tables, text reports, ``list``) and stderr: no control character but the line break.

The examples are derandomized (the same every run); a few dozen keep the test under a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from cli_helpers import run
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sink_readers import (
    CONTROL,
    check_csv,
    check_html,
    check_json,
    check_markdown,
    check_svg,
    check_terminal,
    workflow_commands,
)

from costcalc.render.sinks.terminal import visible

EXAMPLES = 10

# Fragments that attack one sink or another; hypothesis mixes them with any text.
HOSTILE = [
    "\n::add-mask::secret", "\r::stop-commands::tok", "::error::fake", "##[add-mask]x", "##[error]y", "  ::warning::",
    "\x1b[31m", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x1b[2J", "\x9b2J", "\x00", "\x7f", "\x85", "\u2028",
    "\u202e", "\ufeff", "\t", "\r", "\n",
    "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", ";=1+1", ",-2", "\"=3",
    "|", "`", "``", "\\", "<img src=x>", "&amp;", "[dw]", "[link=http://x]y[/link]", ":smile:", "_x_", "*b*", "# h",
    "1. ", "> q", "---", "$x$", " ", "%0A", "%25", ":", ",",
]
CHARACTERS = st.characters(exclude_categories=("Cs",))  # every code point a YAML file can hold


def as_read(name: str) -> str:
    """``name`` as a YAML reader reads it back from the files (YAML folds some line breaks, such as NEL, into
    spaces), which is what costcalc must show."""
    return yaml.safe_load(yaml.safe_dump(name, allow_unicode=True))  # type: ignore[no-any-return]


NAME = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(CHARACTERS, min_size=1, max_size=6)),
                min_size=1, max_size=4).map("".join).map(as_read)

def spec_text(names: list[str]) -> str:
    spec = {
        "version": 1, "name": names[0], "description": names[1], "reference": names[2],
        "input": {"channels": 3, "size": 16},
        "blocks": {"blk": {"layers": [{"conv": {"kernel": 1, "filters": 4, "name": names[3]}}]}},
        "layers": [{"conv": {"kernel": 3, "filters": 8, "stride": 2, "name": names[4]}},
                   {"separable": {"kernel": 3, "filters": 8, "name": names[5]}},
                   {"blk": {"name": names[6]}},
                   "global_avg_pool",
                   {"fc": {"units": 10, "fixed": True, "name": names[7]}}],
    }
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)


def convention_text(names: list[str]) -> str:
    return yaml.safe_dump({"name": names[8], "description": names[9], "tool": names[10], "source": names[11],
                           "mult_adds": {"weight_macs": 2}, "params": ["weights"]}, allow_unicode=True)


def device_text(names: list[str]) -> str:
    return yaml.safe_dump({"name": names[12], "description": names[13], "peak_mult_adds_per_s": 10**12,
                           "bandwidth_bytes_per_s": 10**10, "source": names[14]}, allow_unicode=True)


def budgets_text(names: list[str]) -> str:
    return yaml.safe_dump({"checks": [{"spec": "./net.yaml", "convention": "./conv.yaml", "max_mult_adds": 1000,
                                       "message": names[15]}]}, allow_unicode=True)


@contextmanager
def files(names: list[str]) -> Iterator[str]:
    """A folder holding the spec, convention, device and budgets files, as the working directory."""
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (("net.yaml", spec_text(names)), ("conv.yaml", convention_text(names)),
                           ("dev.yaml", device_text(names)), ("costcalc.yaml", budgets_text(names))):
            with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(previous)


def output(*args: str, exit_code: int = 0, env: dict[str, str] | None = None) -> str:
    """Run a command; its stdout, which must be UTF-8, with stderr free of control characters."""
    result = run(*args, env=env) if env else run(*args)
    assert result.exit_code == exit_code, (args, result.exit_code, result.stderr, result.exception)
    assert not CONTROL.search(result.stderr), (args, result.stderr)
    return result.stdout_bytes.decode("utf-8")  # strict: invalid UTF-8 fails here


def as_in_a_command(name: str) -> str:
    """A name as an annotation shows it: visible, with the legacy prefix broken."""
    return visible(name).replace("##[", "##\\[")


# --- the property ---------------------------------------------------------------------------------------

# no shrinking: a failing example is shown as found (shrinking 30 command runs per try takes minutes)
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAME, min_size=16, max_size=16, unique=True))
def test_every_format_of_every_command_is_escaped_for_its_sink(names: list[str]) -> None:
    spec_name, message = names[0], names[15]
    with files(names):
        # report: table, csv, markdown, svg, html, json
        check_terminal(output("report", "net.yaml", "--all-layers", "--device", "dev.yaml"))
        rows = check_csv(output("report", "net.yaml", "--format", "csv"))
        assert [row[0].replace("'", "") for row in rows[1:3]] == [visible(names[4]).replace("'", ""),
                                                                  visible(f"{names[5]}_dw").replace("'", "")]
        check_markdown(output("report", "net.yaml", "--format", "markdown", "--all-layers"))
        check_svg(output("report", "net.yaml", "--format", "svg", "--device", "dev.yaml"))
        check_html(output("report", "net.yaml", "--format", "html"))
        data = check_json(output("report", "net.yaml", "--format", "json", "--convention", "conv.yaml"))
        assert (data["name"], data["description"], data["reference"]) == (spec_name, names[1], names[2])
        assert data["layers"][0]["name"] == names[4] and data["convention"] == names[8]
        # compare: table, csv, markdown, json
        check_terminal(output("compare", "net.yaml", "mobilenet_v1", "--convention", "conv.yaml"))
        check_csv(output("compare", "net.yaml", "mobilenet_v1", "--format", "csv"))
        check_markdown(output("compare", "net.yaml", "mobilenet_v1", "--format", "markdown",
                              "--convention", "conv.yaml"))
        compared = check_json(output("compare", "net.yaml", "net.yaml", "--format", "json"))
        assert compared["specs"][0]["name"] == spec_name
        # check: text, github (and its step summary), markdown, json
        check_terminal(output("check", "--format", "text", exit_code=1))
        summary = os.path.abspath("summary.md")
        github = output("check", "--format", "github", exit_code=1, env={"GITHUB_STEP_SUMMARY": summary})
        commands = workflow_commands(github)
        assert [(name, sorted(properties)) for name, properties, _data in commands] == [
            ("error", ["col", "file", "line", "title"])], commands
        _name, properties, annotation = commands[0]
        assert as_in_a_command(spec_name) in properties["title"] and as_in_a_command(spec_name) in annotation
        assert as_in_a_command(message) in annotation
        check_terminal(github, commands_allowed=True)
        with open(summary, encoding="utf-8") as handle:
            check_markdown(handle.read())
        check_markdown(output("check", "--format", "markdown", exit_code=1))
        assert check_json(output("check", "--format", "json", exit_code=1))["checks"][0]["message"] == message
        # explain: text, markdown, json
        check_terminal(output("explain", "net.yaml", "--convention", "conv.yaml"))
        check_markdown(output("explain", "net.yaml", "--convention", "conv.yaml", "--format", "markdown"))
        assert check_json(output("explain", "net.yaml", "--convention", "conv.yaml", "--format", "json"))[
            "by_layer"][0]["name"] in (names[3:8] + [f"{names[5]}_pw", f"{names[6]}.{names[3]}"])
        # sweep: table, csv, markdown, svg, json
        grid = ("--alpha", "1,0.5", "--resolution", "16,8", "--convention", "conv.yaml")
        check_terminal(output("sweep", "net.yaml", *grid))
        check_csv(output("sweep", "net.yaml", *grid, "--format", "csv"))
        check_markdown(output("sweep", "net.yaml", *grid, "--format", "markdown"))
        check_svg(output("sweep", "net.yaml", *grid, "--format", "svg"))
        assert check_json(output("sweep", "net.yaml", *grid, "--format", "json"))["name"] == spec_name
        # solve: text, json, and its message on stderr when nothing fits
        check_terminal(output("solve", "net.yaml", "--max-mult-adds", "1G"))
        assert check_json(output("solve", "net.yaml", "--max-mult-adds", "1G", "--format", "json"))["name"] == spec_name
        assert not workflow_commands(run("solve", "net.yaml", "--max-mult-adds", "1").stderr)
    check_terminal(output("list"))


def test_json_is_utf8_when_a_path_on_the_command_line_is_not(tmp_path: Path) -> None:
    """A file name that is not valid UTF-8 reaches Python as a lone surrogate (``\\udcff``): JSON writes it
    as an escape, so the document stays valid UTF-8 (a real process: the bytes of ``argv`` matter)."""
    (tmp_path / "a.yaml").write_text(spec_text([f"n{index}" for index in range(16)]), encoding="utf-8")
    os.rename(tmp_path / "a.yaml", os.path.join(os.fsencode(tmp_path), b"a\xff.yaml"))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    done = subprocess.run([sys.executable, "-m", "costcalc", "report", b"./a\xff.yaml", "--format", "json"],
                          cwd=tmp_path, env=environment, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["spec"] == "./a\udcff.yaml"
