"""The baseline of ``check --base REF``, computed from the repository at a git ref instead of read from a stored
file (size-limit's way: the base branch is measured, docs/budgets.md, "Against the base branch").

What it computes is what ``costcalc snapshot`` would have written at REF: the checks of the budgets file as it
is at REF (a ``costcalc.yaml``; the current checks when it did not exist there, or for ``pyproject.toml``),
with the command line's options in place of theirs (``analysis.check.configured``), each spec file read at REF
(``source.git``). A bundled spec's name, a convention and a device are what they are now. A spec file that
does not exist at REF (a network the change adds) and an ONNX model have no baseline: their growth is not
checked, as with a stored baseline that lacks them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from costcalc.analysis.check import Loaded, configured, counting_label
from costcalc.budget.baseline import BaselineReport
from costcalc.budget.config import MAX_EVALUATIONS, BudgetError, CheckSpec
from costcalc.errors import CostcalcError, Diagnostic
from costcalc.source import git


class LoadedAtCommit(Loaded):
    """``Loaded``, with every spec file read as it is at a commit."""

    def __init__(self, commit: git.Commit, unit: str = "mult-adds"):
        super().__init__(unit)
        self.commit = commit

    def network(self, spec: str, depth_multiplier: Fraction | None = None, width_rule: str | None = None) -> Any:
        if not of_the_repository(spec):  # a bundled spec: the same at every commit
            return super().network(spec, depth_multiplier, width_rule)

        def make() -> Any:
            from costcalc.source.bundled import split_variant
            from costcalc.source.positioned_yaml import parse_yaml
            from costcalc.spec.build import build_network
            from costcalc.spec.loading import depth_multiplier_of
            from costcalc.spec.schema import parse_spec

            file, variant = split_variant(spec)
            label = self.commit.label(file)
            loaded = parse_spec(parse_yaml(git.read_at(self.commit, file, "spec"), label), label)
            if variant is not None and variant in loaded.variants:
                from costcalc.spec.variants import select_variant

                loaded = select_variant(loaded, variant)
            rule = width_rule or (loaded.variant.width_rule if loaded.variant is not None else None)
            if rule is not None:
                from costcalc.layers.width import WidthRule

                loaded = loaded._replace(width=WidthRule.of_preset(rule))
            return build_network(loaded, depth_multiplier_of(loaded, depth_multiplier))

        return self._once(("network at", spec, depth_multiplier, width_rule), make)


def of_the_repository(spec: str) -> bool:
    """Whether a check's spec is a file of the user's (read at the commit), not a bundled spec (whose file, a
    variant's ``FILE#NAME`` too, lies in costcalc's own folder of specs)."""
    import os

    from costcalc.source.bundled import bundled_dir, split_variant
    from costcalc.source.names import names_a_file

    if not names_a_file(spec):
        return False
    folder, file = os.path.realpath(bundled_dir()), os.path.realpath(split_variant(spec)[0])
    return os.path.commonpath([folder, file]) != folder


def _has_base(commit: git.Commit, spec: str) -> bool:
    from costcalc.source.bundled import split_variant
    from costcalc.source.names import is_onnx_path

    if not of_the_repository(spec):
        return True
    return not is_onnx_path(spec) and git.exists_at(commit, split_variant(spec)[0])


def base_checks(commit: git.Commit, config_path: str | None, checks: list[CheckSpec],
                allow_outside: bool) -> list[CheckSpec]:
    """The checks of the budgets file at the commit, or ``checks`` (the current ones) when it has none there."""
    if not config_path or config_path.endswith(".toml") or not git.exists_at(commit, config_path):
        return checks
    from costcalc.budget.config import parse_config
    from costcalc.source.positioned_yaml import parse_yaml

    try:
        data = parse_yaml(git.read_at(commit, config_path, "budgets"), commit.label(config_path))
    except CostcalcError as error:
        raise BudgetError(error.diagnostics) from None
    return list(parse_config(data, config_path, allow_outside=allow_outside).checks)


def baselines_at(commit: git.Commit, checks: list[CheckSpec], unit: str, alphas: list[Fraction] | None = None,
                 resolutions: list[int] | None = None, convention: str | None = None,
                 depths: list[Fraction] | None = None, width_rule: str | None = None) -> list[BaselineReport]:
    """A baseline report of every check x configuration at the commit (at most ``MAX_EVALUATIONS``)."""
    loaded = LoadedAtCommit(commit, unit)
    reports: list[BaselineReport] = []
    for check, counting in configured(checks, loaded, {}, alphas, resolutions, convention, depths, width_rule):
        if not _has_base(commit, check.spec):
            continue
        for configuration in check.configurations:
            if len(reports) >= MAX_EVALUATIONS:
                raise BudgetError(Diagnostic(check.location, f"the checks at --base {commit.ref} ask for more than "
                                             f"the {MAX_EVALUATIONS} evaluations costcalc makes in one run", "E512"))
            evaluation = loaded.evaluation(check.spec, configuration, counting, check.width_rule)
            reports.append(BaselineReport(
                evaluation.spec.name, evaluation.alpha, evaluation.resolution, counting_label(evaluation),
                {"mult_adds": evaluation.mult_adds, "params": evaluation.params},
                {row.name: {"mult_adds": row.mult_adds, "params": row.params} for row in evaluation.layers},
                evaluation.depth_multiplier, commit.ref))
    return reports
