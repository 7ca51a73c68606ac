"""Fuzzing the command line with mutated bundled specs (issue 6, acceptance).

"Mutating the bundled specs at random (values, keys, structure, truncation, garbage, bombs, tags, injections)
never yields a traceback, a hang over a few seconds, an exit code other than 0/1/2, or executed code, and every
non-zero exit names the file and a line."

Each case takes the text of a bundled spec, applies one or more random mutations, writes it to a file in a
fresh temporary folder (the current directory for the run), and runs the CLI in-process (``cli_helpers.run``):
``report FILE --format json`` mostly, sometimes ``report --format csv``/``table``/``--symbolic``, ``sweep``,
``check``, ``solve`` or ``compare``. Then (``assert_clean``):

- the exit code is 0, 1 or 2 (3 is an internal error, a bug), and no exception escaped the CLI;
- no "Traceback" on stderr or stdout;
- on exit 2, every line of stderr is a diagnostic ``FILE:LINE:COL: error[CODE]: message`` with LINE >= 1
  (the one exception: "the file is larger than 10 MB", about the whole file, which is not parsed), and
  stderr holds no control characters (a spec's text must not reach the terminal raw);
- the case took under ``TIME_LIMIT`` seconds of CPU. Nothing here reads the wall clock, so a busy machine
  cannot fail a case: a CPU-time alarm (``ITIMER_PROF``) stops a hang after ``ALARM`` seconds of CPU, re-sent
  every second should something swallow it, and ``RLIMIT_CPU`` (with faulthandler's traceback) ends the test
  process should a hang sit in C code where the alarm cannot reach it;
- nothing ran: no ``PWNED`` file appeared in the folder, and an audit hook saw no process spawned and no
  ``compile``/``eval``/``exec`` of any text holding the marker ``PWNED`` (which every injection carries).

Exit 1 is only a budget verdict (``check``), not an error about the file, so the location rule is for exit 2.

One test per family of mutation keeps a failure's cause obvious; ``test_mixed_mutations`` chains several of
any family. The examples are derandomized (the same every run) so the suite is deterministic; to hunt for
new bugs, run with ``COSTCALC_FUZZ_EXAMPLES=5000`` (random, that many examples per test).

Bugs. Every bug this suite found has a regression test below (``test_regression*``). An open one is also in
``KNOWN_BUGS``: its regression test is a strict xfail, and the random tests tolerate exactly its symptom
(``known_bug``) or, for a slow one, do not generate its trigger (each would cost the whole alarm), so that
they keep finding *other* bugs. When it is fixed, its xfail test XPASSes and fails: remove it from
``KNOWN_BUGS``, and the random tests enforce it again.
"""

from __future__ import annotations

import faulthandler
import hashlib
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from cli_helpers import run
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from costcalc.source.bundled import bundled_files

SPECS: dict[str, str] = {}
# MaxViT exists only where every stage's map is made of whole 7x7 partitions (torchvision refuses other sizes,
# and so does costcalc, E413): the commands below ask for 128 pixels, so it cannot start a case. The
# transformer families (vit, swin, swin_v2) start cases with their first variant's arguments.
LEFT_OUT = {"maxvit_t"}
for _name, _path in bundled_files().items():  # the files (a variant is its file with other arguments)
    if _name in LEFT_OUT:
        continue
    with open(_path, encoding="utf-8", newline="") as _handle:
        SPECS[_name] = _handle.read()
# A small spec of this file's own with every construct (blocks with defaults, expressions, `if`, `when`,
# residual, concat, squeeze_excite, repeat, make_divisible width): the seed of the hand-picked cases, which
# must not change when the bundled specs do, and one more seed for the random ones.
BASE = """\
version: 1
name: base_net
description: a small network with every construct the fuzz tests' hand-picked cases mutate
input: {channels: 3, size: 224}
width: {rounding: make_divisible, divisor: 8}
blocks:
  bneck:
    args: {cin: required, kernel: 3, exp: required, out: required, se: false, stride: 1}
    layers:
      - residual:
          when: stride == 1 and cin == out
          layers:
            - if: exp != cin
              layers:
                - pointwise: {filters: exp}
                - batch_norm
                - relu
            - depthwise: {kernel: kernel, stride: stride, padding: "(kernel - 1) // 2"}
            - if: se
              layers:
                - squeeze_excite: {squeeze: "make_divisible(in // 4, 8)", activation: relu, gate: hard_sigmoid}
            - pointwise: {filters: out}
            - batch_norm
  inception:
    args: {c1: required, c3: required}
    layers:
      - concat:
          branches:
            - [conv: {kernel: 1, filters: c1}]
            - - conv: {kernel: 3, filters: c3, padding: 1}
              - relu
layers:
  - conv: {kernel: 3, filters: 32, stride: 2}
  - batch_norm
  - relu
  - separable: {kernel: 3, filters: 64, stride: 2, batch_norm: true, activation: relu}
  - repeat: 5
    layers:
      - separable: {kernel: 3, filters: 64, batch_norm: true, activation: relu}
  - bneck: {cin: 64, exp: 128, out: 64, se: true, name: bneck_1}
  - bneck: {cin: 64, exp: 192, out: 96, stride: 2, name: bneck_2}
  - inception: {c1: 32, c3: 64, name: mixed_1}
  - global_avg_pool
  - fc: {units: 1000, fixed: true, bias: true}
  - softmax
"""
SPECS["base_net"] = BASE
# The specs richest in constructs (blocks, expressions, residual, concat, squeeze_excite, if, repeat) come
# up more often; every bundled spec can.
FAVOURITES = ["base_net", "mobilenet_v1", "resnet", "mobilenet_v3", "googlenet", "shufflenet_v2", "efficientnet",
              "densenet", "mobilenet_v2", "regnet", "convnext"]  # the family files (issue 15: one spec per family)
FAVOURITES = [name for name in FAVOURITES if name in SPECS]

TIME_LIMIT = 5.0  # seconds of CPU a case may take: "never a hang over a few seconds" (CPU, not wall-clock
                  # time, so that a busy machine does not fail the suite)
ALARM = 10  # seconds of CPU after which a case is stopped and reported as a hang
WATCHDOG = 120  # seconds of CPU after which a case stuck where the alarm cannot interrupt it (C code) ends the
                # test process (RLIMIT_CPU's SIGXCPU, with faulthandler's traceback)
MEMORY_HEADROOM = 4 << 30  # bytes of address space the test process may grow by (a memory bomb fails, not swaps)

FILE = "mutant.yaml"
MARKER = "PWNED"

