"""YAML with source positions, through PyYAML's *safe* loader only.

Mappings come back as ``Mapping`` (a dict that knows where each key and value is), sequences as
``Sequence`` (a list that knows where each item is): ``costcalc.source.positioned``. Duplicate keys — which PyYAML silently resolves by
keeping the last — are errors. Tags that build Python objects (``!!python/...``) are refused by the safe
constructor and reported like any other error.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from costcalc.errors import Diagnostic, Location, SpecError, quoted, shorten_quotes
from costcalc.source.positioned import Mapping, Sequence

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["Mapping", "Sequence", "parse_yaml", "read_yaml"]


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    source_path = "<spec>"
    # YAML 1.2 booleans: only true/false. YAML 1.1 (PyYAML's default) also reads yes/no/on/off as
    # booleans, so `stride: yes` would silently be True; here it stays the string 'yes' and is reported.
    # Integers are plain decimals only. YAML 1.1 also reads 0x10 as 16, 010 as 8 (octal), 1_000 as 1000 and
    # 1:30 as 90 (base 60), silently; here those stay strings, and a numeric field says to write a decimal.
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")]
        for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    }

    def at(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.source_path, mark.line + 1, mark.column + 1)


def _wrong_node(loader: _Loader, node: yaml.Node, tag: str) -> SpecError:
    return SpecError(Diagnostic(loader.at(node), f"invalid YAML: the tag '{tag}' does not fit this value", "E103"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    if not isinstance(node, yaml.MappingNode):
        raise _wrong_node(loader, node, "!!map")
    loader.flatten_mapping(node)
    result = Mapping()
    result.location, result.key_at, result.value_at = loader.at(node), {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (dict, list)):
            raise SpecError(Diagnostic(loader.at(key_node), "a mapping key must be a plain value", "E202"))
        if key in result:
            first = result.key_at[key]
            raise SpecError(Diagnostic(loader.at(key_node), f"duplicate key {quoted(str(key))} (first at line "
                                       f"{first.line})", "E104"))
        try:
            result[key] = loader.construct_object(value_node, deep=True)
        except SpecError as error:  # a number beyond the limits: say which key holds it
            problem = error.diagnostics[0]
            if not isinstance(value_node, yaml.ScalarNode) or problem.code != "E212":
                raise
            raise SpecError(problem._replace(message=f"{quoted(str(key))}: {problem.message}")) from None
        result.key_at[key] = loader.at(key_node)
        result.value_at[key] = loader.at(value_node)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    if not isinstance(node, yaml.SequenceNode):
        raise _wrong_node(loader, node, "!!seq")
    result = Sequence(loader.construct_object(item, deep=True) for item in node.value)
    result.location = loader.at(node)
    result.item_at = [loader.at(item) for item in node.value]
    return result


# Plain data only: no timestamps (2024-01-01 stays a string), and !!binary, !!set, !!omap, !!pairs and
# !!timestamp are refused like any other tag.
_Loader.yaml_implicit_resolvers = {first: [(tag, regexp) for tag, regexp in resolvers
                                           if tag != "tag:yaml.org,2002:timestamp"]
                                   for first, resolvers in _Loader.yaml_implicit_resolvers.items()}
_Loader.yaml_constructors = {tag: constructor for tag, constructor in _SafeLoader.yaml_constructors.items()
                             if tag is None or tag.rsplit(":", 1)[-1] not in ("binary", "set", "omap", "pairs", "timestamp")}
def _construct_number(loader: _Loader, node: yaml.Node) -> Any:
    """PyYAML's int and float, with its plain Python errors (``!!int nope``) turned into located diagnostics.
    An integer's digits are counted before it is converted: more than ``quantities.MAX_INTEGER_DIGITS`` is
    refused (E212), far below the 4,300 digits Python refuses to convert and before a ``!!int 1:2:3:...`` in
    base 60 takes quadratic time. Fields then bound what they accept (docs/spec-format.md)."""
    if not isinstance(node, yaml.ScalarNode):
        raise _wrong_node(loader, node, _short_tag(node.tag))
    try:
        if node.tag.endswith(":int"):
            from costcalc.quantities import check_integer_text

            try:
                check_integer_text(str(node.value).replace("_", ""))
            except ValueError as error:
                raise SpecError(Diagnostic(loader.at(node), f"{error} (docs/spec-format.md, \"Numbers\")",
                                           "E212")) from None
            return _SafeLoader.construct_yaml_int(loader, node)
        if node.tag.endswith(":bool"):
            return _SafeLoader.construct_yaml_bool(loader, node)
        return _SafeLoader.construct_yaml_float(loader, node)
    except (ValueError, KeyError, IndexError):  # `!!int nope`, `!!bool 1`, `!!int ''`: PyYAML's own errors
        text = str(node.value)
        shown = f"{text[:20]}... ({len(text):,} characters)" if len(text) > 40 else repr(text)
        what = "true or false" if node.tag.endswith(":bool") else "a number"
        raise SpecError(Diagnostic(loader.at(node), f"invalid YAML: {shown} is not {what} Python can read as "
                                   f"{_short_tag(node.tag)}", "E102")) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _explain(error: yaml.MarkedYAMLError, text: str, path: str) -> Diagnostic:
    """PyYAML's message, made to say what is wrong in the user's terms, at the most useful place."""
    mark = error.problem_mark or error.context_mark
    context = error.context or ""
    problem = error.problem or ""
    if isinstance(error, yaml.constructor.ConstructorError) and "could not determine a constructor" in problem:
        tag = problem.split("tag ", 1)[-1].strip("'")
        message = f"invalid YAML: the tag '{_short_tag(tag)}' is not allowed (a spec holds plain data only)"
    elif context.startswith("while parsing a flow") and error.context_mark is not None:
        mark = error.context_mark
        opening = text[_offset(text, mark)] if _offset(text, mark) < len(text) else "bracket"
        message = f"invalid YAML: '{opening}' was never closed" if opening in "[{" else f"invalid YAML: {problem} ({context})"
    elif "exceeded maximum nesting depth" in problem:
        message = "the YAML is nested too deeply (more than 1,000 levels of lists and mappings)"
    elif mark is not None and _offset(text, mark) < len(text) and text[_offset(text, mark)] == "\t":
        message = "invalid YAML: a tab character indents this line; YAML indents with spaces only"
    else:
        message = f"invalid YAML: {problem} ({context})" if context and problem else f"invalid YAML: {problem or context}"
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    code = "E103" if "the tag" in message else "E105" if "nested too deeply" in message else "E102"
    return Diagnostic(where, shorten_quotes(message), code)  # PyYAML quotes the file: aliases, tags, characters


def _offset(text: str, mark: yaml.Mark) -> int:
    """The index in ``text`` of a mark's line and column (PyYAML's own index counts a BOM)."""
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: mark.line]) + mark.column


MAX_EXPANDED_VALUES = 250_000  # values of a document with its aliases expanded: bounds a "billion laughs"
MAX_DEPTH = 200  # levels of lists and mappings (libyaml's own limit is 1,000; Python's recursion is lower)


def _check_expansion(root: yaml.Node, loader: _Loader) -> None:
    """Refuse a document before anything walks it when it is too deep or too big: aliases (``*name``) that
    expand it past ``MAX_EXPANDED_VALUES`` values (validation visits an aliased subtree once per use, so ten
    levels of ten aliases would be ten billion visits), an alias inside the structure it names (a cycle), or
    nesting deeper than ``MAX_DEPTH``. Linear time: each shared node is counted once."""
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    uses: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            heights[key] = 1 + max((heights[id(child)] for child in children), default=0)
            open_nodes.discard(key)
            if heights[key] > MAX_DEPTH:
                raise SpecError(Diagnostic(loader.at(node), f"the YAML is nested too deeply (more than {MAX_DEPTH} "
                                           "levels of lists and mappings)", "E105"))
            continue
        if key in open_nodes:
            raise SpecError(Diagnostic(loader.at(node), "a YAML alias (*name) refers to a list or mapping that contains "
                                       "it: a spec cannot be recursive", "E105"))
        uses[key] = uses.get(key, 0) + 1
        if key in sizes or uses[key] > 1:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    total = sizes[id(root)]
    if total > MAX_EXPANDED_VALUES:
        shared = [node for node in _nodes(root) if uses.get(id(node), 0) > 1]
        if not shared:
            raise SpecError(Diagnostic(loader.at(root), f"the YAML holds more than {MAX_EXPANDED_VALUES:,} values "
                                       f"({total:,}): far more than any network needs", "E105"))
        worst = max(shared, key=lambda node: sizes[id(node)] * uses[id(node)])
        raise SpecError(Diagnostic(loader.at(worst), f"the YAML's aliases expand it to more than "
                                   f"{MAX_EXPANDED_VALUES:,} values ({total:,}): refused as a YAML bomb", "E105"))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _nodes(root: yaml.Node) -> list[yaml.Node]:
    """Every distinct node, once."""
    seen: dict[int, yaml.Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(_children(node))
    return list(seen.values())


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document; every failure becomes a located ``SpecError``."""
    loader = _Loader(text)
    loader.source_path = path
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_expansion(root, loader)
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise SpecError(_explain(error, text, path)) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow: not a MarkedYAMLError
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        code = ord(error.character) if isinstance(error.character, str) else int(error.character)
        character = f"U+{code:04X}"
        raise SpecError(Diagnostic(Location(path, line, column), f"invalid YAML: the control character {character} "
                                   "is not allowed in a YAML file", "E102")) from None
    except yaml.YAMLError as error:
        raise SpecError(Diagnostic(Location(path), f"invalid YAML: {shorten_quotes(str(error))}", "E102")) from None
    except RecursionError:
        raise SpecError(Diagnostic(Location(path), "the YAML is nested too deeply", "E105")) from None
    finally:
        loader.dispose()


def read_yaml(path: str, kind: str = "spec") -> Any:
    """Read and parse a YAML file of ``kind`` (a key of ``costcalc.source.files.LIMITS``): UTF-8 (a BOM is
    allowed), at most its kind's size."""
    from costcalc.source.files import InputError, read_text

    try:
        text = read_text(path, kind)
    except InputError as error:
        raise SpecError(error.diagnostics) from None
    return parse_yaml(text, path)
