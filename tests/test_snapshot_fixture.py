"""The ``snapshot`` fixture of ``conftest.py`` itself, run in a throw-away pytest session (``pytester``): a
missing snapshot fails with a hint, a different output fails with a unified diff, and
``--update-snapshots`` writes the file, after which the same test passes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
TEST = """
def test_report(snapshot):
    snapshot("report.txt", "line one\\nline two  \\nline three\\n")
"""


@pytest.fixture
def session(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_it=TEST)
    pytester.makeini("[pytest]\naddopts = -p no:hypothesispytest -p no:cacheprovider\n")  # faster inner sessions
    return pytester


def test_missing_snapshot_fails_with_a_hint(session: pytest.Pytester) -> None:
    result = session.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*snapshot 'report.txt' does not exist*run `pytest --update-snapshots`*"])
    assert not (session.path / "snapshots").exists()


def test_update_writes_the_snapshot_then_it_passes(session: pytest.Pytester) -> None:
    session.runpytest("--update-snapshots").assert_outcomes(passed=1)
    written = session.path / "snapshots" / "report.txt"
    assert written.read_bytes() == b"line one\nline two  \nline three\n"  # trailing spaces kept
    session.runpytest().assert_outcomes(passed=1)


def test_different_output_fails_with_a_unified_diff(session: pytest.Pytester) -> None:
    (session.path / "snapshots").mkdir()
    (session.path / "snapshots" / "report.txt").write_bytes(b"line one\nline 2\nline three\n")
    result = session.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*output differs from snapshot 'report.txt'*", "*--- snapshots/report.txt (expected)*",
                                 "*+++ report.txt (actual)*", "*-line 2*", "*+line two  *"])


def test_line_endings_and_final_newline_matter(session: pytest.Pytester) -> None:
    (session.path / "snapshots").mkdir()
    (session.path / "snapshots" / "report.txt").write_bytes(b"line one\r\nline two  \r\nline three\r\n")
    session.runpytest().assert_outcomes(failed=1)
    (session.path / "snapshots" / "report.txt").write_bytes(b"line one\nline two  \nline three")
    session.runpytest().assert_outcomes(failed=1)
