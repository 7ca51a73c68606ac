"""Bad specs get linter-style diagnostics (docs/errors.md): ``path:line:col: error: message``, one per
problem, on stderr, exit code 2, nothing on stdout, never a traceback.

``tests/bad_specs/`` holds one small YAML file per error. Its ``# expect: LINE:COL: error: MESSAGE`` comment
lines (at the top, one per problem when several are collected) are the exact diagnostics
``costcalc report FILE`` must print; the test adds the ``path:`` prefix. To add a case, add a file.

Cases that cannot be a file in that folder (an empty or non-UTF-8 file, a directory, a missing file, a
command-line alpha, a tag that would create a file at a path known only at run time) are written here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from costcalc.cli import main

BAD_SPECS = Path(__file__).parent / "bad_specs"
EXPECT = re.compile(r"^# expect: (.+)$")
VALID = "input: {channels: 3, size: 32}\nlayers:\n  - conv: {kernel: 3, filters: 8}\n  - relu\n"
ENV = {"COLUMNS": "132", "NO_COLOR": "1", "FORCE_COLOR": None}


def costcalc(*args: str) -> Result:
    return CliRunner(env=ENV).invoke(main, list(args), prog_name="costcalc")


def refused(*args: str) -> list[str]:
    """Run ``costcalc ARGS``, which must fail as bad input (exit 2); the lines of its stderr."""
    result = costcalc(*args)
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.stderr.splitlines()


def expected_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [f"{path}:{match[1]}" for line in lines if (match := EXPECT.match(line))]


CASES = sorted(BAD_SPECS.glob("*.yaml"))


def test_the_bad_specs_folder_is_complete() -> None:
    assert len(CASES) >= 30
    for path in CASES:
        assert expected_lines(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_bad_spec_gets_its_diagnostics(path: Path) -> None:
    expected = expected_lines(path)
    actual = refused("report", str(path))
    assert len(actual) == len(set(actual)), "a diagnostic is repeated"
    assert sorted(actual) == sorted(expected)


@pytest.mark.parametrize("output_format", ["json", "csv", "markdown"])
def test_bad_spec_fails_the_same_way_in_every_format(output_format: str) -> None:
    path = BAD_SPECS / "several_problems.yaml"
    assert sorted(refused("report", str(path), "--format", output_format)) == sorted(expected_lines(path))


# --- cases written at run time -----------------------------------------------------------------------


def test_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    spec = tmp_path / "evil.yaml"
    spec.write_text(f'input: {{channels: 3, size: 32}}\nlayers: !!python/object/apply:os.system ["touch {marker}"]\n',
                    encoding="utf-8")
    (line,) = refused("report", str(spec))
    assert line.startswith(f"{spec}:2:9: error[E103]: ")
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/name:os.system",
                                 "!!python/object/new:subprocess.Popen"])
def test_python_tags_anywhere_are_refused(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    spec = tmp_path / "evil.yaml"
    spec.write_text(f'input: {{channels: 3, size: 32}}\nlayers:\n  - conv: {{kernel: 3, filters: 8, name: {tag} '
                    f'[["touch", "{marker}"]]}}\n', encoding="utf-8")
    (line,) = refused("report", str(spec))
    assert line.startswith(f"{spec}:3:")
    assert not marker.exists()


def test_truly_empty_file(tmp_path: Path) -> None:
    spec = tmp_path / "empty.yaml"
    spec.write_bytes(b"")
    assert refused("report", str(spec)) == [
        f"{spec}:1:1: error[E106]: a spec is a mapping with 'input' and 'layers'; this file is empty"]


def test_non_utf8_bytes(tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(b"input: {channels: 3, size: 32}\nname: caf\xe9\nlayers:\n  - relu\n")
    assert refused("report", str(spec)) == [f"{spec}:2:10: error[E101]: the file is not UTF-8 text"]


def test_non_utf8_bytes_after_a_byte_order_mark(tmp_path: Path) -> None:
    """A byte-order mark is allowed, and does not move the place of a bad byte (it was once reported at 1:33,
    the offset counted after the mark)."""
    spec = tmp_path / "bom.yaml"
    spec.write_bytes(b"\xef\xbb\xbfinput: {channels: 3, size: 32}\nname: caf\xe9\nlayers:\n  - relu\n")
    assert refused("report", str(spec)) == [f"{spec}:2:10: error[E101]: the file is not UTF-8 text"]
    spec.write_bytes(b"\xef\xbb\xbfinput: {channels: 3, size: 32}\nlayers:\n  - relu\n")
    result = costcalc("report", str(spec), "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")


def test_directory_as_spec(tmp_path: Path) -> None:
    folder = tmp_path / "specs.yaml"
    folder.mkdir()
    assert refused("report", str(folder)) == [f"{folder}: error[E100]: is a directory, not a spec file"]


def test_missing_file(tmp_path: Path) -> None:
    spec = tmp_path / "missing.yaml"
    (line,) = refused("report", str(spec))
    assert line.startswith(f"{spec}: error[E100]: no such ")


def test_alpha_that_leaves_no_channels(tmp_path: Path) -> None:
    spec = tmp_path / "narrow.yaml"
    spec.write_text(VALID, encoding="utf-8")
    assert refused("report", str(spec), "--alpha", "0.01") == [
        f"{spec}:3:5: error[E405]: layer 'conv_1' (input 32×32×3): alpha = 0.01 leaves 0 of its 8 channels"]


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    spec = tmp_path / "windows.yaml"
    spec.write_bytes(b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode("utf-8"))
    result = costcalc("report", str(spec), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    # the layer's row, then its memory columns (issue 18)
    assert result.stdout.splitlines()[1].startswith("conv_1,conv,conv 3x3,3x3x3x8,s1,32x32x3,32x32x8,221184,216,,")


def test_positions_are_right_after_a_bom_and_crlf(tmp_path: Path) -> None:
    spec = tmp_path / "windows.yaml"
    spec.write_bytes(b"\xef\xbb\xbf" + VALID.replace("filters: 8", "filters: -8").replace("\n", "\r\n").encode())
    assert refused("report", str(spec)) == [
        f"{spec}:3:32: error[E204]: conv: 'filters': expected a whole number of at least 1, got -8"]
