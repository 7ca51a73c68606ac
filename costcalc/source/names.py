"""Names and paths (docs/errors.md, "Names and paths"): a bare name (``mobilenet_v1``, ``paper``,
``raspberry_pi_4``) is a bundled spec or a built-in, never a file; anything written as a path (``./x``,
``nets/x.yaml``, ``x.onnx``) is a file. A file in the folder named like a bundled one is warned about, not read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from costcalc.errors import Diagnostic, Location, did_you_mean, quoted


def names_a_file(text: str) -> bool:
    """Whether a name given for a spec, a convention or a device is a file: written as a path, with a folder
    (``nets/x``, ``./x``) or an extension (``x.yaml``, ``x.onnx``). A bare name (``mobilenet_v1``, ``paper``)
    is a bundled spec or a built-in, never a file (docs/errors.md, "Names and paths")."""
    import os

    separators = (os.sep, os.altsep) if os.altsep else (os.sep,)
    return any(separator in text for separator in separators) or bool(os.path.splitext(text)[1])


def is_onnx_path(text: str) -> bool:
    """Whether SPEC names an ONNX model: a path ending in ``.onnx`` (any case), read by ``costcalc.onnx``."""
    return names_a_file(text) and text.lower().endswith(".onnx")


def warn_if_shadowed(name: str, folder: str, what: str, where: Location | None = None) -> None:
    """Warn (W100) when ``folder`` holds a file called ``name``, which a bundled spec or a built-in called
    ``name`` is used instead of: before, such a file silently replaced the bundled spec."""
    import os

    from costcalc.errors import printable, quoted, warn

    local = os.path.join(folder, name)
    if name and os.path.lexists(local):
        as_path = os.path.join(".", name)  # where the name was written: the working folder, or the budgets file's
        shown = printable(as_path if folder in ("", ".") else local)
        warn(where or Location(as_path), f"costcalc reads the {what} {quoted(name)}, not the file {shown}; to read "
                                         f"the file, write it as a path: {printable(as_path)}", "W100")


def spec_path(argument: str | None) -> str:
    """The file of SPEC: a bare name (``mobilenet_v1``) is a bundled spec, anything written as a path (``./x``,
    ``nets/x.yaml``, ``x.onnx``) a file; a local file named like a bundled spec is warned about, not read."""
    from costcalc.errors import SpecError, did_you_mean, quoted
    from costcalc.source.bundled import DEFAULT_SPEC, bundled_files, bundled_specs, is_family
    from costcalc.source.names import names_a_file, warn_if_shadowed

    name = argument or DEFAULT_SPEC
    if name == "-":  # standard input (costcalc.source.files.STDIN)
        return name
    files = bundled_files()  # a spec file's name is found without reading the bundled specs for their variants
    if not names_a_file(name) and name in files and not is_family(files[name]):
        warn_if_shadowed(name, ".", "bundled spec")
        return files[name]
    bundled = bundled_specs()
    if names_a_file(name):
        from costcalc.source.bundled import split_variant

        if os.path.lexists(name) or split_variant(name)[1] is not None:  # a file, or a variant of one: x.yaml#name
            return name
        stem = os.path.splitext(os.path.basename(name))[0]
        hint = f" (the bundled spec {quoted(stem)} is named without a folder or .yaml)" if stem in bundled else ""
        raise SpecError(Diagnostic(Location(name), f"no such spec file{hint}", "E100"))
    if name in bundled:
        warn_if_shadowed(name, ".", "bundled spec")
        return str(bundled[name])
    hint = did_you_mean(name, bundled)
    if os.path.lexists(name):
        hint += f"; to read the file of that name, write it as a path: {quoted(os.path.join('.', name))}"
    raise SpecError(Diagnostic(Location(name), f"no bundled spec is named {quoted(name)}{hint}; `costcalc list` "
                                               "shows the bundled specs, and a spec file is written as a path "
                                               "(./x, x.yaml)", "E100"))


def named_or_file(text: str, named: Any, what: str, folder: str | None, error: Callable[[Diagnostic], Exception],
                  code: str, choices: str) -> tuple[bool, str]:
    """``(True, name)`` for a bare name among ``named`` (a bundled or built-in one), ``(False, path)`` for text
    written as a path. A file in ``folder`` called like the bundled one is warned about, not read (``folder``
    None: the caller has looked already). An unknown bare name raises ``error`` (with ``code``), saying what
    it may be instead (``choices``) and, when a file has that name, how to read it."""
    if names_a_file(text):
        return False, text
    if text in named:
        if folder is not None:
            warn_if_shadowed(text, folder, what)
        return True, text
    hint = did_you_mean(text, named)
    if not hint and folder is not None and os.path.lexists(os.path.join(folder, text)):
        hint = f"; to read the file of that name, write it as a path: {quoted(os.path.join('.', text))}"
    raise error(Diagnostic(Location(text), f"unknown {what.split(' ', 1)[-1]} {quoted(text)}{hint}; expected "
                                           f"{choices}", code))
