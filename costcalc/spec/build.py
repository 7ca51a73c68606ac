"""The network: a spec's entries resolved into a graph of named layer nodes, and shape propagation.

Building (``build_network``) unrolls repeats, calls blocks with their arguments, chooses ``if`` branches,
expands sugar (``separable``, ``squeeze_excite``) and wires residual and concat branches. The result is a
list of nodes in topological order: each names the nodes it reads (``inputs``; -1 is the network's input),
so propagation is one pass. The structure depends on the depth multiplier (a repeat count written
``round_repeats(n)``: a network is built per depth multiplier) and never on rho. Channel counts written with
``in``, ``block_in`` or ``alpha`` are filled in when the network is evaluated, and so are the ``if`` and
``when`` conditions that read ``in`` or ``block_in``: the nodes they choose between are all built, each with
its ``conditions``, and a node whose condition fails passes its input through (costcalc.engine.propagate).

Names: a node's name is its path of block instances and its own name, joined by dots
(``layer1.bottleneck_2.conv_1``), as PyTorch names modules. Given names are kept (inside a repeat they get
``_1``, ``_2``, ... suffixes); generated ones are counted per block instance and never take a given name.
"""

from fractions import Fraction
from typing import Any, NamedTuple

from costcalc.errors import Diagnostic, Location, SpecError
from costcalc.layers import fields as f
from costcalc.layers.base import Layer
from costcalc.layers.graph import Add, Concat, Split
from costcalc.source.problems import Problems
from costcalc.spec import values as v
from costcalc.spec.depth import DepthScaling
from costcalc.spec.layer_names import generated_name
from costcalc.spec.variants import spec_arguments
from costcalc.spec.model import (
    BlockCall,
    ConcatEntry,
    Entry,
    IfEntry,
    LayerEntry,
    ParamsOnlyEntry,
    RepeatEntry,
    ResidualEntry,
    Spec,
)

MAX_LAYERS = 20_000  # far above any real network (ResNet-152: 520); bounds what the slower commands face
MAX_STEPS = 1_000_000  # entries visited while building: bounds specs that repeat empty branches
MAX_BLOCK_DEPTH = 64


class Condition(NamedTuple):
    """An ``if`` or ``when`` decided at evaluation: its expression (reading ``in``, ``block_in``) with the
    arguments it reads, the nodes whose outputs are its ``in`` and ``block_in`` (-1: the input), and the value
    for which the node it guards is kept."""

    expr: Any
    args: dict[str, Any]
    source: int
    block_input: int
    keep: bool = True


class Node(NamedTuple):
    name: str
    layer: Layer
    location: Location
    inputs: tuple[int, ...] = (-1,)
    path: tuple[str, ...] = ()  # enclosing block instances, outermost first
    block_input: int = -1  # the node feeding the innermost enclosing block (its ``block_in``)
    deferred: tuple[str, ...] = ()  # fields that hold expressions filled in at evaluation
    conditions: tuple[Condition, ...] = ()  # the node is kept when every one holds
    multiplicity: Any = 1  # copies it stands for: d·n (a sympy value) in a network built for the closed form in d
    idle: bool = False  # in a params-only branch: its parameters count, it never runs


class Network(NamedTuple):
    spec: Spec
    nodes: tuple[Node, ...]
    groups: dict[tuple[str, ...], str] = {}  # each block instance's path -> the block it instantiates
    depth_multiplier: Fraction = Fraction(1)
    scaled_repeats: tuple[tuple[int, int, Location], ...] = ()  # closed form in d: each repeat's input, output
    decided: bool = False  # its conditions on the channels were decided at one alpha (an evaluation's network)
    constructs: dict[tuple[str, ...], Layer] = {}  # each graph kind's instance path -> its layer (costcalc export)

    @property
    def conditional(self) -> bool:
        """Whether its structure follows alpha: some node is kept or not by a condition on the channels."""
        return self.decided or any(node.conditions for node in self.nodes)


