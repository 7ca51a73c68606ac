"""Writing output files atomically: a temporary file in the same folder, then a rename, so a failed or
interrupted run never leaves a half-written report (DESIGN.md, "Errors")."""

from __future__ import annotations

import os
import tempfile

from costcalc.errors import Diagnostic, Location, OutputError


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` or leave ``path`` as it was; failures are ``OutputError``s naming ``path``."""
    try:
        _write(path, text)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(Diagnostic(Location(path), f"cannot write: {reason}")) from None


def _write(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".costcalc-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