FUZZ_EXAMPLES = int(os.environ.get("COSTCALC_FUZZ_EXAMPLES", "0"))  # 0: the suite's deterministic default
# The README's test command runs a quarter of each test's examples (the hand-picked ones always); .ci/run sets
# COSTCALC_FUZZ_FULL=1 and runs them all, derandomized too.
FUZZ_SHARE = 1 if os.environ.get("COSTCALC_FUZZ_FULL") else 4


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=FUZZ_EXAMPLES or max(1, examples // FUZZ_SHARE), derandomize=not FUZZ_EXAMPLES,
                    deadline=None,
                    database=None, print_blob=True,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no explain phase: it traces, 10x slower
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


# ---------------------------------------------------------------------------------------------------------
# Known bugs (see the module docstring). Each entry: the symptom the random tests tolerate, and why.
# ---------------------------------------------------------------------------------------------------------

# Found by this suite and fixed since (each keeps its regression test):
# B1: a control character (NUL, BEL, ESC, U+FFFF) in the file was reported without a line, over two lines
#     (PyYAML's ReaderError printed raw: 'in "<unicode string>", position N').
# B2: flow collections nested a few hundred deep hit Python's recursion limit: "the YAML is nested too
#     deeply" without a line.
# B3: PyYAML's constructor raised plain exceptions for `!!int nope`, `!!float nope` and integers of more than
#     4,300 digits: internal error, exit 3.
# B4: a constant expression that fails (`repeat: "1/0"`, `if:`, `when:`, a block argument): FieldError escaped,
#     internal error, exit 3.
# B5: an alias bomb in the layers was walked entry by entry while validating (10^6 entries: 7 s; 10^9: a hang).
# B6: a recursive alias (`version: &a [*a]`) crashed the alias-bomb check with KeyError: exit 3.
# B7: naming layers was quadratic in the unnamed layers following one owner: 10,000 ReLUs in a row took 18 s.
# B8: a 10 MB file of small values (under the size limit) took 13 s and 1.2 GB, then blamed aliases it had not.
# B9: diagnostics quoted the user's text raw: a line break split a diagnostic over two lines, and terminal
#     escapes (ESC ] 0; title BEL) reached stderr.
# B10: `!!map 1`, `!!map [1]`, `!!seq {a: 1}` crashed costcalc's own mapping and list constructors: exit 3.
#
# B12: (B3 again) an explicit standard tag on a value it cannot read crashed when PyYAML raised other than
#      ValueError: `!!bool 1`, `!!bool nope` (KeyError), `!!int ''`, `!!float ''`, `!!int '-'` (IndexError).
# B11: `solve` took ~0.8 ms per layer and width (more when no width fits: ~13 ms per layer of ResNet-18), so on
#      the largest network costcalc accepts (20,000 layers; 100,000 when first found, when `report --format
#      table` took ~2.5 minutes too) it ran 16-38 s. Now the copies of a repeated layer that meet the same input
#      are computed once per width, and shape checks build their messages only when they fail: ~3 s.
#
# Open: none.
KNOWN_BUGS: set[str] = set()

# Diagnostics about the file as a whole, which need no line (a deviation from "every non-zero exit names a
# line", accepted: the file is refused before it is parsed).
FILE_LEVEL = re.compile(re.escape(FILE) + r": error(\[E[0-9]+\])?: the file is larger than ")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------------------------------------------------
# Running one case
# ---------------------------------------------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the alarm. A BaseException, so that the CLI's handler of internal errors cannot swallow it."""


_watching = False
_seen: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _watching:
        return
    if event in ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
                 "pty.spawn", "socket.connect"):
        _seen.append(f"{event}{args!r:.200}")
    elif event in ("compile", "exec"):
        source = args[0] if args else None
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        if isinstance(source, str) and MARKER in source:
            _seen.append(f"{event} of spec text: {source!r:.200}")
    elif event == "open" and args and MARKER in str(args[0]):
        _seen.append(f"open{args!r:.200}")


sys.addaudithook(_audit)  # permanent for the process, but idle unless a case is running
# A hang in C code ignores the CPU alarm; RLIMIT_CPU's SIGXCPU then dumps every thread's traceback and, chained
# to the signal's default action, ends the test process: a failure with a traceback, never a stuck suite.
faulthandler.register(signal.SIGXCPU, all_threads=True, chain=True)


@pytest.fixture(autouse=True, scope="module")
def bounded_memory() -> Iterator[None]:
    """A memory bomb makes costcalc fail (MemoryError -> exit 3 -> the test fails) instead of the machine swap."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        yield
        return
    limit = size + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


REPORT = ("report", FILE, "--format", "json")
CSV = ("report", FILE, "--format", "csv")
SWEEP = ("sweep", FILE, "--alpha", "0.5,1", "--resolution", "128,224", "--format", "json")
CHECK = ("check", FILE, "--max-mult-adds", "1G")
COMPARE = ("compare", "mobilenet_v1", FILE, "--format", "json")
SYMBOLIC = ("report", FILE, "--symbolic", "--format", "json")  # sympy: no spec text may reach sympify
SOLVE = ("solve", FILE, "--max-mult-adds", "300M")
TABLE = ("report", FILE, "--format", "table")  # rich
NOT_SOLVE = [REPORT, REPORT, REPORT, REPORT, CSV, SWEEP, CHECK, COMPARE, SYMBOLIC, TABLE]  # mostly report
COMMANDS = NOT_SOLVE + [SOLVE]  # large networks get solve only while B11 is open


@dataclass
class Outcome:
    data: bytes
    command: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    cpu_seconds: float
    hang: bool
    escaped: str  # the traceback of an exception that escaped the CLI, or ""
    executed: list[str] = field(default_factory=list)


def run_case(data: bytes, command: tuple[str, ...], alarm_after: int = ALARM) -> Outcome:
    """Write ``data`` to FILE in a fresh folder, run ``command`` there, and record what happened."""
    global _watching
    folder = tempfile.mkdtemp(prefix="costcalc-fuzz-")
    previous = os.getcwd()
    os.chdir(folder)

    def alarm(signum: int, frame: Any) -> None:
        if frame is not None and frame.f_code.co_name == "gc_callback":  # hypothesis's: it would swallow Hang
            signal.setitimer(signal.ITIMER_PROF, 0.05)
            return
        signal.setitimer(signal.ITIMER_PROF, 1.0)  # again in a second, should something swallow this one
        raise Hang()

    old_handler = signal.signal(signal.SIGPROF, alarm)
    soft_cpu, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    used = resource.getrusage(resource.RUSAGE_SELF)
    watchdog = int(used.ru_utime + used.ru_stime) + WATCHDOG
    if hard_cpu == resource.RLIM_INFINITY or watchdog < hard_cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (watchdog, hard_cpu))
    _seen.clear()
    hang, escaped = False, ""
    exit_code, stdout, stderr = -1, "", ""
    try:
        with open(FILE, "wb") as handle:
            handle.write(data)
        cpu_start = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, alarm_after)
        _watching = True
        try:
            result = run(*command)
        except Hang:
            hang = True
        finally:
            _watching = False
            signal.setitimer(signal.ITIMER_PROF, 0)
            cpu_seconds = time.process_time() - cpu_start
        if not hang:
            exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                escaped = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        executed = list(_seen)
        if os.path.exists(MARKER):
            executed.append(f"the file {MARKER} was created")
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, hard_cpu))
        signal.signal(signal.SIGPROF, old_handler)
        os.chdir(previous)
        shutil.rmtree(folder, ignore_errors=True)
    return Outcome(data, command, exit_code, stdout, stderr, cpu_seconds, hang, escaped, executed)


DIAGNOSTIC = re.compile(re.escape(FILE) + r":(?P<line>[1-9][0-9]*):(?P<column>[0-9]+): error(\[E[0-9]+\])?: \S")
# a located warning may come before the errors (W103: a convolution left without padding among padded ones)
WARNING = re.compile(re.escape(FILE) + r":[1-9][0-9]*:[0-9]+: warning\[W[0-9]+\]: \S")


def known_bug(outcome: Outcome) -> str | None:
    """The open bug whose exact symptom this outcome shows, if any (see KNOWN_BUGS)."""
    if ("B12" in KNOWN_BUGS and outcome.exit_code == 3
            and re.search(r"internal error: (KeyError|IndexError): ", outcome.stderr)
            and re.search(rb"!!(bool|int|float)\b|tag:yaml.org,2002:(bool|int|float)>", outcome.data)):
        return "B12"
    return None


def problems_of(outcome: Outcome, cpu_limit: float | None = TIME_LIMIT) -> list[str]:
    """What is wrong with an outcome (empty: it is clean), known bugs tolerated."""
    problems = []
    if outcome.hang:
        return [f"hang: still running after {outcome.cpu_seconds:.0f} s of CPU"]
    if outcome.executed:
        problems.append(f"spec text was executed: {outcome.executed}")
    if outcome.escaped:
        problems.append(f"an exception escaped the CLI:\n{outcome.escaped}")
    if outcome.exit_code not in (0, 1, 2) and not known_bug(outcome):
        problems.append(f"exit code {outcome.exit_code} (0/1/2 expected; 3 is an internal error)")
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        problems.append("a traceback was printed")
    if CONTROL_CHARACTERS.search(outcome.stderr):
        problems.append(f"control characters on stderr: {CONTROL_CHARACTERS.findall(outcome.stderr)[:5]}")
    if cpu_limit is not None and outcome.cpu_seconds > cpu_limit:
        problems.append(f"took {outcome.cpu_seconds:.1f} s of CPU (limit {cpu_limit} s)")
    if outcome.exit_code == 2:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        if not lines:
            problems.append("exit 2 with nothing on stderr")
        errors = [line for line in lines if DIAGNOSTIC.match(line) or FILE_LEVEL.match(line)]
        if lines and not errors:
            problems.append("exit 2 with no error on stderr (warnings only)")
        unlocated = [line for line in lines if line not in errors and not WARNING.match(line)]
        if unlocated:
            problems.append(f"stderr lines that do not start with '{FILE}:LINE:COL: error': {unlocated[:3]}")
    return problems


def _save(data: bytes) -> str:
    """Keep a failing mutant for a repro: its path."""
    folder = os.path.join(tempfile.gettempdir(), "costcalc-fuzz-failures")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, hashlib.sha1(data).hexdigest()[:12] + ".yaml")
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def assert_clean(data: bytes, command: tuple[str, ...], description: str = "", alarm_after: int = ALARM,
                 cpu_limit: float | None = TIME_LIMIT) -> Outcome:
    """``cpu_limit`` None: the case is bounded by the work it does instead (see the B11 regression)."""
    outcome = run_case(data, command, alarm_after)
    problems = problems_of(outcome, cpu_limit)
    if problems:
        saved = _save(data)
        repro = " ".join(saved if arg == FILE else arg for arg in command)
        pytest.fail(f"{description}\ncostcalc {repro}\n  exit {outcome.exit_code}, {outcome.cpu_seconds:.2f} s CPU\n"
                    f"  stderr: {outcome.stderr[:1500]!r}\n  problems:\n    " + "\n    ".join(problems), pytrace=False)
    return outcome


# ---------------------------------------------------------------------------------------------------------
# Hostile material
# ---------------------------------------------------------------------------------------------------------

def quoted(text: str) -> str:
    """``text`` as a single-quoted YAML scalar (any text without line breaks)."""
    return "'" + text.replace("'", "''") + "'"


def laughs(levels: int, width: int = 10, tag: str = "lol") -> str:
    """Billion laughs as one flow value: ``width ** levels`` leaves, a few hundred bytes of YAML."""
    parts = [f"&{tag}0 [" + ", ".join(["lol"] * width) + "]"]
    parts += [f"&{tag}{i} [" + ", ".join([f"*{tag}{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "[" + ", ".join(parts) + "]"


def repeat_bomb(levels: int, width: int = 10, leaf: str = "relu") -> str:
    """An alias bomb that is a valid list of entries: ``width ** (levels + 1)`` leaves (ReLUs)."""
    parts = ["{repeat: 1, layers: &rb0 [" + ", ".join([f"{{{leaf}}}" if ":" in leaf else leaf] * width) + "]}"]
    parts += [f"{{repeat: 1, layers: &rb{i} [" + ", ".join([f"{{repeat: 1, layers: *rb{i - 1}}}"] * width) + "]}"
              for i in range(1, levels + 1)]
    return "[" + ", ".join(parts) + "]"


def nested_flow(depth: int, mapping: bool = False) -> str:
    return "{a: " * depth + "1" + "}" * depth if mapping else "[" * depth + "]" * depth


def nested_block_items(indent: str, depth: int) -> str:
    """``depth`` block-style repeats inside each other, the first a list item at ``indent``."""
    lines, pad = [], indent
    for _ in range(depth):
        lines += [f"{pad}- repeat: 1", f"{pad}  layers:"]
        pad += "    "
    lines.append(f"{pad}- relu")
    return "\n".join(lines) + "\n"


INJECTIONS = [  # expressions built to attack the parser; each names the marker, so running it would show
    f"__import__('os').system('touch {MARKER}')",
    f"__import__(\"os\").system(\"touch {MARKER}\")",
    f"open('{MARKER}', 'w')",
    f"exec(\"open('{MARKER}','w')\")",
    f"eval(\"open('{MARKER}','w')\")",
    f"(lambda: open('{MARKER}', 'w'))()",
    f"().__class__.__bases__[0].__subclasses__() and '{MARKER}'",
    f"in.__class__.__init__.__globals__['os'].system('touch {MARKER}')",
    f"globals()['__builtins__'].open('{MARKER}', 'w')",
    f"[x for x in ('{MARKER}',)]",
    f"f'{{open(\"{MARKER}\", \"w\")}}'",
    f"in; import os; os.system('touch {MARKER}')",
    f"in # {MARKER}",
    f"{MARKER}",
    f"Symbol('{MARKER}')",
    f"Function('{MARKER}')(in)",
    "in[0]",
    "in.real",
    "in * 10**10",
    "in * 10**30",
    "10**10**10",
    "9**9**9**9",
    "2**1000000",
    "2**-1",
    "make_divisible(in * 10**20, 8)",
    "make_divisible(in, 0)",
    "max(*[1] * 1000000000)",
    "in // 0",
    "in % 0",
    "in - in",
    "-in",
    "in if in else 0",
    "not in",
    "in and 0",
    "1e308 * 10",
    "1e-400",
    "0.1 + 0.2",
    "in / 3",
    "in ** 0.5",
    "(" * 1000 + "in" + ")" * 1000,
    "-" * 10000 + "1",
    "1+" * 50000 + "1",
    "in" + " * 1" * 30000,
    "a" * 100000,
    "in * " + "9" * 100000,
    "max(" * 500 + "1" + ")" * 500,
    "in\x00",
    "1/0", "1 // 0", "10 % 0", "0 ** -1",
    "in\\",
    "in ✓",
    "𝕚𝕟 * 2",
    "",
    " ",
]


VALUES = [  # scalar values where a count, size, name, flag or kind is due
    "-1", "0", "-0", "+5", "1", "2", "-2147483649", "4294967297", "9007199254740993", "10**30",
    "1000000000000000000000000000000", "1" + "0" * 200, "-" + "9" * 60,
    "3.5", "1.0", "0.0", "-0.0", "1e3", "1E3", "1e400", "-1e400", "1e-400", ".inf", "-.inf", ".nan", ".NaN", ".Inf",
    "true", "false", "True", "FALSE", "yes", "no", "on", "off", "y", "n", "Yes", "ON",
    "0x10", "0o10", "010", "0b11", "1_000", "1:30", "1:30:00", "190:20:30", "12:30:00", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", "1/2", "3/4", "1__0", "0x", "0xFFFFFFFFFFFFFFFFFFFFFFFF", "+.inf", "1e", "∞", "½", "٣",
    "null", "~", "Null", "", "[]", "{}", "[1, 2]", "[[]]", "{a: 1}", "[relu]", "{kernel: 3}", "''", '""', "' '",
    "'32'", '"32"', "'3.5'", "'true'", "'.inf'", "'in'", "'-1'", "'0x10'",
    "relu", "conv", "layers", "__init__", "__class__", "None", "NaN", "inf", "required", "PWNED",
    '"\\0"', '"a\\x00b"', '"\\x1b[31mred"', '"\\x1b]0;PWNED\\x07"', '"a\\rb"', '"\\u202eevil"', '"\\U0001F600"', '"\\ud800"', '"\\t"', '"a\\nb"',
    '"\\N"', '"\\_"', '"\\L\\P"',
    "a" * 100000, quoted("x" * 100000), quoted("é" * 50000), '"' + "\\x41" * 30000 + '"',
    "&anchor 5", "*undefined", "&a [*a]", "? a", "- a", "|", ">", "|\n  block text", "%", "@", "`", "!", "&", "*",
    "#", "a: b", "a, b", "[", "]", "{", "}", "'", '"', "'unclosed", '"unclosed', "---", "...",
]


TAGS = [  # each replaces or prefixes a value
    f"!!python/object/apply:os.system ['touch {MARKER}']",
    f"!!python/object/apply:os.system\n  - touch {MARKER}",
    f"!!python/object/new:os.system [touch {MARKER}]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:os.PathLike {}",
    "!!python/tuple [1, 2]",
    "!!python/bytes aGVsbG8=",
    f"!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {MARKER}']",
    "!!binary aGVsbG8=",
    "!!binary '!!!'",
    "!!binary {a: 1}",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1]",
    "!!str 3",
    "!!str {a: 1}",
    "!!int '3'",
    "!!float '3'",
    "!!bool true",
    "!!null ''",
    "!!merge <<",
    "!!value =",
    "!!yaml !",
    "!foo bar",
    "!foo {a: 1}",
    "!<!bar> 1",
    "!<tag:example.com,2000:app/foo> 1",
    "!! 3",
    "!!int nope", "!!float nope", "!!timestamp nope", "!!map 1", "!!map [1]", "!!seq {a: 1}", "!!seq 1",
    "!!bool 1", "!!bool nope", "!!int ''", "!!float ''", "!!int '-'", "!!int 0x10", "!!float 1e99999",
]
TAG_PREFIXES = ["!foo", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!binary", "!!timestamp", "!!map", "!!seq",
                "!!set", "!!omap", "!!pairs", "!!python/str", "!!python/int", "!!python/none",
                "!!python/object/apply:os.system"]

GARBAGE = [b"\t", b"\t\t", b"\r", b"\r\n", b"\n", b"\n\n", b" ", b"\xef\xbb\xbf", b"\xff", b"\xfe\xff", b"\xc3",
           b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\x80", b"\x80", b"{", b"}", b"[", b"]", b"'", b'"',
           b"&", b"*", b"!", b"%", b"@", b"`", b"|", b">", b"?", b":", b"- ", b"#", b",", b"---\n", b"...\n",
           b"%YAML 1.1\n---\n", b"\\", "é".encode(), "\u2028".encode(), "\u00a0".encode(), "\u3000".encode()]
CONTROL = [b"\x00", b"\x07", b"\x1b[31m", b"\x1b]0;PWNED\x07", b"\x7f", b"\x08", "\uffff".encode(), "\ufffe".encode(),
           b"\x0b", b"\x0c", "\x85".encode()]

KEYS = ["version", "name", "description", "reference", "input", "width", "blocks", "layers", "args", "channels", "size",
        "height", "rounding", "divisor", "kernel", "filters", "stride", "padding", "dilation", "groups", "bias", "fixed",
        "units", "repeat", "if", "else", "when", "residual", "shortcut", "concat", "branches", "split", "squeeze",
        "activation", "gate", "function", "rate", "ceil_mode", "batch_norm", "conv", "separable", "depthwise",
        "pointwise", "fc", "relu", "max_pool", "global_avg_pool", "squeeze_excite", "<<", "__class__", "__init__",
        "1", "~", "null", "true", "yes", "''", '""', "'a b'", "\"\\0\"", "k" * 10000, "? [a]", "[a]", "{a: 1}",
        "é", "PWNED"]

ITEMS = ["relu", "batch_norm", "global_avg_pool", "softmax", "flatten", "dropout", "fc: {units: 10}",
         "conv: {kernel: 3, filters: 8}", "{repeat: 2, layers: [relu]}", "{repeat: 0, layers: [relu]}",
         "{residual: {layers: [relu]}}", "{residual: {layers: [conv: {kernel: 1, filters: 7}]}}",
         "{concat: {branches: [[relu], []]}}", "{concat: {branches: [[relu]], split: true}}",
         "{if: 'true', layers: [relu]}", "{if: 'in', layers: [relu]}", "{if: 'x', layers: [relu]}",
         "squeeze_excite: {squeeze: 4}", "max_pool: {kernel: 1000}", "conv: {kernel: 1000000, filters: 1}",
         "{}", "[]", "~", "- relu", "[relu, relu]", "relu: relu", "{relu: {}, conv: {}}"]

LEAF = "relu"  # many unnamed layers in a row (B7)


def max_layers() -> int:
    """costcalc's limit on the number of layers of a network."""
    import costcalc.spec.build

    return int(getattr(costcalc.spec.build, "MAX_LAYERS", 100_000))


MANY = max_layers() - 100  # a large network costcalc still accepts

HUGE = ["{repeat: 1000000000, layers: [relu]}",
        "{repeat: 1000000000000000000000000000000, layers: [relu]}",
        "{repeat: '10**10', layers: [relu]}",
        "{repeat: '9**9**9', layers: [relu]}",
        "{repeat: 1000000000, layers: [conv: {kernel: 3, filters: 8, padding: 1}]}",
        "{repeat: 100000, layers: [{repeat: 100000, layers: [relu]}]}",
        f"{{repeat: {MANY}, layers: [{LEAF}]}}",
        f"{{repeat: {MANY // 10}, layers: [{{concat: {{branches: [[{LEAF}], [{LEAF}], [{LEAF}], [{LEAF}]]}}}}]}}",
        "conv: {kernel: 1, filters: 1000000000000000000000000000000}",
        "fc: {units: 1000000000000000000000000000000}"]


# ---------------------------------------------------------------------------------------------------------
# Mutations: each takes a draw function and the text, returns the new text and what it did
# ---------------------------------------------------------------------------------------------------------

VALUE_SITE = re.compile(r"""(?<=: )(?:"[^"\n]*"|'[^'\n]*'|[^\s\[\]{},#"'&*!|>][^\[\]{},#\n]*?)(?=[ \t]*(?:[,}\]]|[ \t]#|$))""",
                        re.MULTILINE)
ITEM_SITE = re.compile(r"(?<=- )[A-Za-z_]\w*(?=[ \t]*(?:#.*)?$)", re.MULTILINE)  # a bare kind or block: `- relu`
QUOTED_SITE = re.compile(r""""[^"\n]+"|'[^'\n]+'""")
KEY_SITE = re.compile(r"(?<![\w\"'-])[A-Za-z_]\w*(?=:[ \t\n])")
LIST_ITEM_LINE = re.compile(r"^([ \t]*)- ", re.MULTILINE)
BLOCK_NAMES = re.compile(r"^  ([A-Za-z_]\w*):[ \t]*(?:#.*)?$", re.MULTILINE)

Draw = Callable[[st.SearchStrategy[Any]], Any]


def _pick(draw: Draw, matches: list[re.Match[str]]) -> re.Match[str] | None:
    return draw(st.sampled_from(matches)) if matches else None


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _value_sites(text: str) -> list[re.Match[str]]:
    return list(VALUE_SITE.finditer(text)) + list(ITEM_SITE.finditer(text))


def _value_end(text: str, start: int) -> int:
    """Where the value that starts at ``start`` ends: a bracketed flow value, else up to , } ] # or the line's end."""
    if start < len(text) and text[start] in "[{":
        depth = 0
        for i in range(start, len(text)):
            if text[i] in "[{":
                depth += 1
            elif text[i] in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
        return len(text)
    match = re.compile(r"[,}\]\n]| #").search(text, start)
    return match.start() if match else len(text)


def _key_span(text: str, key: re.Match[str]) -> tuple[int, int]:
    """The span of ``key: value``: a flow or inline value, or a block value's whole subtree of lines."""
    after = key.end() + 1  # past the colon
    line_end = text.find("\n", after)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[after:line_end].strip()
    if rest and not rest.startswith("#"):
        value_start = after + (len(text[after:line_end]) - len(text[after:line_end].lstrip()))
        return key.start(), _value_end(text, value_start)
    line_start = text.rfind("\n", 0, key.start()) + 1
    indent = len(text[line_start:key.start()]) - len(text[line_start:key.start()].lstrip(" -"))
    end = line_end
    while end < len(text):
        next_end = text.find("\n", end + 1)
        next_end = len(text) if next_end < 0 else next_end
        line = text[end + 1:next_end]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        end = next_end
    return key.start(), end


def mutate_value(draw: Draw, text: str) -> tuple[str, str]:
    site = _pick(draw, _value_sites(text))
    if site is None:
        return text, "no value to replace"
    new = draw(st.one_of(
        st.sampled_from(VALUES),
        st.integers(min_value=-(10 ** 40), max_value=10 ** 40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=20).map(quoted),
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_ ]{0,12}", fullmatch=True),
    ))
    return _replace(text, site.start(), site.end(), new), f"value {site.group()[:40]!r} at {site.start()} -> {new[:60]!r}"


def mutate_expression(draw: Draw, text: str) -> tuple[str, str]:
    """Put a hostile expression where a value is (quoted), or splice a token into an existing expression."""
    if draw(st.booleans()):
        site = _pick(draw, _value_sites(text))
        if site is None:
            return text, "no value"
        expression = draw(st.sampled_from(INJECTIONS))
        new = quoted(expression) if draw(st.integers(0, 3)) else '"' + expression.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return _replace(text, site.start(), site.end(), new), f"value {site.group()[:40]!r} -> expression {expression[:60]!r}"
    site = _pick(draw, list(QUOTED_SITE.finditer(text)))
    if site is None:
        return text, "no expression"
    token = draw(st.sampled_from(["__import__", ".", "[0]", "(", ")", "**", "** 10**10", "lambda:", "*", "//", "/ 0",
                                  " if ", " and ", " not ", "in", "max(", ",", "'", "\\", "\x00", "é", "1e400", "0x10",
                                  f"open('{MARKER}','w')", "__class__", "10" * 20, "(" * 100]))
    inner = site.group()[1:-1]
    at = draw(st.integers(0, len(inner)))
    spliced = inner[:at] + token + inner[at:]
    new = quoted(spliced)
    return _replace(text, site.start(), site.end(), new), f"expression {site.group()[:40]!r} -> {new[:60]!r}"


def mutate_key(draw: Draw, text: str) -> tuple[str, str]:
    key = _pick(draw, list(KEY_SITE.finditer(text)))
    if key is None:
        return text, "no key"
    action = draw(st.sampled_from(["rename", "rename", "delete", "duplicate"]))
    if action == "rename":
        name = key.group()
        new = draw(st.one_of(
            st.sampled_from(KEYS),
            st.integers(0, max(0, len(name) - 1)).map(lambda i: name[:i] + name[i + 1:]),  # a letter dropped
            st.integers(0, max(0, len(name) - 1)).map(lambda i: name[:i] + name[i] + name[i:]),  # doubled
            st.integers(0, max(0, len(name) - 2)).map(lambda i: name[:i] + name[i + 1:i + 2] + name[i] + name[i + 2:]),
            st.just(name.upper()),
            st.just(name + "s"),
        ))
        return _replace(text, key.start(), key.end(), new), f"key {name!r} renamed {new[:40]!r}"
    start, end = _key_span(text, key)
    if action == "delete":
        new_text = text[:start] + text[end:]
        return new_text, f"key {key.group()!r} deleted with its value"
    pair = text[start:end]
    if "\n" in pair:  # a block subtree: the same lines again
        line_start = text.rfind("\n", 0, start) + 1
        return text[:end] + "\n" + text[line_start:end] + text[end:], f"key {key.group()!r} duplicated (block)"
    return text[:end] + ", " + pair + text[end:], f"key {key.group()!r} duplicated"


def mutate_structure(draw: Draw, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    n = len(lines)
    i = draw(st.integers(0, n - 1))
    j = draw(st.integers(0, n - 1))
    action = draw(st.sampled_from(["delete", "duplicate", "swap", "move", "shuffle", "indent", "dedent", "tab",
                                   "join", "split", "item", "item", "call"]))
    if action == "delete":
        del lines[i]
    elif action == "duplicate":
        lines.insert(i, lines[i])
    elif action == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "move":
        lines.insert(j, lines.pop(i))
    elif action == "shuffle":
        k = draw(st.integers(2, 12))
        chunk = lines[i:i + k]
        order = draw(st.permutations(range(len(chunk))))
        lines[i:i + k] = [chunk[m] for m in order]
    elif action == "indent":
        lines[i] = " " * draw(st.sampled_from([1, 2, 4])) + lines[i]
    elif action == "dedent":
        lines[i] = lines[i][draw(st.sampled_from([1, 2, 4])):] if lines[i][:1] == " " else lines[i].lstrip()
    elif action == "tab":
        lines[i] = "\t" + lines[i]
    elif action == "join" and i + 1 < n:
        lines[i:i + 2] = [lines[i] + " " + lines[i + 1].lstrip()]
    elif action == "split":
        at = draw(st.integers(0, len(lines[i])))
        lines[i:i + 1] = [lines[i][:at], lines[i][at:]]
    elif action in ("item", "call"):
        text, what = insert_item(draw, text, call=action == "call")
        return text, what
    return "\n".join(lines), f"line {i + 1}: {action} (with line {j + 1})"


def insert_item(draw: Draw, text: str, call: bool = False, items: list[str] | None = None,
                large: bool = False) -> tuple[str, str]:
    """A new list item before an existing one: a layer, a structure, or a call of one of the spec's blocks
    (inside that block itself, sometimes: a recursive block). A large item goes only into the top-level
    layers (in a block used 58 times, MANY layers would be far over the limit: refused, not large)."""
    sites = list(LIST_ITEM_LINE.finditer(text))
    if large:
        top = text.rfind("\nlayers:")
        sites = [site for site in sites if site.start() > top] or sites
    site = _pick(draw, sites)
    if site is None:
        return text, "no list item"
    blocks = BLOCK_NAMES.findall(text.split("\nlayers:")[0]) if "\nblocks:" in text else []
    if call and blocks:
        name = draw(st.sampled_from(blocks))
        item = draw(st.sampled_from([name, f"{name}: {{}}", f"{{{name}: {{name: again}}}}"]))
    else:
        item = draw(st.sampled_from(items or ITEMS))
    indent = site.group(1)
    return _replace(text, site.start(), site.start(), f"{indent}- {item}\n"), f"item {item[:60]!r} inserted at {site.start()}"


def mutate_tag(draw: Draw, text: str) -> tuple[str, str]:
    site = _pick(draw, list(VALUE_SITE.finditer(text)))
    if site is None:
        return text, "no value"
    if draw(st.booleans()):
        tagged = draw(st.sampled_from(TAGS))
        if "\n" in tagged:  # a block form: only where the value ends its line
            tagged = tagged.split("\n")[0] + " [touch PWNED]"
        new = tagged
    else:
        new = draw(st.sampled_from(TAG_PREFIXES)) + " " + site.group()
    if draw(st.integers(0, 9)) == 0:  # the whole document tagged
        return draw(st.sampled_from(TAG_PREFIXES)) + "\n" + text, "document tagged"
    return _replace(text, site.start(), site.end(), new), f"value {site.group()[:40]!r} -> {new[:80]!r}"


def mutate_bomb(draw: Draw, text: str) -> tuple[str, str]:
    kind = draw(st.sampled_from(["laughs", "deep_flow", "deep_block", "huge_item", "huge_value", "long_string",
                                 "many_keys", "long_line", "repeat_bomb"]))
    if kind == "laughs":  # a billion laughs where a value is due: must not be expanded to print an error
        site = _pick(draw, list(VALUE_SITE.finditer(text)))
        if site is None:
            return text, "no value"
        levels = draw(st.integers(3, 9))
        return _replace(text, site.start(), site.end(), laughs(levels)), f"value {site.group()[:30]!r} -> laughs({levels})"
    if kind == "repeat_bomb":  # an alias bomb that validation would walk: refused by its expansion, not walked
        levels = draw(st.integers(3, 9))
        return insert_item(draw, text, items=[repeat_bomb(levels, leaf=LEAF)], large=True)[0], f"large: repeat_bomb({levels})"
    if kind == "deep_flow":
        site = _pick(draw, list(VALUE_SITE.finditer(text)))
        if site is None:
            return text, "no value"
        depth = draw(st.sampled_from([50, 100, 200, 500, 900, 999, 1000, 1001, 5000, 20000]))
        mapping = draw(st.booleans())
        return (_replace(text, site.start(), site.end(), nested_flow(depth, mapping)),
                f"value {site.group()[:30]!r} -> nested {'mappings' if mapping else 'lists'} {depth} deep")
    if kind == "deep_block":
        site = _pick(draw, list(LIST_ITEM_LINE.finditer(text)))
        if site is None:
            return text, "no list item"
        depth = draw(st.sampled_from([10, 63, 64, 65, 100, 300, 1100]))
        return _replace(text, site.start(), site.start(), nested_block_items(site.group(1), depth)), f"{depth} nested repeats"
    if kind == "huge_item":
        text, what = insert_item(draw, text, items=HUGE, large=True)
        return text, f"large: {what}"
    if kind == "huge_value":
        site = _pick(draw, _value_sites(text))
        if site is None:
            return text, "no value"
        new = draw(st.sampled_from(["1000000000", "1" + "0" * 30, "1" + "0" * 300, "1" + "0" * 5000, "'10**30'",
                                    "'in * 10**29'", "99999999999999999999"]))
        return _replace(text, site.start(), site.end(), new), f"value {site.group()[:30]!r} -> {new[:40]}"
    if kind == "long_string":
        site = _pick(draw, _value_sites(text))
        if site is None:
            return text, "no value"
        new = draw(st.sampled_from(["a" * 100000, quoted("in + " * 20000 + "1"), quoted("a" * 1_000_000)]))
        return _replace(text, site.start(), site.end(), new), f"value {site.group()[:30]!r} -> a string of {len(new)}"
    if kind == "many_keys":  # a layer with many unknown fields: every one reported, in bounded time
        count = draw(st.sampled_from([100, 10000]))
        item = "conv: {kernel: 3, filters: 8, " + ", ".join(f"k{i}: {i}" for i in range(count)) + "}"
        return insert_item(draw, text, items=[item], large=True)[0], f"large: a layer with {count} unknown fields"
    count = draw(st.sampled_from([3000, MANY, 100000]))  # long_line
    leaf = "{" + LEAF + "}" if ":" in LEAF else LEAF
    return (insert_item(draw, text, items=["{repeat: 1, layers: [" + ", ".join([leaf] * count) + "]}"], large=True)[0],
            f"large: {count} x {LEAF} on one line")


FAMILIES: dict[str, Callable[[Draw, str], tuple[str, str]]] = {
    "values": mutate_value,
    "expressions": mutate_expression,
    "keys": mutate_key,
    "structure": mutate_structure,
    "tags": mutate_tag,
    "bombs": mutate_bomb,
}


def mutate_bytes(draw: Draw, data: bytes) -> tuple[bytes, str]:
    action = draw(st.sampled_from(["truncate", "truncate", "garbage", "garbage", "random", "flip", "delete"]))
    at = draw(st.integers(0, len(data)))
    if action == "truncate":
        return data[:at], f"truncated at byte {at}"
    if action == "garbage":
        junk = draw(st.sampled_from(GARBAGE + CONTROL))
        return data[:at] + junk + data[at:], f"{junk!r} inserted at byte {at}"
    if action == "random":
        junk = draw(st.binary(min_size=1, max_size=16))
        return data[:at] + junk + data[at:], f"{junk!r} inserted at byte {at}"
    if action == "flip" and at < len(data):
        return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1:], f"bit flipped at {at}"
    end = min(len(data), at + draw(st.integers(1, 200)))
    return data[:at] + data[end:], f"bytes {at}..{end} deleted"


class Case:
    """A mutant and the command to run on it (a plain class: hypothesis prints its short repr, not its bytes)."""

    def __init__(self, spec: str, data: bytes, steps: list[str], command: tuple[str, ...]):
        self.spec, self.data, self.steps, self.command = spec, data, steps, command

    def __repr__(self) -> str:  # what hypothesis prints for a failing example: short and readable
        return f"Case(spec={self.spec!r}, steps={self.steps!r}, command={' '.join(self.command)!r}, size={len(self.data)})"


@st.composite
def cases(draw: Draw, families: tuple[str, ...] = (), byte_level: bool = False, steps: int = 1) -> Case:
    spec = draw(st.one_of(st.sampled_from(FAVOURITES), st.sampled_from(sorted(SPECS))))
    text = SPECS[spec]
    done = []
    for _ in range(draw(st.integers(1, steps))):
        family = draw(st.sampled_from(families)) if families else None
        if family is not None:
            text, what = FAMILIES[family](draw, text)
            done.append(f"{family}: {what}")
    data = text.encode("utf-8", "surrogatepass")
    if byte_level:
        for _ in range(draw(st.integers(1, steps))):
            data, what = mutate_bytes(draw, data)
            done.append(f"bytes: {what}")
    large = any("large: " in step for step in done)
    return Case(spec, data, done, draw(st.sampled_from(NOT_SOLVE if large and "B11" in KNOWN_BUGS else COMMANDS)))


def check(case: Case) -> None:
    assert_clean(case.data, case.command, f"{case.spec}: " + "; ".join(case.steps))


# ---------------------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------------------

def _case(old: str, new: str, command: tuple[str, ...] = REPORT, spec: str = "base_net") -> Case:
    """BASE (or a bundled spec) with one hand-picked change."""
    text = SPECS[spec]
    assert old in text, (spec, old)
    return Case(spec, text.replace(old, new, 1).encode("utf-8", "surrogatepass"), [f"{old!r} -> {new[:60]!r}"], command)


def _raw(data: bytes, what: str) -> Case:
    return Case("base_net", data, [what], REPORT)


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_the_unmutated_specs_are_clean(spec: str) -> None:
    """The fuzzer's starting points work with every command it uses (else every mutant would be noise)."""
    for command in dict.fromkeys(COMMANDS):
        outcome = assert_clean(SPECS[spec].encode(), command, spec)
        assert outcome.exit_code in (0, 1), (spec, command, outcome.stderr)


@fuzz_settings(40)
@given(case=cases(("values",)))
@example(case=_case("filters: 32", "filters: 1000000000000000000000000000000"))
@example(case=_case("size: 224", "size: 1000000000000000000000000000000", SWEEP))
@example(case=_case("stride: 2", "stride: yes"))
@example(case=_case("kernel: 3", "kernel: .nan"))
@example(case=_case("kernel: 3", "kernel: 0x10"))
@example(case=_case("filters: 32", "filters: 1_000"))
@example(case=_case("filters: 32", "filters: 1:30"))
@example(case=_case("filters: 32", "filters: 010"))
@example(case=_case("filters: 32", "filters: 1e3"))
@example(case=_case("filters: 32", "filters: on"))
@example(case=_case("exp: 128", "exp: " + "a" * 100000))
@example(case=_case("repeat: 5", "repeat: 1000000000"))
@example(case=_case("c1: 32", "c1: -1", CHECK))
@example(case=_case("divisor: 8", "divisor: 0", CSV))
@example(case=_case("channels: 3", "channels: .inf", COMPARE))
def test_hostile_values(case: Case) -> None:
    check(case)


@fuzz_settings(40)
@given(case=cases(("expressions",)))
@example(case=_case('padding: "(kernel - 1) // 2"', f"padding: \"__import__('os').system('touch {MARKER}')\""))
@example(case=_case('squeeze: "make_divisible(in // 4, 8)"', 'squeeze: "in * 10**10"'))
@example(case=_case('squeeze: "make_divisible(in // 4, 8)"', 'squeeze: "10**10**10"', SYMBOLIC))
@example(case=_case("when: stride == 1 and cin == out", f"when: \"(lambda: open('{MARKER}', 'w'))()\""))
@example(case=_case("exp: 128", f"exp: \"().__class__.__bases__[0].__subclasses__() and '{MARKER}'\""))
@example(case=_case("exp: 128", "exp: '" + "1+" * 50000 + "1'"))
@example(case=_case("if: se", f"if: \"exec('open(\\\"{MARKER}\\\", \\\"w\\\")')\"", SOLVE))
def test_expression_injections(case: Case) -> None:
    check(case)


@fuzz_settings(30)
@given(case=cases(("keys",)))
@example(case=_case("filters: 32", "filters: 32, filters: 64"))
@example(case=_case("\nlayers:", "\nlayer:"))
@example(case=_case("exp: 128", "expand: 128"))
@example(case=_case("  bneck:", "  conv:"))
def test_keys_renamed_deleted_duplicated(case: Case) -> None:
    check(case)


@fuzz_settings(40)
@given(case=cases(("structure",)))
@example(case=_case("            - batch_norm\n  inception:", "            - bneck: {cin: 8, exp: 8, out: 8}\n  inception:"))
@example(case=_case("              - relu\nlayers:", "              - bneck: {cin: 8, exp: 8, out: 8}\nlayers:"))
@example(case=_case("            - batch_norm\n  inception:", "            - inception: {c1: 8, c3: 8}\n  inception:"))
@example(case=_case("layers:\n  - conv", "layers:\n\t- relu\n  - conv"))
def test_structure(case: Case) -> None:
    check(case)


@fuzz_settings(40)
@given(case=cases(byte_level=True, steps=2))
@example(case=_raw(BASE.encode()[:1000], "truncated at byte 1000"))
@example(case=_raw(BASE.encode()[:1], "truncated at byte 1"))
@example(case=_raw(b"", "empty"))
@example(case=_raw(BASE.encode().replace(b"name:", b"n\xffame:"), "\\xff"))
@example(case=_raw(BASE.encode().replace(b"\n", b"\r\n"), "CRLF"))
@example(case=_raw(b"\xef\xbb\xbf" + BASE.encode(), "BOM"))
@example(case=_raw(BASE.encode("utf-16"), "UTF-16"))
def test_truncation_and_garbage_bytes(case: Case) -> None:
    check(case)


@fuzz_settings(25)
@given(case=cases(("tags",)))
@example(case=_case("filters: 32", f"filters: !!python/object/apply:os.system ['touch {MARKER}']"))
@example(case=_case("\nlayers:\n", f"\nlayers: !!python/object/apply:os.system ['touch {MARKER}']\nx:\n"))
@example(case=_case("name: base_net", "name: !!binary aGVsbG8="))
@example(case=_case("filters: 32", "filters: !foo 32"))
@example(case=_raw(("%TAG !p! tag:yaml.org,2002:python/\n---\n" + BASE.replace(
    "filters: 32", f"filters: !p!object/apply:os.system ['touch {MARKER}']")).encode(), "%TAG"))
def test_yaml_tags(case: Case) -> None:
    check(case)


@fuzz_settings(25)
@given(case=cases(("bombs",)))
@example(case=_case("name: base_net", "name: " + laughs(9)))
@example(case=_case("filters: 32", "filters: " + laughs(9)))
@example(case=_case("  - softmax", "  - " + repeat_bomb(9, leaf=LEAF)))
@example(case=_case("\nlayers:\n", "\nlayers: " + nested_flow(5000) + "\nx:\n"))
@example(case=_case("\nlayers:\n", "\nlayers:\n" + nested_block_items("  ", 1100)))
@example(case=_case("repeat: 5", "repeat: 1000000000"))
@example(case=_case("repeat: 5", "repeat: " + "9" * 4000))
@example(case=_case("  - softmax", "  - {repeat: 100000, layers: [{repeat: 100000, layers: [relu]}]}"))
def test_bombs(case: Case) -> None:
    check(case)


@fuzz_settings(60)
@given(case=cases(tuple(FAMILIES), byte_level=False, steps=4))
def test_mixed_mutations(case: Case) -> None:
    check(case)


@fuzz_settings(20)
@given(case=cases(tuple(FAMILIES), byte_level=True, steps=3))
def test_mixed_mutations_then_bytes(case: Case) -> None:
    check(case)


# Hand-picked cases beyond the bundled specs' shapes: blocks that call each other, fan-out through blocks.
HEAD = "version: 1\nname: x\ninput: {channels: 3, size: 32}\n"
FANOUT = HEAD + "blocks:\n" + "".join(
    f"  b{i}:\n    layers: [{', '.join([f'b{i - 1}'] * 10)}]\n" for i in range(1, 12)) + "  b0:\n    layers: [relu]\nlayers: [b11]\n"


@pytest.mark.parametrize("text", [
    pytest.param(HEAD + "blocks:\n  a:\n    layers: [b]\n  b:\n    layers: [a]\nlayers: [a]\n", id="mutual-recursion"),
    pytest.param(HEAD + "blocks:\n  a:\n    args: {n: required}\n    layers:\n      - if: n > 0\n"
                 "        layers: [a: {n: n - 1}]\nlayers: [a: {n: 1000000000}]\n", id="recursion-with-base-case"),
    pytest.param(FANOUT, id="fan-out-10^11-layers"),
    pytest.param(HEAD + "blocks:\n  a:\n    args: {n: required}\n    layers:\n      - repeat: n\n        layers: [relu]\n"
                 "layers: [a: {n: 1000000000}]\n", id="repeat-count-from-argument"),
    pytest.param(HEAD + "layers:\n  - conv: {<<: 5, kernel: 3, filters: 8}\n", id="bad-merge-key"),
    pytest.param(HEAD + "layers:\n  - conv: {? [a, b] : 1, kernel: 3, filters: 8}\n", id="complex-key"),
    pytest.param(HEAD + "layers:\n  - conv: {.nan: 1, .nan: 2, kernel: 3, filters: 8}\n", id="nan-keys"),
    pytest.param(BASE + "\n---\n" + BASE, id="two-documents"),
    pytest.param("%YAML 2.0\n---\n" + BASE, id="yaml-2.0"),
    pytest.param(HEAD + 'layers:\n  - conv: {kernel: 3, filters: 8, name: "\\ud800"}\n', id="surrogate-escape"),
    pytest.param(HEAD.replace("name: x", 'name: "a\\0b"') + "layers: [relu]\n", id="nul-escape"),
])
@pytest.mark.parametrize("command", [REPORT, SWEEP, CHECK, TABLE], ids=["report", "sweep", "check", "table"])
def test_hand_picked(text: str, command: tuple[str, ...]) -> None:
    assert_clean(text.encode("utf-8", "surrogatepass"), command)


