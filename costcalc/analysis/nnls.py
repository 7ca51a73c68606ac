"""Non-negative least squares, exactly: minimise ||A·x - b||² subject to x >= 0, in Fractions.

Lawson and Hanson's active-set algorithm (*Solving Least Squares Problems*, 1974, chapter 23, algorithm NNLS),
the one ``scipy.optimize.nnls`` implements, run on the normal equations G = AᵀA, h = Aᵀb in exact rational
arithmetic. Exactness is what makes it simple and deterministic: a column that depends linearly on the ones
already in the passive set has a gradient of exactly 0 and is never chosen, so no tolerance is needed, and the
same data gives the same coefficients on every machine (no float, no BLAS, no order of summation). The
problems costcalc fits are small (tens of rows, at most about a dozen columns), where this costs milliseconds.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

Matrix = list[list[Fraction]]


def normal_equations(rows: Sequence[Sequence[Fraction]], targets: Sequence[Fraction]) -> tuple[Matrix, list[Fraction]]:
    """(AᵀA, Aᵀb) of the rows of A and the targets b."""
    width = len(rows[0]) if rows else 0
    gram = [[Fraction(0)] * width for _ in range(width)]
    moment = [Fraction(0)] * width
    for row, target in zip(rows, targets):
        for i in range(width):
            if row[i]:
                moment[i] += row[i] * target
                for j in range(i, width):
                    gram[i][j] += row[i] * row[j]
    for i in range(width):
        for j in range(i):
            gram[i][j] = gram[j][i]
    return gram, moment


def _solve(gram: Matrix, moment: list[Fraction], chosen: list[int]) -> list[Fraction] | None:
    """The unconstrained least-squares coefficients on the columns ``chosen`` (Gaussian elimination, exact), or
    None when their Gram matrix is singular."""
    size = len(chosen)
    system = [[gram[i][j] for j in chosen] + [moment[i]] for i in chosen]
    for column in range(size):
        pivot = next((row for row in range(column, size) if system[row][column] != 0), None)
        if pivot is None:
            return None
        system[column], system[pivot] = system[pivot], system[column]
        for row in range(size):
            if row != column and system[row][column] != 0:
                factor = system[row][column] / system[column][column]
                system[row] = [a - factor * b for a, b in zip(system[row], system[column])]
    return [system[row][size] / system[row][row] for row in range(size)]


def nnls(gram: Matrix, moment: list[Fraction]) -> list[Fraction]:
    """The x >= 0 that minimises xᵀGx - 2hᵀx (= ||Ax - b||² - ||b||²), for G = AᵀA and h = Aᵀb.

    Lawson-Hanson: move into the passive set P the column whose gradient h - Gx is the largest positive one (the
    first such, on a tie), solve on P, and step back towards the previous x when a coefficient would turn
    negative, dropping the columns that reach 0. Each outer step lowers the residual strictly, so no set of
    columns repeats and it ends; the bound on steps guards a bug, not the data."""
    width = len(moment)
    x = [Fraction(0)] * width
    passive: list[int] = []
    for _ in range(3 * width + 3):
        gradient = [moment[i] - sum((gram[i][j] * x[j] for j in passive), Fraction(0)) for i in range(width)]
        candidates = [i for i in range(width) if i not in passive and gradient[i] > 0]
        if not candidates:
            return x
        best = max(candidates, key=lambda i: (gradient[i], -i))
        passive = sorted(passive + [best])
        while True:
            solved = _solve(gram, moment, passive)
            if solved is None:  # a dependent column cannot have a positive gradient in exact arithmetic
                passive.remove(best)
                return x
            trial = dict(zip(passive, solved))
            if all(value > 0 for value in trial.values()):
                x = [trial.get(i, Fraction(0)) for i in range(width)]
                break
            step = min(x[i] / (x[i] - trial[i]) for i in passive if trial[i] <= 0)
            x = [x[i] + step * (trial[i] - x[i]) if i in trial else Fraction(0) for i in range(width)]
            passive = [i for i in passive if x[i] > 0]
            x = [x[i] if i in passive else Fraction(0) for i in range(width)]
    raise RuntimeError("NNLS did not converge (a bug: each step lowers the residual)")