class _Context(NamedTuple):
    path: tuple[str, ...]
    args: dict[str, Any]
    block_input: int
    suffix: str  # appended to given names inside repeats: _1, _2, ...
    where: str  # for messages: " (in block 'x' used at line N)"
    conditions: tuple[Condition, ...] = ()
    multiplicity: Any = 1
    idle: bool = False  # inside a params-only branch


class _Pending(NamedTuple):
    given: str | None
    layer: Layer
    location: Location
    inputs: tuple[int, ...]
    path: tuple[str, ...]
    block_input: int
    conditions: tuple[Condition, ...] = ()
    multiplicity: Any = 1
    idle: bool = False


class _TooBig(Exception):
    def __init__(self, message: str, location: Location):
        super().__init__(message)
        self.location = location
        self.at_repeat = False  # located at the innermost repeat around the point where the limit was hit


class _Builder:
    def __init__(self, spec: Spec, depth_multiplier: Fraction = Fraction(1), depth_symbol: Any = None):
        self.spec = spec
        self.scaling = DepthScaling(spec.depth, depth_multiplier, depth_symbol)
        self.scaled_repeats: list[tuple[int, int, Location]] = []
        self.pending: list[_Pending] = []
        self.problems = Problems()
        self.steps = 0
        self.instances: dict[tuple[tuple[str, ...], str], Location] = {}
        self.instance_counts: dict[tuple[tuple[str, ...], str], int] = {}
        self.groups: dict[tuple[str, ...], str] = {}
        self.constructs: dict[tuple[str, ...], Layer] = {}
        # a layer's parts made once, a layer made once per entry and arguments: a repeat's copies share them,
        # so propagation meets the same (layer, input) again and works it out once (costcalc.engine.propagate)
        self.expanded: dict[int, tuple[Layer, tuple[Layer, ...]]] = {}
        self.bound_layers: dict[tuple[int, tuple[tuple[str, type, Any], ...]], Layer] = {}  # (entry, args)

    # -- nodes -------------------------------------------------------------------------------------
    def add(self, layer: Layer, location: Location, inputs: tuple[int, ...], ctx: _Context,
            given: str | None, block_input: int | None = None) -> int:
        if len(self.pending) >= MAX_LAYERS:
            raise _TooBig(f"the network expands to more than {MAX_LAYERS:,} layers (is a repeat count too large?)",
                          location)
        self.pending.append(_Pending(given, layer, location, inputs, ctx.path,
                                     ctx.block_input if block_input is None else block_input, ctx.conditions,
                                     ctx.multiplicity, ctx.idle))
        return len(self.pending) - 1

    def instance(self, prefix: str, given: str | None, ctx: _Context, location: Location,
                 kind: str) -> tuple[str, ...]:
        """The path of a new instance of block ``kind`` (or squeeze_excite) inside ``ctx``."""
        if given:
            name = given + ctx.suffix
        else:
            key = (ctx.path, prefix)
            name = ""
            while not name or (ctx.path, name) in self.instances:
                self.instance_counts[key] = self.instance_counts.get(key, 0) + 1
                name = f"{prefix}_{self.instance_counts[key]}"
        if (ctx.path, name) in self.instances:
            first = self.instances[(ctx.path, name)]
            self.problems.add(location, f"duplicate block name '{name}' (first at line {first.line})", "E209")
        self.instances.setdefault((ctx.path, name), location)
        path = (*ctx.path, name)
        self.groups[path] = kind
        return path

    # -- entries -----------------------------------------------------------------------------------
    def chain(self, entries: tuple[Entry, ...], producer: int, ctx: _Context) -> int:
        for entry in entries:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise _TooBig(f"the network takes more than {MAX_STEPS:,} steps to expand (is a repeat count too "
                              "large?)", entry.location)
            if isinstance(entry, LayerEntry):
                producer = self.layer_entry(entry, producer, ctx)
            elif isinstance(entry, RepeatEntry):
                producer = self.repeat(entry, producer, ctx)
            elif isinstance(entry, IfEntry):
                if self.decided_later(entry.condition):
                    condition = self.condition(entry.condition, producer, ctx)
                    then = self.chain(entry.body, producer, ctx._replace(conditions=(*ctx.conditions, condition)))
                    # the else branch follows the then branch: when the condition holds, its nodes pass the
                    # then branch's output through; when it does not, the then branch passed its input through
                    otherwise = condition._replace(keep=False)
                    producer = self.chain(entry.orelse, then, ctx._replace(conditions=(*ctx.conditions, otherwise)))
                    continue
                condition = self.value(entry.condition, f.boolean, ctx, entry.location, "if")
                if condition is not None:
                    producer = self.chain(entry.body if condition else entry.orelse, producer, ctx)
            elif isinstance(entry, ResidualEntry):
                main = self.chain(entry.body, producer, ctx)
                guarded = ctx
                if self.decided_later(entry.when):
                    guarded = ctx._replace(conditions=(*ctx.conditions, self.condition(entry.when, producer, ctx)))
                if guarded is not ctx or self.value(entry.when, f.boolean, ctx, entry.location, "when"):
                    shortcut = self.chain(entry.shortcut, producer, guarded)
                    main = self.add(Add(), entry.location, (main, shortcut), guarded, self.given(entry.name, ctx))
                producer = main
            elif isinstance(entry, ConcatEntry):
                producer = self.concat(entry, producer, ctx)
            elif isinstance(entry, ParamsOnlyEntry):
                path = self.instance("params_only", entry.name, ctx, entry.location, "params_only")
                self.chain(entry.body, producer, ctx._replace(path=path, suffix="", idle=True))
            else:
                producer = self.call(entry, producer, ctx)
        return producer

    def given(self, name: str | None, ctx: _Context) -> str | None:
        return name + ctx.suffix if name else None

    def value(self, raw: Any, parse: Any, ctx: _Context, location: Location, key: str) -> Any:
        if not v.is_expression(raw):
            return raw
        try:
            return parse(v.evaluate(raw, ctx.args, self.scaling))
        except f.FieldError as error:
            self.problems.add(location, f"'{key}': {error}{ctx.where}", error.code or "E204")
            return None

    @staticmethod
    def decided_later(raw: Any) -> bool:
        """An if/when condition that reads the channels flowing in: decided when the network is evaluated."""
        return v.is_expression(raw) and bool(raw.variables & set(v.CONDITION_NAMES))

    @staticmethod
    def condition(raw: Any, producer: int, ctx: _Context) -> Condition:
        return Condition(raw, {name: ctx.args[name] for name in raw.variables if name in ctx.args}, producer,
                         ctx.block_input)

    def repeat(self, entry: RepeatEntry, producer: int, ctx: _Context) -> int:
        """The body ``count`` times (its copies' numbers as ``entry.index_name``); for the closed form in d, a count
        of ``round_repeats`` is one copy standing for ``d·n`` of them (its nodes' ``multiplicity``)."""
        scaled = v.is_expression(entry.count) and "round_repeats" in entry.count.functions
        if scaled and self.scaling.symbol is not None:
            if entry.index_name is not None:
                self.problems.add(entry.location, "no closed form in the depth multiplier: the layers of this "
                                                  f"repeat read its index '{entry.index_name}', so its copies differ", "E421")
                return producer
            try:
                count = v.evaluate(entry.count, ctx.args, self.scaling, ideal=True)
            except f.FieldError as error:
                self.problems.add(entry.location, f"'repeat': {error}{ctx.where}", error.code or "E204")
                return producer
            output = self.chain(entry.body, producer, ctx._replace(multiplicity=ctx.multiplicity * count))
            self.scaled_repeats.append((producer, output, entry.location))
            return output
        count = self.value(entry.count, f.non_negative_int, ctx, entry.location, "repeat")
        try:
            for index in range(1, (count or 0) + 1):
                inner = ctx._replace(suffix=f"{ctx.suffix}_{index}" if count > 1 else ctx.suffix)
                if entry.index_name is not None:
                    inner = inner._replace(args={**ctx.args, entry.index_name: index - 1})
                producer = self.chain(entry.body, producer, inner)
        except _TooBig as error:
            if not error.at_repeat:
                error.location, error.at_repeat = entry.location, True
            raise
        return producer

    def layer_entry(self, entry: LayerEntry, producer: int, ctx: _Context) -> int:
        layer = entry.layer
        plain = v.args_key(ctx.args) if layer is None else None
        reuse = None if plain is None else (id(entry), plain)  # the spec holds the entry: its id is its own
        if reuse is not None:
            layer = self.bound_layers.get(reuse)
        if layer is None:
            schema = {field.name: field for field in entry.kind.fields}
            values = {}
            for key, raw in entry.values.items():
                try:
                    values[key] = v.bind(schema[key], raw, ctx.args)
                except f.FieldError as error:
                    name = entry.values.get("name")
                    context = f"layer '{name}'" if isinstance(name, str) else entry.kind.kind
                    self.problems.add(entry.value_at.get(key, entry.location),
                                      f"{context}: '{key}': {error}{ctx.where}", error.code or "E204")
                    return producer
            layer = entry.kind(**values)
            if reuse is not None:
                self.bound_layers[reuse] = layer
        if layer.expansion == "graph":
            return self.graph(layer, entry.location, producer, ctx)
        known = self.expanded.get(id(layer))
        if known is None or known[0] is not layer:
            known = self.expanded[id(layer)] = (layer, layer.expand())
        for part in known[1]:
            producer = self.add(part, entry.location, (producer,), ctx, self.given(part.name, ctx))
        return producer

    def concat(self, entry: ConcatEntry, producer: int, ctx: _Context) -> int:
        outputs = []
        parts = len(entry.branches)
        for index, branch in enumerate(entry.branches, 1):
            start = producer
            if entry.split:
                start = self.add(Split(parts=parts, index=index), entry.location, (producer,), ctx, None)
            outputs.append(self.chain(branch, start, ctx))
        return self.add(Concat(), entry.location, tuple(outputs), ctx, self.given(entry.name, ctx))

    def graph(self, layer: Layer, location: Location, producer: int, ctx: _Context) -> int:
        """A kind that expands into a small graph (squeeze_excite): its layers, grouped under an instance of
        its own name, as a block's are."""
        path = self.instance(layer.name_prefix, layer.name, ctx, location, layer.kind)
        self.constructs[path] = layer
        return layer.expand_graph(_Construct(self, location, producer, ctx._replace(path=path, suffix="")))

    def call(self, call: BlockCall, producer: int, ctx: _Context) -> int:
        block = self.spec.blocks[call.block]
        if len(ctx.path) >= MAX_BLOCK_DEPTH:
            raise _TooBig(f"blocks are nested more than {MAX_BLOCK_DEPTH} deep", call.location)
        from costcalc.spec.model import REQUIRED_ARG

        args = {name: default for name, default in block.args.items() if default != REQUIRED_ARG}
        for name, raw in call.args.items():
            try:
                if v.is_expression(raw):
                    raw = v.evaluate(raw, ctx.args)
                elif isinstance(raw, list):  # a list argument (a kernel [1, 7]) of numbers and expressions
                    raw = [v.evaluate(item, ctx.args) if v.is_expression(item) else item for item in raw]
            except f.FieldError as error:
                self.problems.add(call.arg_at[name], f"block '{call.block}': '{name}': {error}{ctx.where}",
                                  error.code or "E306")
                return producer
            args[name] = raw
        path = self.instance(call.block, call.name, ctx, call.location, call.block)
        where = f" (in block '{call.block}' used at line {call.location.line})"
        inner = ctx._replace(path=path, args=args, block_input=producer, suffix="", where=where)
        return self.chain(block.body, producer, inner)

    # -- names -------------------------------------------------------------------------------------
    def nodes(self) -> tuple[Node, ...]:
        given: dict[str, Location] = {}
        for item in self.pending:
            if item.given is not None:
                name = ".".join((*item.path, item.given))
                if name in given:
                    self.problems.add(item.location,
                                      f"duplicate layer name '{name}' (first at line {given[name].line})", "E209")
                given.setdefault(name, item.location)
        if self.problems.found:
            raise SpecError(self.problems.sorted())
        taken = set(given)
        counters: dict[tuple[str, ...], dict[str, int]] = {}
        owners: dict[tuple[str, ...], str | None] = {}
        attempts: dict[str, int] = {}
        nodes = []
        for item in self.pending:
            scope = counters.setdefault(item.path, {})
            local = item.given
            if local is None:
                local = generated_name(item.layer, owners.get(item.path), scope, taken, item.path, attempts)
            name = ".".join((*item.path, local))
            taken.add(name)
            if not item.layer.follows_previous:
                owners[item.path] = local
            deferred = tuple(field.name for field in item.layer.fields
                             if isinstance(getattr(item.layer, field.name), v.Bound))
            nodes.append(Node(name, item.layer, item.location, item.inputs, item.path, item.block_input, deferred,
                              item.conditions, item.multiplicity, item.idle))
        return tuple(nodes)


