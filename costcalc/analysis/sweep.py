"""Sweeps: exact totals over a grid of width multipliers and resolutions, with optional budgets."""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from costcalc.arith import scale_resolution
from costcalc.compiled import CompiledCost
from costcalc.conventions import Convention
from costcalc.network import Network


class Budget(NamedTuple):
    """Upper limits (inclusive); None: no limit on that metric."""

    mult_adds: int | None = None
    params: int | None = None

    def meets(self, mult_adds: int, params: int) -> bool:
        return (self.mult_adds is None or mult_adds <= self.mult_adds) and (
            self.params is None or params <= self.params)

    def __bool__(self) -> bool:
        return self.mult_adds is not None or self.params is not None


class SweepPoint(NamedTuple):
    alpha: Fraction
    rho: Fraction
    resolution: int
    mult_adds: int
    params: int


class Sweep(NamedTuple):
    network: Network
    convention: Convention
    alphas: list[Fraction]
    rhos: list[Fraction]
    resolutions: list[int]
    points: list[SweepPoint]  # alpha-major: points[i * len(rhos) + j] is (alphas[i], rhos[j])
    budget: Budget

    def at(self, alpha_index: int, rho_index: int) -> SweepPoint:
        return self.points[alpha_index * len(self.rhos) + rho_index]

    @property
    def params_vary_with_resolution(self) -> bool:
        width = len(self.rhos)
        return any(len({point.params for point in self.points[i * width:(i + 1) * width]}) > 1
                   for i in range(len(self.alphas)))


def sweep(network: Network, alphas: list[Fraction], rhos: list[Fraction], convention: Convention,
          budget: Budget = Budget(), compiled: CompiledCost | None = None) -> Sweep:
    """Every (alpha, rho) point, exactly, with the spec's rounding rules (costcalc.compiled)."""
    compiled = compiled or CompiledCost(network, convention)
    height = network.spec.input.height
    resolutions = [scale_resolution(height, rho) for rho in rhos]
    resolution_of = dict(zip(rhos, resolutions))
    points = [SweepPoint(alpha, rho, resolution_of[rho], mult_adds, params)
              for alpha, rho, mult_adds, params in compiled.grid(alphas, rhos)]
    return Sweep(network, convention, alphas, rhos, resolutions, points, budget)
