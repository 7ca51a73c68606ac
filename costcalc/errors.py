"""Diagnostics: what is wrong with user input, and where.

The core raises these; only the CLI prints them (``path:line:col: error[CODE]: message``, the codes in
``CODES`` below) and turns them into exit code 2. Anything else that escapes is a bug (exit 3).
"""

import re
from typing import NamedTuple

from costcalc.render.sinks.terminal import visible


def printable(text: str) -> str:
    """``text`` with line breaks, tabs and other control characters written as escapes (``\\n``,
    ``\\x1b``), so that a diagnostic is one line and a spec cannot send escape sequences to the terminal:
    the terminal sink's rule (``costcalc.render.sinks.terminal``), which every output to a terminal shares."""
    return visible(text)


QUOTE_LIMIT = 60  # characters of a value or key from a file that a message may quote (docs/errors.md)


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value from a file as a message quotes it: its ``repr`` on one line, cut after ``limit`` characters (with
    the length said), so that a message never repeats more than a bounded piece of a file."""
    if isinstance(value, str):
        if len(value) <= limit:
            return printable(repr(value))
        return f"{printable(repr(value[:limit]))}... ({len(value):,} characters)"
    if isinstance(value, list):
        return f"a list of {len(value):,}" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"  # repr could refuse it
    if value is None:
        return "null"
    text = printable(repr(value)) if isinstance(value, (bool, int, float)) else type(value).__name__
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


_QUOTED = r"'([^'\n]*)'|\"([^\"\n]*)\""  # a pattern's text: re compiles it when first used, and caches it (start-up, issue 17)


def shorten_quotes(message: str, limit: int = 40) -> str:
    """A third party's message (PyYAML's, a parser's) with every quoted piece cut to ``limit`` characters and
    the whole on one line: such a message may quote the file it could not read."""
    def cut(match: re.Match[str]) -> str:
        text = match[1] if match[1] is not None else match[2]
        return match[0] if len(text) <= limit else quoted(text, limit)

    return printable(re.sub(_QUOTED, cut, message))


class Location(NamedTuple):
    """A place in a source file: 1-based line and column (0 when unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{printable(self.path)}:{self.line}:{self.column}"
        return printable(self.path)


class Diagnostic(NamedTuple):
    location: Location
    message: str
    code: str = ""  # a stable code from CODES below, such as "E204" (a "W" code: a warning)

    def __str__(self) -> str:
        severity = "warning" if self.code.startswith("W") else "error"
        kind = f"{severity}[{self.code}]" if self.code else severity
        return f"{self.location}: {kind}: {printable(self.message)}"


class CostcalcError(Exception):
    """Bad user input: one or more diagnostics. The CLI prints each and exits with status 2."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class CostcalcWarning(UserWarning):
    """A problem that does not stop costcalc (a local file that a bundled spec's name shadows, a job summary it
    cannot write). The core warns (``warn``) and never prints; the CLI prints ``PLACE: warning[W100]: ...``."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def warn(location: Location, message: str, code: str) -> None:
    import warnings

    warnings.warn(CostcalcWarning(Diagnostic(location, message, code)), stacklevel=2)


class OutputError(CostcalcError):
    """An output file cannot be written (missing folder, no permission, full disk)."""


class SpecError(CostcalcError):
    """The spec file cannot be read, parsed, validated or evaluated."""


def closest(word: object, choices: object) -> str | None:
    """The choice most like ``word`` (a likely typo of it), or None."""
    import difflib

    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)  # type: ignore[attr-defined]
    return matches[0] if matches else None


def did_you_mean(word: object, choices: object) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""


class ShapeError(ValueError):
    """A shape or channel count that cannot exist (raised in exact mode only; located by the network).
    ``code``: its code in CODES."""

    def __init__(self, message: str, code: str = "E400"):
        super().__init__(message)
        self.code = code


