"""Reading a file as it is at a git ref (``check --base REF``, docs/budgets.md): ``git show COMMIT:PATH``,
bounded like any file costcalc reads, without ever letting the ref or the path become an option of git.

The ref is untrusted text (a CI variable, a pull request's branch name): it must look like a ref (letters,
digits and ``._/~^@{}+-``, at most ``MAX_REF`` characters, not starting with ``-``, no ``..`` range, no ``:``),
and it is resolved once, after ``--end-of-options``, to a commit's hexadecimal name; only that name is given
to ``git show`` afterwards, so nothing the user wrote reaches git's option parser. A path is made relative to
the repository's top folder and must stay inside it. Before the blob is read its type and size are asked
(``git cat-file``): a tree, a missing file or one over ``source.files.LIMITS`` is refused with a located error
(E514) before a byte of it is read. Git runs without a shell, without a terminal prompt, with ``--no-textconv``
(no filter of the repository's configuration runs) and a time limit.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import NamedTuple

from costcalc.errors import CostcalcError, Diagnostic, Location, quoted

MAX_REF = 200  # characters of a ref: a branch name, HEAD~1, origin/main, a commit's 40 or 64 hex digits
TIMEOUT_S = 60  # each git command: a local repository answers in milliseconds
_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]*")
_ENVIRONMENT = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}


class GitError(CostcalcError):
    """A ref git cannot resolve (E513) or a file that cannot be read at it (E514)."""


class Commit(NamedTuple):
    """A resolved ref: what the user wrote (for messages: ``HEAD~1:specs/net.yaml``), its commit's name, and the
    repository's top folder."""

    ref: str
    name: str
    top: str

    def label(self, path: str) -> str:
        """How a file at this ref is named in messages: ``HEAD~1:specs/net.yaml``."""
        return f"{self.ref}:{self.relative(path)}"

    def relative(self, path: str) -> str:
        """``path`` (relative to the working folder, or absolute) relative to the repository's top, with ``/``;
        a path outside the repository is refused (E514)."""
        absolute = os.path.normpath(os.path.join(os.path.realpath(os.getcwd()), path))
        relative = os.path.relpath(absolute, self.top)
        if relative == os.curdir or relative.split(os.sep)[0] == os.pardir:
            raise GitError(Diagnostic(Location(path), f"is outside the git repository at {quoted(self.top)}, so it "
                                      f"has no version at --base {quoted(self.ref)}", "E514"))
        return relative.replace(os.sep, "/")


def check_ref(ref: str) -> str:
    """``ref`` if it looks like a git ref, else a ``ValueError`` saying why (the command line names --base)."""
    if not ref or len(ref) > MAX_REF:
        raise ValueError(f"a git ref of 1 to {MAX_REF} characters, such as HEAD~1 or origin/main")
    if ref.startswith("-") or ".." in ref or not _REF.fullmatch(ref):
        raise ValueError(f"{quoted(ref[:40])} is not a git ref: write a branch, a tag, a commit or HEAD~1 (letters, "
                         "digits and ._/~^@{}+- only, no range, not starting with '-')")
    return ref


def _git(arguments: list[str], where: Location, code: str) -> str:
    """Git's standard output, or a ``GitError`` at ``where`` with git's first line of complaint."""
    try:
        done = subprocess.run(["git", *arguments], capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL,
                              env={**os.environ, **_ENVIRONMENT}, check=False)
    except FileNotFoundError:
        raise GitError(Diagnostic(where, "--base needs git, which is not installed or not on PATH", code)) from None
    except subprocess.TimeoutExpired:
        raise GitError(Diagnostic(where, f"git did not answer within {TIMEOUT_S} s", code)) from None
    if done.returncode != 0:
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = complaint[0][:200] if complaint else f"git exited with status {done.returncode}"
        raise GitError(Diagnostic(where, reason, code))
    return done.stdout.decode("utf-8", "replace")


def resolve(ref: str) -> Commit:
    """The commit ``ref`` names in the repository of the working folder (E513 when there is none)."""
    check_ref(ref)
    where = Location(ref)
    top = _git(["rev-parse", "--show-toplevel"], where, "E513").strip()
    try:
        found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], where,
                     "E513").strip()
    except GitError:
        found = ""
    if not re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", found):
        raise GitError(Diagnostic(where, "is not a commit of this repository (a branch, a tag, a commit, HEAD~1; in "
                                         "CI, fetch the base first: actions/checkout's fetch-depth: 0)", "E513"))
    return Commit(ref, found, os.path.realpath(top))


def exists_at(commit: Commit, path: str) -> bool:
    """Whether ``path`` is a file at the commit (a file the change added has no base); a path outside the
    repository is refused (E514)."""
    commit.relative(path)
    try:
        _blob_size(commit, path)
    except GitError:
        return False
    return True


def _blob_size(commit: Commit, path: str) -> int:
    relative = commit.relative(path)
    where = Location(commit.label(path))
    kind = _git(["cat-file", "-t", f"{commit.name}:{relative}"], where, "E514").strip()
    if kind != "blob":
        raise GitError(Diagnostic(where, f"is a {kind} at --base, not a file", "E514"))
    return int(_git(["cat-file", "-s", f"{commit.name}:{relative}"], where, "E514").strip())


def read_at(commit: Commit, path: str, kind: str) -> str:
    """The text of ``path`` at the commit, within ``source.files.LIMITS[kind]`` (E514 otherwise), as UTF-8."""
    from costcalc.source.files import LIMITS, WHAT, size_text

    where = Location(commit.label(path))
    size = _blob_size(commit, path)
    if size > LIMITS[kind]:
        raise GitError(Diagnostic(where, f"the file is larger than {size_text(LIMITS[kind])}, the most costcalc reads "
                                  f"of {WHAT[kind]} (docs/errors.md, \"Limits\")", "E514"))
    try:
        done = subprocess.run(["git", "show", "--no-textconv", f"{commit.name}:{commit.relative(path)}"],
                              capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL,
                              env={**os.environ, **_ENVIRONMENT}, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(Diagnostic(where, f"git show failed: {type(error).__name__}", "E514")) from None
    if done.returncode != 0 or len(done.stdout) > LIMITS[kind]:
        raise GitError(Diagnostic(where, "git show could not read the file", "E514"))
    try:
        return done.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GitError(Diagnostic(where, "the file is not UTF-8 text", "E514")) from None
