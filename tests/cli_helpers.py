"""Running the command line in-process for tests (click's ``CliRunner``), the same way in every test file:
a fixed terminal width and no forced colour, so output does not depend on the machine."""

from __future__ import annotations

from click.testing import CliRunner, Result

from costcalc.cli import main

# A terminal-independent environment: a fixed width, and no colour even if the CI forces it.
ENV = {"COLUMNS": "132", "LINES": "50", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None}


# A small network for budget tests: 428,672 Mult-Adds and 4,064 params at alpha 1.
TINY_SPEC = """\
version: 1
name: tiny_net
input: {channels: 3, size: 32}
layers:
  - conv: {kernel: 3, filters: 16, stride: 2}
  - separable: {kernel: 3, filters: 32}
  - separable: {kernel: 3, filters: 64, stride: 2}
  - global_avg_pool
  - fc: {units: 10, fixed: true, bias: true}
"""


def run(*args: str, **kwargs: object) -> Result:
    return CliRunner(env=ENV).invoke(main, list(args), prog_name="costcalc", **kwargs)  # type: ignore[arg-type]


def ok(*args: str) -> str:
    """Run a command that must succeed; its stdout (stderr must be empty)."""
    result = run(*args)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout


def bad_usage(*args: str) -> str:
    """Run a command that must be refused with exit code 2; its stderr (stdout must be empty)."""
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr
