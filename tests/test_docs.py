"""The documentation's examples are real: every ```yaml block in docs/*.md (docs/spec-format.md above all) and
README.md is a complete spec that loads, validates and evaluates to a positive number of Mult-Adds.

Other kinds of YAML are tagged in the fence's info string, and checked too: ```yaml budgets is a complete
budgets file (costcalc.yaml, docs/budgets.md), validated as `costcalc check` validates it; ```yaml convention
is a convention file (docs/conventions.md), read as `--convention FILE` reads it; ```yaml ci is
another tool's configuration (a .pre-commit-config.yaml, a GitHub workflow), which must at least be valid YAML.

Blocks that show a mistake (a counter-example) or command output are fenced as ```text, and are not run.
A block fenced as ```yml or ```YAML, or with an unknown tag (```yaml budget), would escape these tests, so such
fences are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from costcalc.budget.config import parse_config
from costcalc.engine.exact import evaluate
from costcalc.errors import CostcalcError, SpecError
from costcalc.source.positioned_yaml import parse_yaml
from costcalc.spec.schema import parse_spec

ROOT = Path(__file__).resolve().parent.parent
DOCS = (*sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "docs").glob("*.md")), "README.md")
YAML_FENCES = ("yaml", "yaml budgets", "yaml convention", "yaml ci")  # a spec, a budgets file, a convention file,
# another tool's configuration
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(relative: str) -> list[tuple[int, str, str]]:
    """(line of the opening fence, info string, body) of every fenced block of a Markdown file."""
    path = ROOT / relative
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 1, match["info"].strip(), match["body"])
            for match in FENCE.finditer(text)]


def yaml_blocks(kind: str = "yaml") -> list[pytest.param]:
    return [pytest.param(relative, line, body, id=f"{relative}:{line}")
            for relative in DOCS for line, info, body in fenced_blocks(relative) if info == kind]


@pytest.mark.parametrize(("relative", "line", "text"), yaml_blocks())
def test_yaml_block_is_a_complete_spec(relative: str, line: int, text: str) -> None:
    try:
        spec = parse_spec(parse_yaml(text, relative), relative)
        evaluation = evaluate(spec)
    except SpecError as error:
        # Diagnostics count lines from the block's first line; say where that is in the document.
        pytest.fail(f"the ```yaml block at {relative}:{line} is not a valid spec (lines below count from "
                    f"line {line + 1}):\n{error}", pytrace=False)
    assert evaluation.mult_adds > 0, f"the ```yaml block at {relative}:{line} evaluates to 0 Mult-Adds"


def test_spec_format_has_its_examples() -> None:
    """Guards against a broken fence silently turning the test above into a no-op."""
    blocks = [block for block in fenced_blocks("docs/spec-format.md") if block[1] == "yaml"]
    assert len(blocks) >= 25


@pytest.mark.parametrize(("relative", "line", "text"), yaml_blocks("yaml budgets"))
def test_yaml_budgets_block_is_a_valid_budgets_file(relative: str, line: int, text: str) -> None:
    try:
        config = parse_config(parse_yaml(text, relative), relative)
    except CostcalcError as error:
        pytest.fail(f"the ```yaml budgets block at {relative}:{line} is not a valid budgets file (lines below count "
                    f"from line {line + 1}):\n{error}", pytrace=False)
    assert config.checks


@pytest.mark.parametrize(("relative", "line", "text"), yaml_blocks("yaml convention"))
def test_yaml_convention_block_is_a_valid_convention_file(relative: str, line: int, text: str, tmp_path: Path) -> None:
    from costcalc.conventions.files import load_convention

    path = tmp_path / "convention.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        convention = load_convention(str(path))
    except CostcalcError as error:
        pytest.fail(f"the ```yaml convention block at {relative}:{line} is not a valid convention file:\n{error}",
                    pytrace=False)
    assert convention.mult_adds


@pytest.mark.parametrize(("relative", "line", "text"), yaml_blocks("yaml ci"))
def test_yaml_ci_block_is_valid_yaml(relative: str, line: int, text: str) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        pytest.fail(f"the ```yaml ci block at {relative}:{line} is not valid YAML:\n{error}", pytrace=False)
    assert isinstance(data, (dict, list)), f"the ```yaml ci block at {relative}:{line} is not a mapping or a list"


def test_budgets_doc_has_its_examples() -> None:
    """Guards against a broken fence silently turning the budgets test above into a no-op."""
    blocks = [block for block in fenced_blocks("docs/budgets.md") if block[1] == "yaml budgets"]
    assert len(blocks) >= 2


@pytest.mark.parametrize("relative", DOCS)
def test_no_yaml_block_escapes_the_check(relative: str) -> None:
    for line, info, _body in fenced_blocks(relative):
        assert info == "yaml" or info.lower() not in ("yml", "yaml"), (
            f"{relative}:{line}: fence the block as ```yaml (a spec the tests run) or ```text (not run)")
        first_word = info.split()[0].lower() if info.split() else ""
        assert first_word not in ("yml", "yaml") or info in YAML_FENCES, (
            f"{relative}:{line}: ```{info} is not checked; use one of: "
            + ", ".join(f"```{fence}" for fence in YAML_FENCES) + ", or ```text (not run)")


def test_worked_example_output_is_current() -> None:
    """The report pasted under "Worked example" shows the totals that the spec above it really has."""
    text = (ROOT / "docs/spec-format.md").read_text(encoding="utf-8")
    section = text.split("## Worked example", 1)[1].split("\n## ", 1)[0]
    blocks = list(FENCE.finditer(section))
    spec_text = next(block["body"] for block in blocks if block["info"].strip() == "yaml")
    evaluation = evaluate(parse_spec(parse_yaml(spec_text, "worked example"), "worked example"))
    total = f"Total: {evaluation.mult_adds:,} Mult-Adds"
    params = f"{evaluation.params:,} params"
    assert total in section and params in section