class _Construct:
    """The builder as a ``GraphBuilder`` for one construct (costcalc.layers.base)."""

    def __init__(self, builder: _Builder, location: Location, producer: int, ctx: _Context):
        self.builder, self.location, self.input, self.ctx = builder, location, producer, ctx

    def add(self, name: str, layer: Layer, inputs: tuple[int, ...], reads_construct_input: bool = False) -> int:
        block_input = self.input if reads_construct_input else None
        return self.builder.add(layer, self.location, inputs, self.ctx, name, block_input=block_input)

    def input_channels(self, times: int = 1) -> Any:
        from costcalc.spec.expressions import parse_expression

        return v.Bound(parse_expression("block_in" if times == 1 else f"{times} * block_in"), {})


def build_network(spec: Spec, depth_multiplier: Fraction = Fraction(1), depth_symbol: Any = None) -> Network:
    """The spec's graph of named layer nodes at ``depth_multiplier``, in topological order (see the module
    docstring). With ``depth_symbol`` (a sympy symbol), a repeat of ``round_repeats(n)`` copies is built once,
    its nodes standing for ``d·n`` copies: the network of the closed form in d."""
    depth_multiplier = Fraction(depth_multiplier)
    if depth_multiplier != 1 and not spec.scales_depth:
        from costcalc.quantities import format_fraction

        raise SpecError(Diagnostic(Location(spec.path), f"depth multiplier {format_fraction(depth_multiplier)}: "
                                   f"{spec.name} does not scale with depth (no repeat count of it calls "
                                   "round_repeats)", "E420"))
    builder = _Builder(spec, depth_multiplier, depth_symbol)
    try:
        builder.chain(spec.body, -1, _Context(path=(), args=spec_arguments(spec), block_input=-1, suffix="",
                                              where=""))
    except _TooBig as error:
        raise SpecError(Diagnostic(error.location, str(error), "E211")) from None
    if builder.problems.found:
        raise SpecError(builder.problems.sorted())
    if not builder.pending:
        raise SpecError(Diagnostic(Location(spec.path, 1, 1), "the network has no layers (every 'if' chose nothing)",
                                   "E201"))
    return Network(spec=spec, nodes=builder.nodes(), groups=builder.groups, depth_multiplier=depth_multiplier,
                   scaled_repeats=tuple(builder.scaled_repeats), constructs=builder.constructs)
