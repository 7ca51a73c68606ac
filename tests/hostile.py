"""The hostile-input corpus's harness: run costcalc as a stranger's CI job would, in a real process, on files and
options written to hurt it, and check what it did.

A ``Case`` names its files (written into a fresh folder that is the working directory of the run), its command
line, its environment and standard input, and what must happen: the exit code and a pattern that stderr must
contain (the located message, with its code). ``check(case, tmp_path)`` runs it and asserts, beyond that:

- the run took at most ``CPU_LIMIT`` seconds of CPU (user + system, of that process alone) and at most
  ``MEMORY_LIMIT`` bytes of resident memory, both as a small launcher's ``os.wait4`` measures costcalc (see
  ``_LAUNCHER``: a child of pytest itself would carry pytest's memory): CPU time and memory, not wall-clock
  time, so a busy machine does not fail the suite. A hard ``RLIMIT_CPU`` a few times larger stops a real hang;
- no traceback, no "internal error", no control character other than a line break on stderr (the user's text
  must not reach the terminal raw), and, on exit 2, every line of stderr is a diagnostic
  (``PLACE: error[CODE]: ...``), a warning, or click's usage text for a bad option;
- nothing was written outside the case's folder but what the case allows.

Cases live in the ``test_hostile_*.py`` modules, a list each, by kind of input.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, Union

CPU_LIMIT = 2.0  # seconds of CPU a hostile case may take (issue 12: "every case ends in <= 2 s CPU")
MEMORY_LIMIT = 100 * 2**20  # bytes of resident memory ("and <= 100 MB")
HARD_CPU_LIMIT = 10  # seconds: RLIMIT_CPU kills a case that would hang (reported as a failure, not a hang)
HARD_MEMORY_LIMIT = 2 * 2**30  # bytes of address space: a memory bomb fails instead of swapping the machine

# A file's content: text (UTF-8), bytes, or a function that writes the file itself (large files are made at
# run time, not stored in the repository).
Content = Union[str, bytes, Callable[[Path], None]]

DIAGNOSTIC = re.compile(r"^.+: (error|warning)(\[[EW][0-9]{3}\])?: \S")
USAGE_LINES = re.compile(r"^(Usage: costcalc|Try 'costcalc|Error: |\s*$|costcalc: (warning|interrupted))")
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
ENV = {"COLUMNS": "100", "LINES": "50", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}


class Case(NamedTuple):
    """One hostile input and what costcalc must do with it."""

    id: str
    argv: tuple[str, ...]
    stderr: str = ""  # a regular expression stderr must contain (re.search, multiline)
    exit: int = 2
    files: dict[str, Content] = {}
    env: dict[str, str] = {}
    stdin: bytes | None = None  # None: /dev/null
    stdout: str | None = None  # a regular expression stdout must contain; None: not checked
    forbid: str | None = None  # a regular expression that neither stdout nor stderr may contain
    closed_stdout: bool = False  # run with stdout a pipe whose reader is gone (`costcalc report | head -0`)
    located: bool = True  # on exit 2, every stderr line must be a diagnostic or click usage text


class Outcome(NamedTuple):
    exit: int
    stdout: str
    stderr: str
    cpu_s: float
    max_rss_bytes: int


def write_files(folder: Path, files: dict[str, Content]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# costcalc runs in a grandchild of the test, forked from this small launcher rather than from pytest: on Linux
# a process's ru_maxrss counts the memory of the process it was forked from (its copy lives until exec), and a
# pytest worker holds more than MEMORY_LIMIT by itself after a few hundred tests, so a child of pytest would
# fail the memory check whatever costcalc did. The launcher sets the hard limits, runs costcalc, writes its
# CPU seconds and peak memory (kB) to the file descriptor it is given, and ends as costcalc ended.
_LAUNCHER = """
import os, resource, signal, sys
report, cpu, memory = (int(arg) for arg in sys.argv[1:4])
pid = os.fork()
if pid == 0:
    try:
        os.close(report)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.execv(sys.executable, [sys.executable, "-m", "costcalc", *sys.argv[4:]])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(report, f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
os.close(report)
if os.WIFSIGNALED(status):  # die of the same signal, so that the test sees what costcalc did
    try:
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    except (OSError, ValueError):  # SIGKILL and SIGSTOP keep their default
        pass
    os.kill(os.getpid(), os.WTERMSIG(status))
os._exit(os.waitstatus_to_exitcode(status))
"""


def run_case(case: Case, folder: Path) -> Outcome:
    """Run ``case`` in ``folder`` (its files written there first) as its own process."""
    write_files(folder, case.files)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "COSTCALC_", "FORCE_COLOR", "TTY_"))}
    env.update(ENV)
    env.update(case.env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin = subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL
        read_end = None
        stdout: int | object = out
        if case.closed_stdout:
            read_end, write_end = os.pipe()
            os.close(read_end)  # the reader is gone before costcalc writes anything
            stdout = write_end
        report_read, report_write = os.pipe()
        command = [sys.executable, "-S", "-c", _LAUNCHER, str(report_write), str(HARD_CPU_LIMIT),
                   str(HARD_MEMORY_LIMIT), *case.argv]
        process = subprocess.Popen(command, cwd=folder, env=env, stdin=stdin, stdout=stdout, stderr=err,
                                   pass_fds=(report_write,))  # type: ignore[arg-type]
        os.close(report_write)
        if case.closed_stdout:
            os.close(stdout)  # type: ignore[arg-type]
        if case.stdin is not None:
            assert process.stdin is not None
            try:
                process.stdin.write(case.stdin)
                process.stdin.close()
            except BrokenPipeError:
                pass
        with os.fdopen(report_read, "rb") as report:
            cpu_s, max_rss_kb = report.read().split()  # costcalc's own usage, from the launcher
        process.wait()
        out.seek(0)
        err.seek(0)
        return Outcome(process.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                       float(cpu_s), int(max_rss_kb) * 1024)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """What is wrong with ``outcome`` (empty: costcalc did what ``case`` expects)."""
    found = []
    if outcome.exit != case.exit:
        found.append(f"exit {outcome.exit}, expected {case.exit}")
    if case.stderr and not re.search(case.stderr, outcome.stderr, re.MULTILINE):
        found.append(f"stderr does not match {case.stderr!r}")
    if case.stdout is not None and not re.search(case.stdout, outcome.stdout, re.MULTILINE):
        found.append(f"stdout does not match {case.stdout!r}")
    if case.forbid is not None:
        for stream, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            if re.search(case.forbid, text, re.MULTILINE):
                found.append(f"{stream} contains {case.forbid!r}")
    if outcome.cpu_s > CPU_LIMIT:
        found.append(f"took {outcome.cpu_s:.2f} s of CPU (limit {CPU_LIMIT} s)")
    if outcome.max_rss_bytes > MEMORY_LIMIT:
        found.append(f"used {outcome.max_rss_bytes / 2**20:.0f} MB (limit {MEMORY_LIMIT // 2**20} MB)")
    if "Traceback" in outcome.stderr or "internal error" in outcome.stderr:
        found.append("a traceback or an internal error on stderr")
    if CONTROL.search(outcome.stderr):
        found.append(f"control characters on stderr: {sorted(set(CONTROL.findall(outcome.stderr)))[:5]!r}")
    if outcome.exit == 2 and case.located:
        loose = [line for line in outcome.stderr.splitlines()
                 if not DIAGNOSTIC.match(line) and not USAGE_LINES.match(line)]
        if loose:
            found.append(f"stderr lines that are neither diagnostics nor usage text: {loose[:3]!r}")
    return found


def check(case: Case, folder: Path) -> Outcome:
    """Run ``case`` and fail the test with everything that is wrong, and the output, when anything is."""
    outcome = run_case(case, folder)
    found = problems(case, outcome)
    if found:
        command = " ".join(("costcalc", *case.argv))
        raise AssertionError(f"{case.id}: {command}\n  " + "\n  ".join(found)
                             + f"\n  stderr: {outcome.stderr[:2000]!r}\n  stdout: {outcome.stdout[:500]!r}")
    return outcome


def ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


def large_file(size: int, line: bytes = b"# padding\n", head: bytes = b"") -> Callable[[Path], None]:
    """A writer of a file of ``size`` bytes: ``head``, then ``line`` repeated (written in chunks)."""
    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.write(head)
            remaining = size - len(head)
            chunk = line * max(1, (1 << 20) // len(line))
            while remaining > 0:
                piece = chunk[:remaining]
                handle.write(piece)
                remaining -= len(piece)

    return write
