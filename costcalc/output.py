"""Writing output files atomically: a temporary file in the same folder, then a rename, so a failed or
interrupted run never leaves a half-written report (DESIGN.md, "Errors")."""

from __future__ import annotations

import os
import tempfile


def write_atomic(path: str, text: str) -> None:
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