# The stable codes of diagnostics (``path:line:col: error[CODE]: message``). A code names the kind of problem,
# so that scripts and people can look it up (docs/errors.md lists them all, with an example each) and
# so that a reworded message is still the same error. Codes are never reused for another meaning. The
# hundreds say which stage found the problem: reading the file (1xx), the spec's structure (2xx), blocks and
# expressions (3xx), shapes when the network is evaluated (4xx), budgets and baselines, convention files and
# device profiles (5xx), writing output (6xx); warnings are W1xx.
CODES: dict[str, str] = {
    # Reading the file
    "E100": "the file cannot be read: missing, a directory, unreadable, or too large",
    "E101": "the file is not UTF-8 text",
    "E102": "invalid YAML syntax: a tab indent, an unclosed bracket, a truncated file, ...",
    "E103": "a YAML tag that would build something other than plain data (!!python/..., !!binary, !custom)",
    "E104": "a key given twice in the same mapping",
    "E105": "the YAML exceeds a limit: nested too deeply, or aliases that expand too far (a YAML bomb)",
    "E106": "the file is empty, or is not a mapping",
    "E107": "a TOML or JSON file nested too deeply, or a JSON file holding too many values",
    "E108": "more problems than costcalc reports at once: it stops after 100",
    # The spec's structure
    "E200": "an unknown key",
    "E201": "a required key is missing",
    "E202": "a value of the wrong type or shape (a mapping, list or entry expected)",
    "E203": "an unsupported spec version",
    "E204": "an invalid value: wrong type, out of range, not whole, not one of the choices",
    "E205": "an unknown layer kind or block",
    "E206": "an unknown field of a layer kind",
    "E207": "a required field of a layer kind is missing",
    "E208": "a malformed entry: fields outside their kind, several kinds in one entry, an empty entry",
    "E209": "a name given twice (a layer or a block instance)",
    "E210": "entries nested too deeply",
    "E211": "the network expands to too many layers or steps (a repeat too large)",
    "E212": "an integer with more digits than costcalc reads (400), in any YAML file",
    "E230": "a scaling function out of its place: round_repeats outside a repeat count, head or expanded outside a channel count",
    "E231": "an invalid repeat index: not a name, reserved, or an argument already",
    "E232": "an invalid variant: an unknown variant or argument, or a value of the wrong kind",
    "E233": "a spec argument that is required and not given (load one of the spec's variants)",
    # Blocks and expressions
    "E300": "an expression that cannot be read: syntax, an unknown function, or over its limits",
    "E301": "an unknown name in an expression",
    "E302": "an unknown argument of a block",
    "E303": "a required argument of a block is missing",
    "E304": "a block that uses itself, directly or through other blocks",
    "E305": "an invalid block definition: its name, its arguments or their defaults",
    "E306": "an invalid argument in a block use",
    "E307": "an expression's value, or a value on the way to it, larger than costcalc's bound (2^128)",
    "E320": "a logarithm that is not whole and not rounded, of a number or base out of range, or beyond 1024; a power with a fractional exponent",
    # Shapes, when the network is evaluated
    "E400": "a shape that cannot exist",
    "E401": "a residual's main path and shortcut end in different shapes",
    "E402": "branches of a concat end with different heights or widths",
    "E403": "channels that do not divide: groups, a channel split, a shuffle",
    "E404": "a window larger than its (padded) input, or a feature map shrunk to nothing",
    "E405": "a channel count that is not a whole number of at least 1",
    "E406": "a fully connected layer on an input that is not flat (1x1xC)",
    "E407": "rho scales the input to nothing",
    "E408": "a feature map larger than costcalc's bound (2^128): channels grown layer after layer, or rho",
    "E410": "tokens given to a kind that works on feature maps",
    "E411": "a feature map given to a kind that works on tokens, or tokens that no longer form a grid",
    "E412": "attention heads that do not divide the channels, or an attention without heads",
    "E413": "a map that is not made of whole windows where the attention requires them (MaxViT)",
    "E420": "a depth multiplier other than 1 for a spec that does not scale with depth",
    "E421": "no closed form: copies of a depth-scaled repeat that differ, conditions on the channels, or a cost undefined without rounding",
    "E422": "a depth-scaled repeat count that is not whole (depth rounding 'none')",
    # Budgets and baselines
    "E500": "an unknown key in a budgets file",
    "E501": "an invalid value in a budgets file",
    "E502": "a budgets file of the wrong structure, or a check without a spec or a limit",
    "E503": "invalid TOML in pyproject.toml, or no [tool.costcalc] table",
    "E504": "no such budgets file",
    "E510": "a baseline that cannot be read or is not a costcalc report",
    "E511": "a file a budgets file names lies outside its folder (the project), symbolic links resolved",
    "E512": "a budgets file that asks for more evaluations than costcalc makes in one run",
    "E513": "a --base ref that is not a commit of the repository, or no git repository or git program",
    "E514": "a file that cannot be read at the --base ref: outside the repository, not a file, or over its limit",
    "E520": "an unknown convention, or a convention file of the wrong structure or with an invalid value",
    "E521": "an unknown cost component in a convention file",
    "E530": "an unknown device",
    "E531": "a device file of the wrong structure or with an invalid value",
    "E532": "a device profile without a peak rate for the dtype asked for",
    "E540": "a measurements file (CSV) of the wrong structure: its header, a row's length, too many rows",
    "E541": "an invalid value in a measurements file: a number, a dtype, a latency, a model or layer name",
    "E542": "measurements that cannot be fitted: too few, or none that the model can explain",
    "E543": "a calibrated device file whose calibration is not valid",
    "E544": "a latency budget that requires a calibrated device, given an uncalibrated one",
    # ONNX models (docs/onnx.md)
    "E570": "reading or writing an ONNX file needs the onnx package, which is not installed",
    "E571": "a file that is not a readable ONNX model: truncated, malformed, or without a graph",
    "E572": "an ONNX file over a bound: nodes, protobuf fields, structure bytes, nested graphs, or a dimension",
    "E573": "an ONNX graph that is not one network: not one image input or output, a cycle, a tensor read but "
            "never made",
    "E574": "an ONNX node costcalc cannot follow: an op with no kind that changes the shape, or settings a spec "
            "cannot write",
    "E575": "ops costcalc has no kind for, refused by --strict",
    "E576": "ONNX branches that a spec's residual and concat cannot write",
    "E577": "a layer that has no ONNX op at this alpha and rho (export)",
    # Output
    "E600": "an output file cannot be written",
    "E601": "an output path that is a symbolic link to nothing",
    "E602": "a baseline that would be larger than `check` reads back",
    # Warnings: costcalc goes on
    "W100": "a file named like a bundled spec, convention or device: the bundled one is used",
    "W101": "the GitHub job summary ($GITHUB_STEP_SUMMARY) cannot be written: the check's result stands",
    "W102": "a convention file that neither counts nor ignores some cost components: they count as nothing",
    "W103": "a convolution left to pad 'same' in a spec that gives most others padding in pixels (PyTorch pads 0)",
    "W104": "a classifier that scales with alpha: an fc or linear with many units, not marked fixed",
    "W170": "ONNX ops costcalc has no kind for, left out of an imported network (counted as nothing)",
}
