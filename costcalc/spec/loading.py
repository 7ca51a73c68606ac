"""Loading a network as the user named it: a bundled spec's bare name (a variant's too) or a file's path, with
the width rule and depth multiplier asked for, or those of its variant."""

from __future__ import annotations

from fractions import Fraction

from costcalc.spec.build import Network, build_network
from costcalc.spec.model import Spec


def load_spec_named(spec: str | None, width_rule: str | None = None) -> Spec:
    """The spec of SPEC as the user named it: a bundled spec's bare name (a variant's too) or a file's path (None:
    the default, mobilenet_v1; a path ending in .onnx: an ONNX model), read and validated, with the width rule ``width_rule`` (a preset's name) or, when
    None, its variant's or its own."""
    from costcalc.source.names import is_onnx_path, spec_path
    from costcalc.spec.schema import load_spec

    path = spec_path(spec)
    if is_onnx_path(path):  # an ONNX model, imported in memory (docs/onnx.md)
        from costcalc.onnx.importer import import_onnx
        from costcalc.source.positioned_yaml import parse_yaml
        from costcalc.spec.schema import parse_spec

        loaded = parse_spec(parse_yaml(import_onnx(path, comments=False).text, path), path)
    else:
        loaded = load_spec(path)
    rule = width_rule or (loaded.variant.width_rule if loaded.variant is not None else None)
    if rule is not None:
        from costcalc.layers.width import WidthRule

        loaded = loaded._replace(width=WidthRule.of_preset(rule))
    return loaded


def depth_multiplier_of(spec: Spec, given: Fraction | None) -> Fraction:
    """The depth multiplier asked for, else the spec's variant's, else 1."""
    if given is not None:
        return Fraction(given)
    variant = spec.variant
    return variant.depth_multiplier if variant is not None and variant.depth_multiplier is not None else Fraction(1)


def load_network(spec: str | None, depth_multiplier: Fraction | None = None, width_rule: str | None = None) -> Network:
    """The network of SPEC as the user named it (``load_spec_named``), read, validated and built at the depth
    multiplier asked for (None: its variant's, else 1)."""
    loaded = load_spec_named(spec, width_rule)
    return build_network(loaded, depth_multiplier_of(loaded, depth_multiplier))


def variant_point(spec: Spec, alpha: Fraction | None, rho: Fraction | None,
                  resolution: int | None) -> tuple[Fraction, Fraction]:
    """(alpha, rho) asked for: ``resolution`` in pixels is rho = resolution / the spec's input height; what is
    not given is the spec's variant's (``efficientnet_b4``: alpha 1.4 at 380 px), else alpha 1 at its own size."""
    variant = spec.variant
    if alpha is None:
        alpha = variant.alpha if variant is not None and variant.alpha is not None else Fraction(1)
    if rho is None and resolution is None and variant is not None:
        resolution = variant.resolution
    if resolution is not None:
        rho = Fraction(resolution, spec.input.height)
    return Fraction(alpha), Fraction(rho) if rho is not None else Fraction(1)
