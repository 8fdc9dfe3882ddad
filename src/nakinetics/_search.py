"""The search stage of a circuit fit: which local minimum of χ² the fit ends in.

A fit's starts come from the data (:func:`nakinetics.guesses.starting_points`: every plausible grouping
of the peaks of the distribution of relaxation times into the circuit's relaxations).  The search

1. ranks them by their misfit (one circuit evaluation each) and converges the best one;
2. with three or more relaxations, probes the next ``2 × (relaxations)`` starts with a few
   Levenberg–Marquardt steps each and converges them in order of their probed misfit (with fewer, the next
   starts in ranked order), until the best minimum has been reached by two runs (χ² within one noise
   variance) and lies at the noise level the data allow, or the budget of converged runs is spent;
3. if the best fit is still above that noise level, probes up to ``WIDE_PROBES`` more starts and
   converges the most promising;
4. probes moves around the best fit in the space of groupings (:func:`nakinetics.guesses.regrouped_starts`:
   two neighbouring relaxations merged and one split, or one swapped for a DRT peak the fit leaves
   unexplained) — moves still three orders of magnitude above the best after two steps are dropped
   (``RACE_RATIO``) — and converges the most promising, for another round when one of them improved.

The fit falls back to a bounded differential-evolution search (:func:`global_search`) only when the best
is still well above the noise level.

Measured on synthetic spectra with three to five arcs (``benchmarks/fit_benchmark.py``), a lone start —
however well ranked — ends in a wrong minimum (χ² 1.01–10× the best) in 5–25 % of the fits, and two
near-identical starts often end in the same wrong one (an arc collapsed to nothing, its neighbour taking
both relaxations); the probed, confirmed multistart and the regrouping moves remove almost all of these
misses, so the fallback is rarely needed.

The problem object supplies ``residual_and_deferred_jacobian(u)`` (the runs' evaluations: the Jacobian
computed only where a run moves), ``cost(u)``, ``relative_rms(u)``, the bounds
``u_lower``/``u_upper`` of the internal coordinates and ``log`` (which coordinates are logarithms).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from . import _lm
from ._typing import FloatArray
from .guesses import FEW_PROCESSES

PROBE_ITERATIONS = 6
"""Levenberg–Marquardt steps a probed start gets before the probes are ranked."""
PROBES_PER_PROCESS = 2
"""Starts probed per relaxation (arc or element) of the circuit, besides the best-ranked one."""
EXTRA_RUNS = 2
"""Converged runs allowed beyond one per relaxation before the search settles for its best minimum."""
SEARCH_FTOL = 1e-5
"""Search runs stop when a step gains less than this fraction of χ² (a thousandth of the noise variance on
60 points); only the best is then converged to the default 1e-10 (in a flat valley of poorly determined
parameters the last digits can take hundreds of steps)."""
SAME_MINIMUM = 1e-4
"""A regrouping round improved on the best when it lowered χ² by more than this relative amount."""
REGROUP_ROUNDS = 2
REGROUP_RUNS = 2
"""After the multistart, up to ``REGROUP_ROUNDS`` rounds of moves in the space of groupings around the best
fit: every move probed, the ``REGROUP_RUNS`` most promising converged, another round only when one of them
improved on the best."""
RACE_ITERATIONS = 2
RACE_RATIO = 1000.0
"""A regrouping move whose χ² after its first ``RACE_ITERATIONS`` Levenberg–Marquardt steps is still above
``RACE_RATIO`` × the best is not probed further, as long as ``REGROUP_RUNS`` moves are left.  Measured on the
fit benchmark's families (6 spectra each), every candidate of the automatic choice (3 spectra per family) and a
real spectrum: the moves that went on to improve the best by more than one noise variance were at most 73× the
best after two steps (the real spectrum; ≤ 13× on the synthetic ones), while a quarter of all moves were above
1000×.  Over 1,154 regrouping rounds the rule changed which moves were converged in 13; the automatic choice on
131 spectra (100 synthetic, 31 real) moved no chosen fit by more than 4e-7 relative."""
WIDE_PROBES = 40
"""Starts probed in step 3, when the best is still above the noise level."""
MAX_ITERATIONS = 500
"""Most Levenberg–Marquardt iterations of one converging run; a fit that needs more reports failure."""
GLOBAL_GENERATIONS = 15
GLOBAL_POPULATION = 5
GLOBAL_BOX_MARGIN = 2.3
"""Differential-evolution fallback: 15 generations of 5 × k members (≈ 600 evaluations for k = 7, ~0.2 s)
over the box the structured starts span, widened by a factor 10 (ln 10 ≈ 2.3) on each side for
log-scaled parameters."""


class SearchProblem(Protocol):
    u_lower: FloatArray
    u_upper: FloatArray
    log: Any

    def residual_and_jacobian(self, u: FloatArray) -> tuple[FloatArray, FloatArray]: ...
    def residual_and_deferred_jacobian(
        self, u: FloatArray
    ) -> tuple[FloatArray, Callable[[], FloatArray]]: ...
    def cost(self, u: FloatArray) -> float: ...
    def relative_rms(self, u: FloatArray) -> float: ...


@dataclass
class SearchOutcome:
    """The best run, how many circuit evaluations the search took and whether it fell back to the
    global search."""

    state: _lm.LMState
    evaluations: int
    fallback: bool = False


def rank_starts(
    problem: SearchProblem, starts: Sequence[FloatArray], keep_first: int = 0
) -> list[FloatArray]:
    """``starts`` ordered by their χ² (non-finite ones dropped); the first ``keep_first`` stay in front."""
    head, rest = list(starts[:keep_first]), starts[keep_first:]
    with np.errstate(all="ignore"):
        costs = [problem.cost(u) for u in rest]
    order = sorted((c, k) for k, c in enumerate(costs) if math.isfinite(c))
    return head + [rest[k] for _, k in order]


def converge(
    problem: SearchProblem, state: _lm.LMState, max_iterations: int | None = None, ftol: float = 1e-10
) -> _lm.LMState:
    """Iterate ``state`` to convergence (relative gain per step ≤ ``ftol``) or ``max_iterations``
    (default ``MAX_ITERATIONS``)."""
    cap = MAX_ITERATIONS if max_iterations is None else max_iterations
    with np.errstate(all="ignore"):
        return _lm.iterate(
            problem.residual_and_deferred_jacobian, state, problem.u_lower, problem.u_upper, cap, ftol=ftol
        )


def _settle(problem: SearchProblem, state: _lm.LMState) -> _lm.LMState:
    """Converge a search run to ``SEARCH_FTOL``: which minimum it is in, not its last digits."""
    return converge(problem, state, ftol=SEARCH_FTOL)


def probe(problem: SearchProblem, u0: FloatArray, iterations: int = PROBE_ITERATIONS) -> _lm.LMState:
    """A few Levenberg–Marquardt steps from ``u0``."""
    fun = problem.residual_and_deferred_jacobian
    state = _lm.start(fun, u0, problem.u_lower, problem.u_upper)
    return converge(problem, state, iterations)


def multistart(
    problem: SearchProblem,
    ranked: Sequence[FloatArray],
    n_processes: int,
    good_rms: float,
    neighbours: Callable[[FloatArray], list[FloatArray]] | None = None,
) -> SearchOutcome:
    """Steps 1–4 of the module docstring; ``good_rms`` is the relative RMS misfit a correct model reaches
    at the data's noise level.

    With one or two relaxations the next starts are converged in ranked order without probing (on such
    spectra the two best-ranked starts reach the best minimum together); with more, a start that merely
    repeats the best-ranked one's wrong minimum is common, so the candidates are probed first.
    ``neighbours(u)`` gives starts next to a minimum in the space of groupings (see ``REGROUP_ROUNDS``):
    the minimum two starts agree on can still be one where an arc collapsed to nothing and its neighbour
    took both relaxations.
    """
    if not ranked:
        raise ValueError("no finite starting point")
    runs = [_settle(problem, probe(problem, ranked[0], 0))]
    budget = n_processes + EXTRA_RUNS
    n_probes = PROBES_PER_PROCESS * n_processes if n_processes > FEW_PROCESSES else 0
    probed = sorted((probe(problem, u) for u in ranked[1 : 1 + n_probes]), key=lambda s: s.cost)
    queue = list(ranked[1 + n_probes :])
    _converge_until_settled(problem, runs, probed, queue, budget, good_rms)
    if problem.relative_rms(_best(runs).u) > good_rms and queue:
        # step 3: still above the noise level — probe a wider set of the remaining starts
        probed = sorted(probed + [probe(problem, u) for u in queue[:WIDE_PROBES]], key=lambda s: s.cost)
        _converge_until_settled(problem, runs, probed, [], len(runs) + budget, good_rms)
    for _ in range(REGROUP_ROUNDS if neighbours is not None else 0):
        best = _best(runs)
        raced = [probe(problem, u, RACE_ITERATIONS) for u in neighbours(best.u)]
        far = [s.cost > RACE_RATIO * best.cost for s in raced]
        if len(raced) - sum(far) < REGROUP_RUNS:
            far = [False] * len(raced)
        probed += [s for s, out in zip(raced, far, strict=True) if out]
        moves = [
            converge(problem, s, PROBE_ITERATIONS - RACE_ITERATIONS)
            for s, out in zip(raced, far, strict=True)
            if not out
        ]
        moves.sort(key=lambda s: s.cost)
        probed += moves[REGROUP_RUNS:]
        runs += [_settle(problem, state) for state in moves[:REGROUP_RUNS]]
        if _best(runs).cost >= best.cost * (1.0 - SAME_MINIMUM):
            break
    evaluations = sum(s.evaluations for s in runs) + sum(s.evaluations for s in probed)
    return SearchOutcome(_best(runs), evaluations)


def _best(runs: list[_lm.LMState]) -> _lm.LMState:
    return min(runs, key=lambda s: s.cost)


def _converge_until_settled(
    problem: SearchProblem,
    runs: list[_lm.LMState],
    probed: list[_lm.LMState],
    queue: list[FloatArray],
    max_runs: int,
    good_rms: float,
) -> None:
    """Converge probed runs (best probe first), then queued starts, appending to ``runs`` until two runs
    share the best minimum at the noise level or ``max_runs`` runs have converged."""
    while (probed or queue) and len(runs) < max_runs and not _settled(runs, problem, good_rms):
        state = probed.pop(0) if probed else probe(problem, queue.pop(0), 0)
        runs.append(_settle(problem, state))


def noise_variance(state: _lm.LMState) -> float:
    """s² = χ²/(m − k) at ``state``: the noise variance of one residual that its misfit implies."""
    return state.cost / max(state.residual.size - state.u.size, 1)


def _settled(runs: list[_lm.LMState], problem: SearchProblem, good_rms: float) -> bool:
    """Two runs ended in the best minimum and it lies at the noise level.

    Two runs are in the same minimum when their χ² differ by at most one noise variance s² (``noise_variance``
    of the best): statistically indistinguishable fits, the success criterion of ``benchmarks/fit_benchmark.py``.
    In a flat valley of χ² — an element the data do not need, two arcs sharing one relaxation — runs stop at
    points that differ by a fraction of s²; a relative tolerance of 1e-4 (0.015 s² on 60 points) did not
    count them as one, and the search spent its whole budget of converged runs."""
    best = _best(runs)
    tolerance = noise_variance(best)
    hits = sum(1 for s in runs if s.cost <= best.cost + tolerance)
    return hits >= 2 and problem.relative_rms(best.u) <= good_rms


def global_search(problem: SearchProblem, lower: FloatArray, upper: FloatArray) -> SearchOutcome:
    """Differential evolution over the box [lower, upper] in internal coordinates, widened by
    ``GLOBAL_BOX_MARGIN`` and clipped to the bounds, then Levenberg–Marquardt to convergence.

    Bounded: ``GLOBAL_GENERATIONS`` generations of ``GLOBAL_POPULATION`` × k members; seeded, so the same
    spectrum always gives the same answer.
    """
    from scipy.optimize import differential_evolution  # the fall-back only: kept off the import path

    log = np.asarray(problem.log, dtype=bool)
    span = np.maximum(upper - lower, 1e-3)
    lo = np.maximum(lower - GLOBAL_BOX_MARGIN * np.where(log, 1.0, span), problem.u_lower)
    hi = np.minimum(upper + GLOBAL_BOX_MARGIN * np.where(log, 1.0, span), problem.u_upper)
    hi = np.maximum(hi, lo + 1e-9)

    def cost(u: FloatArray) -> float:
        c = problem.cost(u)
        return c if math.isfinite(c) else 1e300

    with np.errstate(all="ignore"):
        found = differential_evolution(
            cost,
            list(zip(lo, hi, strict=True)),
            maxiter=GLOBAL_GENERATIONS,
            popsize=GLOBAL_POPULATION,
            tol=1e-8,
            polish=False,
            init="sobol",
            rng=np.random.default_rng(0),
        )
    state = converge(problem, probe(problem, found.x, 0))
    return SearchOutcome(state, int(found.nfev) + state.evaluations, fallback=True)
