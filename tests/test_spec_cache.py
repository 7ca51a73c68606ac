"""The cached form of bundled specs (costcalc/source/spec_cache.py, docs/security.md): the same tree and the
same output as parsing the YAML, and never trusted blindly — a tampered, stale, foreign or cut-short cache file
is ignored, an unwritable folder is no error, and a spec that is not bundled is never cached."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ENV
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.cli import main
from costcalc.source import spec_cache
from costcalc.source.bundled import bundled_files, is_bundled_file
from costcalc.source.positioned import Mapping, Sequence
from costcalc.source.positioned_yaml import parse_yaml, read_yaml

MOBILENET = bundled_files()["mobilenet_v1"]


def positioned(value: Any) -> Any:
    """A tree with every location in it, to compare two trees part by part."""
    if isinstance(value, Mapping):
        return ("map", value.location, [(key, value.key_at[key], value.value_at[key], positioned(item))
                                        for key, item in value.items()])
    if isinstance(value, Sequence):
        return ("seq", value.location, [(at, positioned(item)) for at, item in zip(value.item_at, value)])
    return (type(value).__name__, value)


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("spec-*.json"))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(cache))
    return cache


def test_a_bundled_spec_is_cached_then_read_back_with_every_location(folder: Path) -> None:
    parsed = read_yaml(MOBILENET)
    first = spec_cache.read_spec_tree(MOBILENET, cached=True)  # parses, then writes the cached form
    assert len(cached_files(folder)) == 1
    second = spec_cache.read_spec_tree(MOBILENET, cached=True)  # reads the cached form
    assert positioned(first) == positioned(second) == positioned(parsed)
    assert second is not first


def test_the_report_is_byte_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    def report(cache: str, *args: str) -> str:
        result = CliRunner(env={**ENV, "COSTCALC_CACHE_DIR": cache}).invoke(
            main, ["report", *args], prog_name="costcalc")
        assert result.exit_code == 0, result.output
        return result.stdout

    for args in (["--format", "json"], ["resnet50", "--format", "csv"], ["efficientnet_b2", "--format", "json"]):
        uncached = report("", *args)  # an empty COSTCALC_CACHE_DIR turns the cache off
        assert report(str(tmp_path), *args) == uncached  # written
        written = {file: file.read_bytes() for file in cached_files(tmp_path)}
        assert report(str(tmp_path), *args) == uncached  # read back
        assert {file: file.read_bytes() for file in cached_files(tmp_path)} == written
    for name in ("mobilenet_v1", "resnet", "efficientnet"):  # the files of the three reports' specs
        key = spec_cache.cache_key(Path(bundled_files()[name]).read_text(encoding="utf-8"))
        assert (tmp_path / f"spec-{key}.json").is_file()


def rewrite(file: Path, change: Any, keep_digest: bool = False) -> None:
    """Change a cached file's JSON; its digest line recomputed unless ``keep_digest``."""
    digest, body = file.read_bytes().split(b"\n", 1)
    record = json.loads(body)
    change(record)
    new_body = json.dumps(record).encode()
    new_digest = digest if keep_digest else spec_cache.sha256(new_body).hexdigest().encode()
    file.write_bytes(new_digest + b"\n" + new_body)
    os.chmod(file, 0o600)


def set_first_filters(record: Any, value: Any) -> None:
    """The first layer's ``filters`` in an encoded mobilenet_v1 tree (a mapping's items: key, at, at, value)."""
    layers = next(item for item in record["tree"]["items"] if item[0] == "layers")[3]
    conv = layers["items"][0][1]["items"][0][3]
    next(item for item in conv["items"] if item[0] == "filters")[3] = value


@pytest.mark.parametrize("damage", ["digest", "truncated", "not json", "wrong key", "wrong shape", "group-writable"])
def test_a_damaged_cache_file_is_ignored_and_the_spec_parsed(folder: Path, damage: str) -> None:
    expected = positioned(read_yaml(MOBILENET))
    spec_cache.read_spec_tree(MOBILENET, cached=True)
    [file] = cached_files(folder)
    if damage == "digest":  # the tree changed, its digest not
        rewrite(file, lambda record: set_first_filters(record, 64), keep_digest=True)
    elif damage == "truncated":
        file.write_bytes(file.read_bytes()[:-40])
    elif damage == "not json":
        body = b"{not json"
        file.write_bytes(spec_cache.sha256(body).hexdigest().encode() + b"\n" + body)
    elif damage == "wrong key":  # another spec's (or version's) entry under this name
        rewrite(file, lambda record: record.update(key="0" * 64))
    elif damage == "wrong shape":  # a value that the encoder never writes, with a matching digest
        rewrite(file, lambda record: set_first_filters(record, {"python/object": "os.system"}))
    else:
        os.chmod(file, 0o664)
    assert positioned(spec_cache.read_spec_tree(MOBILENET, cached=True)) == expected


def test_a_changed_spec_or_loader_gets_a_new_key() -> None:
    text = Path(MOBILENET).read_text(encoding="utf-8")
    key = spec_cache.cache_key(text)
    assert key is not None and len(key) == 64
    assert spec_cache.cache_key(text) == key
    assert spec_cache.cache_key(text.replace("filters: 32", "filters: 33", 1)) != key


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(blocker / "cache"))  # cannot be made: a file is in the way
    assert positioned(spec_cache.read_spec_tree(MOBILENET, cached=True)) == positioned(read_yaml(MOBILENET))
    assert blocker.read_text() == "not a folder"


def test_a_spec_that_is_not_bundled_is_never_cached(folder: Path, tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(Path(MOBILENET).read_text(encoding="utf-8"), encoding="utf-8")
    assert not is_bundled_file(str(own)) and is_bundled_file(MOBILENET)
    spec_cache.read_spec_tree(str(own), cached=False)
    assert not folder.exists()


def test_the_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COSTCALC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert spec_cache.cache_dir() == str(tmp_path / "costcalc")
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    assert spec_cache.cache_dir() is None


# Plain YAML data: what a spec holds (no tags, no timestamps).
TEXT = st.text(alphabet="ab xy:-_'\"#&*!é€", max_size=8)  # with YAML's own marks
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), TEXT,
                    st.floats(allow_nan=False, width=64))
TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(TREES)
def test_encoding_keeps_every_value_and_location(data: Any) -> None:
    """Any tree the YAML loader returns comes back from its encoding (through JSON) with the same values,
    types and locations, in the path it is read for."""
    text = json.dumps({"data": data}, indent=1, ensure_ascii=False)  # JSON is YAML: flow style over several lines
    tree = parse_yaml(text, "a.yaml")
    encoded = json.loads(json.dumps(spec_cache._encode(tree)))
    assert positioned(spec_cache._decode(encoded, "a.yaml", 0)) == positioned(tree)