# ---------------------------------------------------------------------------------------------------------
# Regressions: the cases of every bug this suite found (see KNOWN_BUGS). An open bug's case is a strict xfail;
# when the bug is fixed it XPASSes and fails: remove the bug from KNOWN_BUGS.
# ---------------------------------------------------------------------------------------------------------

def assert_strictly_clean(data: bytes, command: tuple[str, ...] = REPORT, alarm_after: int = ALARM) -> None:
    """``assert_clean`` with no open bug's symptom tolerated."""
    saved = set(KNOWN_BUGS)
    KNOWN_BUGS.clear()
    try:
        assert_clean(data, command, alarm_after=alarm_after)
    finally:
        KNOWN_BUGS.update(saved)


def _bug(bug: str, reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(bug in KNOWN_BUGS, strict=True, reason=f"BUG {bug}: {reason}")


def _base(old: str, new: str) -> bytes:
    assert old in BASE, old
    return BASE.replace(old, new, 1).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("data", [
    pytest.param(_base("name: base_net", "name: base\x00net"), id="B1-nul"),
    pytest.param(_base("name: base_net", "name: base\x07net"), id="B1-bel"),
    pytest.param(_base("name: base_net", "name: base\uffffnet"), id="B1-uffff"),
    pytest.param(_base("filters: 32", "filters: " + nested_flow(900)), id="B2-lists-900-deep"),
    pytest.param(_base("filters: 32", "filters: " + nested_flow(500, mapping=True)), id="B2-maps-500-deep"),
    pytest.param(_base("filters: 32", "filters: !!int nope"), id="B3-int"),
    pytest.param(_base("filters: 32", "filters: !!float nope"), id="B3-float"),
    pytest.param(_base("filters: 32", "filters: !!timestamp nope"), id="B3-timestamp"),
    pytest.param(_base("filters: 32", "filters: 1" + "0" * 5000), id="B3-5001-digits"),
    *[pytest.param(_base("repeat: 5", f"repeat: {quoted(text)}"), id=f"B4-repeat-{text}")
      for text in ("1/0", "1 // 0", "10 % 0")],
    pytest.param(_base("exp: 128", "exp: '1/0'"), id="B4-block-argument"),
    pytest.param(_base("when: stride == 1 and cin == out", "when: '1/0'"), id="B4-when"),
    pytest.param(_base("if: se", "if: '1/0'"), id="B4-if"),
    pytest.param(_base("  - softmax", "  - " + repeat_bomb(5)), id="B5-alias-bomb-10^6"),
    pytest.param(_base("  - softmax", "  - " + repeat_bomb(9)), id="B5-alias-bomb-10^10"),
    pytest.param(_base("version: 1", "version: &a [*a]"), id="B6-recursive-alias"),
    pytest.param(_base("  - softmax", "  - &a {repeat: 1, layers: [*a]}"), id="B6-recursive-alias-in-layers"),
    pytest.param(_base("kernel: 3, filters: 32", 'kernel: "a\\nb", filters: 32'), id="B9-line-break-in-value"),
    pytest.param(_base("  - softmax", '  - "soft\\nmax"'), id="B9-line-break-in-kind"),
    pytest.param(_base("kernel: 3, filters: 32", 'kernel: 3, filters: "\\x1b]0;PWNED\\x07"'), id="B9-terminal-escape"),
    *[pytest.param(_base("filters: 32", "filters: " + tag), id="B10-" + tag.replace(" ", ""))
      for tag in ("!!map 1", "!!map [1]", "!!seq {a: 1}", "!!seq 1")],
    *[pytest.param(_base("filters: 32", "filters: " + tag), id="B12-" + tag.replace(" ", ""),
                   marks=_bug("B12", f"`filters: {tag}`: PyYAML raises KeyError/IndexError, not caught: exit 3"))
      for tag in ("!!bool 1", "!!bool nope", "!!int ''", "!!float ''", "!!int '-'")],
])
def test_regression(data: bytes) -> None:
    assert_strictly_clean(data)


def test_regression_b7_many_activations_in_a_row() -> None:
    assert_strictly_clean(_base("  - softmax", "  - {repeat: 10000, layers: [relu]}"), alarm_after=int(TIME_LIMIT) + 1)


def test_regression_b8_large_file_of_small_values() -> None:
    count = (10 * 2**20 - len(BASE)) // len("relu, ") - 10  # just under the 10 MB limit on spec files
    assert_strictly_clean(_base("  - softmax", "  - {repeat: 1, layers: [" + ", ".join(["relu"] * count) + "]}"),
                  alarm_after=int(TIME_LIMIT) + 1)


def _largest_allowed_network() -> bytes:
    """BASE grown to just under costcalc's limit on the number of layers."""
    import costcalc.spec.build

    limit = getattr(costcalc.spec.build, "MAX_LAYERS", 100_000)
    return _base("  - softmax", f"  - {{repeat: {limit - 100}, layers: [pointwise: {{filters: 8}}]}}")  # BASE: ~70


def _layer_kinds() -> set[type]:
    from costcalc.layers.base import Layer

    found: set[type] = set()
    todo = [Layer]
    while todo:
        for kind in todo.pop().__subclasses__():
            if kind not in found:
                found.add(kind)
                todo.append(kind)
    return found


@contextmanager
def counting_layer_work() -> Iterator[list[int]]:
    """Count the calls of every layer kind's ``output_shape`` and ``costs``: the work a network's evaluation
    does per layer, whatever the machine's speed."""
    calls = [0]
    saved = []
    for kind in _layer_kinds():
        for name in ("output_shape", "costs", "merge_shape", "merge_costs"):
            method = vars(kind).get(name)
            if method is None:
                continue

            def counted(self: Any, *args: Any, _method: Any = method, **kwargs: Any) -> Any:
                calls[0] += 1
                return _method(self, *args, **kwargs)

            saved.append((kind, name, method))
            setattr(kind, name, counted)
    try:
        yield calls
    finally:
        for kind, name, method in saved:
            setattr(kind, name, method)


@pytest.mark.parametrize("command", [
    pytest.param(TABLE, id="table"),
    pytest.param(SOLVE, id="solve"),
    pytest.param(SYMBOLIC, id="symbolic"),
    pytest.param(SWEEP, id="sweep"),
])
def test_regression_b11_largest_allowed_network(command: tuple[str, ...]) -> None:
    """B11 was work per node and per width: every copy of a repeated layer was recomputed at every width
    `solve` tried. The bound is on that work, not on seconds (the run takes a few seconds of CPU, more on a
    loaded machine): fewer layer computations in the whole run than the network has layers."""
    data = _largest_allowed_network()
    with counting_layer_work() as calls:
        assert_clean(data, command, alarm_after=120, cpu_limit=None)
    import costcalc.spec.build

    assert 0 < calls[0] < costcalc.spec.build.MAX_LAYERS, f"{calls[0]:,} layer computations"
