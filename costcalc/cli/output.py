"""Writing output files atomically: a temporary file in the same folder, then a rename, so a failed or
interrupted run never leaves a half-written report (DESIGN.md, "Errors")."""

from __future__ import annotations

import os
import stat
import tempfile

from costcalc.errors import Diagnostic, Location, OutputError


def _mode_for(path: str) -> int:
    """The mode of the file being replaced, or what a new file gets under the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` or leave ``path`` as it was; failures are ``OutputError``s naming ``path``.

    A symbolic link is followed: the file it points to is replaced, and the link stays. A link to nothing is
    refused (E601): following it would create a file wherever it points, which whoever made the link chose. A
    FIFO or a device (``/dev/stdout``) cannot be replaced, and is written to directly."""
    if os.path.islink(path) and not os.path.exists(path):
        raise OutputError(Diagnostic(Location(path), "is a symbolic link to a file that does not exist; costcalc does "
                                                     "not create files through a link: remove the link, or write "
                                                     "elsewhere", "E601"))
    try:
        target = os.path.realpath(path)
        if os.path.exists(target) and not stat.S_ISREG(os.stat(target).st_mode):
            with open(target, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            return
        _write(target, text)
    except OSError as error:
        raise cannot_write(path, error) from None


def append(path: str, text: str) -> None:
    """Append ``text`` to ``path`` (a file another program owns, such as ``$GITHUB_STEP_SUMMARY``)."""
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise cannot_write(path, error) from None


def cannot_write(path: str, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    return OutputError(Diagnostic(Location(path), f"cannot write: {reason}", "E600"))


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (a power cut right after it keeps the new file), where the system
    allows opening a folder."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _write(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".costcalc-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(handle, _mode_for(path))  # mkstemp makes 0600; the file should look like any file we write
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        _sync_folder(folder)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
