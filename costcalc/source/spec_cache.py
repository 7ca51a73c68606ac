"""The parsed form of a bundled spec, cached as JSON, so that a report of a bundled spec neither imports PyYAML
nor parses YAML (start-up, issue 17; docs/security.md, "The cache of bundled specs").

A bundled spec's text is read as always (bounded, UTF-8). Its parsed tree — ``Mapping``s and ``Sequence``s
with every location — is stored in a user cache folder, in a file named by a SHA-256 key of: the spec's text,
costcalc's version, this format's number and the source of the two modules that give the tree its meaning
(``positioned_yaml.py`` and this one). So a spec, a loader or an encoder that changes gets a new key: a stale
entry is never found. The file is ``<SHA-256 of the rest>\\n<JSON>``: a file changed after it was written
(tampered, or cut short by a full disk) no longer matches its digest and is ignored, as is anything that is
not exactly the shape written here. The cached form is plain JSON (never pickle), and the tree read from it
goes through the same validation as a tree parsed from YAML: the cache saves the parsing, never a check.

The folder is ``$COSTCALC_CACHE_DIR``, else ``$XDG_CACHE_HOME/costcalc``, else ``~/.cache/costcalc``;
``COSTCALC_CACHE_DIR=`` (empty) turns the cache off. A folder that cannot be made or written is no error:
the spec is then parsed, as without a cache. Specs that are not bundled are always parsed.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any, Protocol

from costcalc.errors import Location, SpecError
from costcalc.source.positioned import Mapping, Sequence

FORMAT = 1  # the encoding below; change it with the encoding
MAX_CACHE_BYTES = 4 * 1024 * 1024  # a 128 KiB spec (the most costcalc reads) with every position is far less
MAX_DEPTH = 500  # levels of encoded lists and objects: the YAML loader allows 200 levels of the spec's own
_MEANING = ("positioned_yaml.py", "spec_cache.py")  # the modules whose code decides what a cached tree means


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


def sha256(data: bytes = b"") -> _Digest:
    """SHA-256 from CPython's own small module when it has one: ``hashlib`` first loads OpenSSL, which takes
    a few milliseconds of every start-up (issue 17); the digest is the same."""
    import importlib

    for name in ("_sha256", "_sha2"):  # CPython 3.11's module, and 3.12's
        try:
            builtin = importlib.import_module(name).sha256
            break
        except (ImportError, AttributeError):
            continue
    else:
        from hashlib import sha256 as builtin
    result: _Digest = builtin(data)
    return result


class _Unusable(Exception):
    """A cached file that is not exactly what this module writes: it is ignored."""


def cache_dir() -> str | None:
    """The folder of cached specs, or None when the cache is turned off (``COSTCALC_CACHE_DIR=``)."""
    chosen = os.environ.get("COSTCALC_CACHE_DIR")
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "costcalc")


def read_spec_tree(path: str, cached: bool) -> Any:
    """The parsed tree of the spec file ``path`` (``positioned_yaml.read_yaml``'s): when ``cached`` (a bundled
    spec: ``costcalc.source.bundled.is_bundled_file``), from its cached form if it has a valid one, else parsed
    and then cached; else parsed."""
    if not cached:
        from costcalc.source.positioned_yaml import read_yaml

        return read_yaml(path)
    from costcalc.source.files import InputError, read_text

    try:
        text = read_text(path, "spec")
    except InputError as error:
        raise SpecError(error.diagnostics) from None
    folder, key = cache_dir(), cache_key(text)
    file = os.path.join(folder, f"spec-{key}.json") if folder is not None and key is not None else None
    if file is not None:
        try:
            return load_cached(file, key or "", path)
        except (OSError, _Unusable):
            pass
    from costcalc.source.positioned_yaml import parse_yaml

    tree = parse_yaml(text, path)
    if file is not None:
        store(file, key or "", tree)
    return tree


def cache_key(text: str) -> str | None:
    """The key of ``text``'s cached form (see the module's docstring), or None when costcalc's own modules
    cannot be read (then nothing is cached)."""
    code = _code_digest()
    if code is None:
        return None
    digest = sha256(code)
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes | None:
    """What the key takes from costcalc itself: its version, this format's number and the source of the
    modules that give a cached tree its meaning; read once per process."""
    from costcalc import __version__

    digest = sha256(f"costcalc {__version__} spec cache {FORMAT}\n".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        for name in _MEANING:
            with open(os.path.join(here, name), "rb") as handle:
                digest.update(sha256(handle.read()).digest())
    except OSError:
        return None
    return digest.digest()


def load_cached(file: str, key: str, path: str) -> Any:
    """The tree stored in ``file`` for ``key``, its locations in ``path``; ``_Unusable`` or ``OSError`` when
    there is none, or it is not intact and exactly as written here."""
    with open(file, "rb") as handle:
        if not _private(os.fstat(handle.fileno())):
            raise _Unusable(file)
        raw = handle.read(MAX_CACHE_BYTES + 1)
    digest, newline, body = raw.partition(b"\n")
    if len(raw) > MAX_CACHE_BYTES or not newline or digest != sha256(body).hexdigest().encode():
        raise _Unusable(file)
    try:
        record = json.loads(body)
        if not isinstance(record, dict) or record.get("key") != key or set(record) != {"key", "tree"}:
            raise _Unusable(file)
        return _decode(record["tree"], path, 0)
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        raise _Unusable(file) from None


def _private(status: os.stat_result) -> bool:
    """Whether a cached file is a regular file of the user running costcalc that no one else may write: a
    file that another user could have written is not used (where the system has owners at all)."""
    import stat

    owner = getattr(os, "getuid", None)
    mine = owner is None or status.st_uid == owner()
    return stat.S_ISREG(status.st_mode) and mine and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def store(file: str, key: str, tree: Any) -> None:
    """Write ``tree``'s cached form to ``file`` atomically (a temporary file, then a rename); any failure (a
    folder that cannot be written, a full disk) leaves the cache as it was, and costcalc goes on."""
    try:
        body = json.dumps({"key": key, "tree": _encode(tree)}, separators=(",", ":")).encode()
    except (ValueError, TypeError, RecursionError):
        return
    if len(body) + 65 > MAX_CACHE_BYTES:
        return
    folder = os.path.dirname(file)
    temporary = f"{file}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(temporary, file)
    except OSError:
        try:
            os.remove(temporary)
        except OSError:
            pass


def _at(location: Location) -> list[int]:
    return [location.line, location.column]


def _encode(value: Any) -> Any:
    """A mapping is ``{"map": [line, column], "items": [[key, key_at, value_at, value], ...]}``, a sequence
    ``{"seq": [line, column], "items": [[item_at, item], ...]}``; scalars are themselves."""
    if isinstance(value, Mapping):
        return {"map": _at(value.location),
                "items": [[key, _at(value.key_at[key]), _at(value.value_at[key]), _encode(item)]
                          for key, item in value.items()]}
    if isinstance(value, Sequence):
        return {"seq": _at(value.location),
                "items": [[_at(at), _encode(item)] for at, item in zip(value.item_at, value)]}
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return value
    raise TypeError(f"not a value of a parsed spec: {type(value).__name__}")


def _location(path: str, at: Any) -> Location:
    if not (isinstance(at, list) and len(at) == 2 and all(type(part) is int and part >= 0 for part in at)):
        raise _Unusable("a location")
    return Location(path, at[0], at[1])


def _decode(value: Any, path: str, depth: int) -> Any:
    """The tree ``_encode`` wrote, checked part by part: anything else is ``_Unusable``."""
    if depth > MAX_DEPTH:
        raise _Unusable("too deep")
    if value is None or isinstance(value, (str, int, float)):
        return value
    if not isinstance(value, dict) or not isinstance(value.get("items"), list):
        raise _Unusable("a value")
    if set(value) == {"map", "items"}:
        mapping = Mapping()
        mapping.location, mapping.key_at, mapping.value_at = _location(path, value["map"]), {}, {}
        for entry in value["items"]:
            if not isinstance(entry, list) or len(entry) != 4:
                raise _Unusable("a mapping's entry")
            key, key_at, value_at, item = entry
            if not (key is None or isinstance(key, (str, int, float))) or key in mapping:
                raise _Unusable("a mapping's key")
            mapping[key] = _decode(item, path, depth + 1)
            mapping.key_at[key], mapping.value_at[key] = _location(path, key_at), _location(path, value_at)
        return mapping
    if set(value) == {"seq", "items"}:
        sequence = Sequence()
        sequence.location, sequence.item_at = _location(path, value["seq"]), []
        for entry in value["items"]:
            if not isinstance(entry, list) or len(entry) != 2:
                raise _Unusable("a sequence's item")
            sequence.item_at.append(_location(path, entry[0]))
            sequence.append(_decode(entry[1], path, depth + 1))
        return sequence
    raise _Unusable("a value")
