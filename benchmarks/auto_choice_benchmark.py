"""Automatic model choice benchmark: does ``nakinetics fit`` with no circuit get the right numbers?

Builds a seeded synthetic set of spectra whose truth is known — the kinds sodium cells give: one, two and three
arcs, two arcs only 4–12× apart, cable inductance (0.2–3 µH), an arc whose apex lies below the measured window,
blocking electrodes (pellets), liquid cells with SEI arc, charge-transfer arc and a finite diffusion tail, Randles
cells with Warburg tails — with 0.3–3 % proportional complex noise and 60 points, and runs the automatic choice
on each (:func:`nakinetics.selection.choose_model`, what ``nakinetics fit FILE`` does without ``--circuit``).

Success: the series resistance (top-level resistors: the high-frequency intercept) and the total arc resistance
(resistors inside the arcs, diffusion elements excluded) of the chosen fit are both within 5 % of the truth.
The table also gives the share where the chosen circuit has the truth's structure, and the time per spectrum
(median, 95th percentile of CPU time: the machine is shared) of the whole choice (pre-screen plus every
candidate fitted).

i0 is scored where the generator knows which arc is the charge transfer (:attr:`Case.charge_transfer`): the
cells with a charge-transfer arc (liquid SEI + CT + diffusion, Randles) must report exactly one i0, within 5 % of
the hand formula i0 = 2RT/(F·R_ct·A) per interface (symmetric Na | Na cell, R_ct the cell total, A = 1.131 cm²,
298.15 K, what ``fit FILE --area 1.131`` reports); the cells without one (blocking pellets, a liquid cell whose
spectrum shows only its SEI arc and diffusion) must report no i0.  Those cells are built with physical
capacitances per electrode area (double layer 5–50 µF cm⁻², SEI film 0.2–2 µF cm⁻²); the 1–3-arc, inductance
and apex-below-window families draw arcs whose role the generator does not fix and are not scored for i0.

    python benchmarks/auto_choice_benchmark.py [--per-family 30] [--seed 2027] [--family NAME] [--failures]
                                              [--points N]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from nakinetics.circuit import Circuit, Element, Parallel, elements_of
from nakinetics.data import Spectrum
from nakinetics.fitting import FitResult
from nakinetics.synthetic import synthetic_spectrum

TOLERANCE = 0.05
NOISE_RANGE = (0.003, 0.03)
AREA_CM2 = 1.131
"""Electrode area of the i0 cases (a 12 mm disc, cm²)."""
T_K = 298.15
R_GAS, FARADAY_C = 8.314462618, 96485.33212  # J mol⁻¹ K⁻¹, C mol⁻¹ (CODATA 2018), independent of the package
DOUBLE_LAYER_F_CM2 = (5e-6, 5e-5)
FILM_F_CM2 = (2e-7, 2e-6)


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _arc(
    rng: np.random.Generator, label: int, r: float, apex_hz: float, n: tuple[float, float]
) -> dict[str, float]:
    """R‖CPE values with resistance ``r`` and apex at ``apex_hz``: (RQ)^(1/n) = 1/(2πf)."""
    exponent = rng.uniform(*n)
    return {
        f"R{label}": r,
        f"CPE{label}_n": exponent,
        f"CPE{label}_Q": (1.0 / (2 * np.pi * apex_hz)) ** exponent / r,
    }


def _arc_with_capacitance(
    rng: np.random.Generator, label: int, r: float, c_per_cm2: tuple[float, float], n: tuple[float, float]
) -> dict[str, float]:
    """R‖CPE values with resistance ``r`` and Hsu–Mansfeld capacitance drawn from ``c_per_cm2`` (F cm⁻²) ×
    :data:`AREA_CM2`; the time constant is then R·C_eff, since (Q R^(1−n))^(1/n) = (RQ)^(1/n)/R."""
    c_eff = _log_uniform(rng, *c_per_cm2) * AREA_CM2
    return _arc(rng, label, r, 1.0 / (2 * np.pi * r * c_eff), n)


def _apexes(
    rng: np.random.Generator, count: int, lo: float, hi: float, ratio: tuple[float, float]
) -> list[float]:
    """``count`` apex frequencies, fastest first, successive ratios drawn log-uniformly from ``ratio``, the
    whole set placed log-uniformly inside [lo, hi]."""
    steps = [_log_uniform(rng, *ratio) for _ in range(count - 1)]
    span = float(np.prod(steps))
    top = _log_uniform(rng, lo * span, hi) if hi > lo * span else hi
    out = [top]
    for s in steps:
        out.append(out[-1] / s)
    return out


def _arcs_circuit(count: int, first_label: int = 1) -> str:
    return "-".join(f"p(R{k},CPE{k})" for k in range(first_label, first_label + count))


@dataclass(frozen=True)
class Case:
    family: str
    circuit: str
    values: dict[str, float]
    frequency: np.ndarray
    noise: float
    charge_transfer: str | None = None
    """The truth's charge-transfer resistor; ``""``: the cell has none (no i0 may be reported); ``None``: the
    generator does not fix the arcs' roles (i0 not scored)."""

    @property
    def i0_true(self) -> float | None:
        """Hand formula: i0 = 2RT/(F·R_ct·A) per interface of the symmetric cell (mA cm⁻²)."""
        if not self.charge_transfer:
            return None
        return 1e3 * 2 * R_GAS * T_K / (FARADAY_C * self.values[self.charge_transfer] * AREA_CM2)

    def spectrum(self, rng: np.random.Generator) -> Spectrum:
        return synthetic_spectrum(self.circuit, self.values, self.frequency, noise=self.noise, rng=rng)


Maker = Callable[[np.random.Generator], tuple[str, dict[str, float], np.ndarray]]
CHARGE_TRANSFER: dict[str, str] = {}
"""Family → the truth's charge-transfer resistor (``""``: none); families not listed are not scored for i0."""


def _n_arcs(count: int, ratio: tuple[float, float], window: tuple[float, float]) -> Maker:
    """Na | solid electrolyte | Na with ``count`` arcs (apex ratios in ``ratio``), all inside the window."""

    def make(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
        f_hi, f_lo = window
        values = {"R0": _log_uniform(rng, 5, 100)}
        apexes = _apexes(rng, count, f_lo * 10, f_hi / 30, ratio)
        for k, apex in enumerate(apexes, start=1):
            values |= _arc(
                rng, k, _log_uniform(rng, 20, 2000) * (values["R0"] / 30) ** 0.3, apex, (0.75, 0.95)
            )
        return f"R0-{_arcs_circuit(count)}", values, np.logspace(np.log10(f_hi), np.log10(f_lo), 60)

    return make


def _inductance(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
    """Coin cell on long leads: L0 (0.2–3 µH) in series with one or two arcs."""
    count = int(rng.integers(1, 3))
    values = {"L0": _log_uniform(rng, 0.2e-6, 3e-6), "R0": _log_uniform(rng, 3, 40)}
    for k, apex in enumerate(_apexes(rng, count, 10, 2e4, (30, 300)), start=1):
        values |= _arc(rng, k, _log_uniform(rng, 20, 1000), apex, (0.75, 0.95))
    return f"L0-R0-{_arcs_circuit(count)}", values, np.logspace(6, -1, 60)


def _apex_below_window(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
    """Two arcs, the slower one's apex 1.2–2× below the lowest measured frequency."""
    f_lo = 1.0
    values = {"R0": _log_uniform(rng, 5, 60)}
    values |= _arc(rng, 1, _log_uniform(rng, 20, 500), _log_uniform(rng, 1e3, 3e4), (0.8, 0.95))
    values |= _arc(rng, 2, _log_uniform(rng, 50, 1000), f_lo / rng.uniform(1.2, 2.0), (0.8, 0.95))
    return "R0-p(R1,CPE1)-p(R2,CPE2)", values, np.logspace(6, 0, 60)


def _blocking(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
    """NASICON pellet between blocking (Au) electrodes measured to 7 MHz: bulk arc above the window (intercept
    R0), grain-boundary arc, and the electrode spike; or both electrolyte arcs above the window (R0 + spike)."""
    n_el = rng.uniform(0.75, 0.95)
    values = {"R0": _log_uniform(rng, 30, 3000)}
    if rng.uniform() < 0.75:
        values |= _arc(
            rng, 1, values["R0"] * _log_uniform(rng, 0.3, 5), _log_uniform(rng, 3e3, 2e5), (0.7, 0.9)
        )
        values |= {"CPE2_n": n_el, "CPE2_Q": _log_uniform(rng, 1e-7, 1e-5)}
        return "R0-p(R1,CPE1)-CPE2", values, np.logspace(np.log10(7e6), 0, 60)
    values |= {"CPE1_n": n_el, "CPE1_Q": _log_uniform(rng, 1e-7, 1e-5)}
    return "R0-CPE1", values, np.logspace(np.log10(7e6), 0, 60)


def _tau(values: dict[str, float], label: int) -> float:
    return (values[f"R{label}"] * values[f"CPE{label}_Q"]) ** (1 / values[f"CPE{label}_n"])


def _liquid_diffusion(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
    """Na | liquid | Na: SEI arc (film 0.2–2 µF cm⁻²), charge-transfer arc (double layer 5–50 µF cm⁻²) at least
    20× slower, and finite-length electrolyte diffusion (Ws)."""
    values = {"R0": _log_uniform(rng, 2, 20)}
    while True:
        sei = _arc_with_capacitance(rng, 1, _log_uniform(rng, 5, 60), FILM_F_CM2, (0.8, 0.95))
        ct = _arc_with_capacitance(rng, 2, _log_uniform(rng, 20, 300), DOUBLE_LAYER_F_CM2, (0.75, 0.9))
        if _tau(ct, 2) >= 20 * _tau(sei, 1):
            break
    values |= sei | ct
    tau = _log_uniform(rng, 5, 100)
    values |= {"Ws3_R": values["R2"] * _log_uniform(rng, 0.3, 2), "Ws3_tau": tau}
    return "R0-p(R1,CPE1)-p(R2,CPE2)-Ws3", values, np.logspace(5, -2.3, 60)


def _sei_only(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
    """Na | liquid | Na whose charge transfer is too fast to show (no arc of its own): the SEI arc (film
    0.2–2 µF cm⁻²) and finite-length electrolyte diffusion (Ws).  No arc is a charge transfer."""
    values = {"R0": _log_uniform(rng, 2, 20)}
    values |= _arc_with_capacitance(rng, 1, _log_uniform(rng, 5, 100), FILM_F_CM2, (0.8, 0.95))
    values |= {"Ws2_R": values["R1"] * _log_uniform(rng, 0.5, 3), "Ws2_tau": _log_uniform(rng, 5, 100)}
    return "R0-p(R1,CPE1)-Ws2", values, np.logspace(5, -2.3, 60)


def _randles(rng: np.random.Generator) -> tuple[str, dict[str, float], np.ndarray]:
    """Randles cell (double layer 5–50 µF cm⁻²) with a semi-infinite (W) or finite-length (Ws) Warburg tail."""
    values = _arc_with_capacitance(rng, 1, _log_uniform(rng, 20, 500), DOUBLE_LAYER_F_CM2, (0.8, 0.95))
    values["R0"] = _log_uniform(rng, 5, 50)
    if rng.uniform() < 0.5:
        values["W1"] = values["R1"] * _log_uniform(rng, 0.05, 0.5)
        return "R0-p(R1-W1,CPE1)", values, np.logspace(5, -2, 60)
    values |= {"Ws1_R": values["R1"] * _log_uniform(rng, 0.3, 3), "Ws1_tau": _log_uniform(rng, 1, 30)}
    return "R0-p(R1-Ws1,CPE1)", values, np.logspace(5, -2.3, 60)


FAMILIES: dict[str, Maker] = {
    "1 arc": _n_arcs(1, (1, 1), (1e6, 0.1)),
    "2 arcs (≥ 30× apart)": _n_arcs(2, (30, 1000), (1e6, 0.1)),
    "2 arcs 4–12× apart": _n_arcs(2, (4, 12), (1e6, 0.1)),
    "3 arcs (Na|NASICON|Na to MHz)": _n_arcs(3, (30, 300), (7e6, 0.1)),
    "cable inductance": _inductance,
    "arc apex below window": _apex_below_window,
    "blocking electrodes": _blocking,
    "liquid: SEI + CT + diffusion": _liquid_diffusion,
    "liquid: SEI + diffusion, no CT arc": _sei_only,
    "Randles + W / Ws": _randles,
}
CHARGE_TRANSFER |= {
    "blocking electrodes": "",
    "liquid: SEI + CT + diffusion": "R2",
    "liquid: SEI + diffusion, no CT arc": "",
    "Randles + W / Ws": "R1",
}


def make_cases(
    per_family: int, seed: int, families: list[str] | None = None, points: int | None = None
) -> list[Case]:
    """The seeded cases; ``points`` resamples every window to that many log-even points (same truths)."""
    rng = np.random.default_rng(seed)
    cases = []
    for name, make in FAMILIES.items():
        for _ in range(per_family):
            circuit, values, frequency = make(rng)
            if points is not None:
                frequency = np.geomspace(frequency[0], frequency[-1], points)
            noise = _log_uniform(rng, *NOISE_RANGE)
            if families is None or name in families:
                cases.append(Case(name, circuit, values, frequency, noise, CHARGE_TRANSFER.get(name)))
    return cases


def series_and_arc_resistance(circuit: Circuit, values: dict[str, float]) -> tuple[float, float]:
    """(Σ top-level resistors, Σ resistors inside top-level arcs) — role-free, so any two circuits compare."""
    series = sum(
        values[n.label] for n in circuit.top_level if isinstance(n, Element) and n.spec.symbol == "R"
    )
    arcs = sum(
        values[e.label]
        for n in circuit.top_level
        if isinstance(n, Parallel)
        for e in elements_of(n)
        if e.spec.symbol == "R"
    )
    return series, arcs


def _within(fitted: float, true: float, scale: float | None = None) -> bool:
    """|fitted − true| ≤ 5 % of the truth (of ``scale`` when the truth is zero: no arc)."""
    return abs(fitted - true) <= TOLERANCE * (true if true > 0 else (scale or 1.0))


def reported_i0(result: FitResult) -> dict[str, float]:
    """The i0 values ``fit FILE --area 1.131`` reports for an automatic choice (mA cm⁻², by resistor): roles and
    cell decided as the CLI decides them, never from the chosen preset's tags."""
    from nakinetics.derived import CellGeometry, derive_quantities

    derived, _ = derive_quantities(
        result, CellGeometry(area_cm2=AREA_CM2, temperature_k=T_K), preset_decides=False
    )
    return {name.removeprefix("i0_"): q.value for name, q in derived.items() if name.startswith("i0_")}


def i0_right(case: Case, result: FitResult) -> bool | None:
    """Exactly one i0 within 5 % of the truth for a cell with a charge-transfer arc; no i0 for one without;
    ``None`` when the case is not scored."""
    if case.charge_transfer is None:
        return None
    found = reported_i0(result)
    if not case.charge_transfer:
        return not found
    return len(found) == 1 and _within(next(iter(found.values())), case.i0_true)  # type: ignore[arg-type]


def _oracle(spectrum: Spectrum, case: Case) -> FitResult:
    """The truth's circuit fitted twice — from the data-driven starts with the global fallback, and from the
    truth — the better of the two: what the data allow at best."""
    from nakinetics.fitting import fit_circuit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = [
            fit_circuit(spectrum, case.circuit),
            fit_circuit(spectrum, case.circuit, warm_start=case.values),
        ]
    return min(fits, key=lambda r: r.statistics.chisqr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-family", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--family", action="append", help="only this family (repeatable)")
    parser.add_argument("--failures", action="store_true", help="print every failure")
    parser.add_argument(
        "--points", type=int, help="points per spectrum (default 60; same windows and truths)"
    )
    args = parser.parse_args()

    from nakinetics.selection import choose_model

    cases = make_cases(args.per_family, args.seed, args.family, args.points)
    rng = np.random.default_rng(args.seed + 1)
    rows: dict[str, list[tuple[bool, bool, float, bool, bool | None]]] = {}
    i0_failures = []
    failures = []
    for case in cases:
        spectrum = case.spectrum(rng)
        truth = Circuit(case.circuit)
        t0 = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            choice = choose_model(spectrum)
        elapsed = time.process_time() - t0
        best = choice.best
        rs_true, ra_true = series_and_arc_resistance(truth, case.values)
        rs_fit, ra_fit = series_and_arc_resistance(best.circuit, best.values)
        ok = _within(rs_fit, rs_true) and _within(ra_fit, ra_true, rs_true)
        same = _shape(best.circuit) == _shape(truth)
        oracle = _oracle(spectrum, case)
        rs_o, ra_o = series_and_arc_resistance(oracle.circuit, oracle.values)
        oracle_ok = _within(rs_o, rs_true) and _within(ra_o, ra_true, rs_true)
        i0_ok = i0_right(case, best)
        rows.setdefault(case.family, []).append((ok, same, elapsed, oracle_ok, i0_ok))
        if i0_ok is False:
            i0_failures.append((case, best, reported_i0(best)))
        if not ok:
            truth_fit = next((r for r in choice.results if _shape(r.circuit) == _shape(truth)), None)
            if not oracle_ok:
                kind = "data limit (the truth's circuit at its best fit misses too)"
            elif truth_fit is not None and truth_fit.statistics.bic > oracle.statistics.bic + 1:
                kind = f"search (truth's circuit fitted to BIC {truth_fit.statistics.bic:.1f}, best {oracle.statistics.bic:.1f})"
            elif same:
                kind = "search (right circuit, wrong minimum)"
            else:
                kind = f"choice (oracle BIC {oracle.statistics.bic:.1f})"
            failures.append((case, best, rs_true, ra_true, rs_fit, ra_fit, choice.reason(), kind))

    print(
        f"{args.per_family} spectra per family, seed {args.seed}, noise {NOISE_RANGE[0]:.1%}–{NOISE_RANGE[1]:.0%}, "
        f"{args.points or 60} points"
    )
    print()
    print(
        "| family | spectra | R_series and ΣR_arcs within 5 % | truth's structure chosen | truth's circuit fitted "
        "(oracle) within 5 % | i0 within 5 % (CT arc) | no i0 (no CT arc) | median CPU ms | p95 CPU ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    families = {f: [c for c in cases if c.family == f] for f in rows}
    for family, results in [*rows.items(), ("overall", [r for v in rows.values() for r in v])]:
        ok = np.mean([r[0] for r in results]) * 100
        same = np.mean([r[1] for r in results]) * 100
        times = np.array([r[2] for r in results]) * 1e3
        oracle = np.mean([r[3] for r in results]) * 100
        kinds = (
            [c.charge_transfer for c in families[family]]
            if family in families
            else [c.charge_transfer for c in cases]
        )
        with_ct = [r[4] for r, k in zip(results, kinds, strict=True) if k]
        without = [r[4] for r, k in zip(results, kinds, strict=True) if k == ""]
        print(
            f"| {family} | {len(results)} | {ok:.1f} % | {same:.1f} % | {oracle:.1f} % | {_share(with_ct)} | "
            f"{_share(without)} | {np.median(times):.0f} | {np.percentile(times, 95):.0f} |"
        )
    if args.failures:
        print()
        for case, best, rs_true, ra_true, rs_fit, ra_fit, reason, kind in failures:
            print(
                f"- {case.family} [{kind}]: truth {case.circuit} (noise {case.noise:.2%}) R_s {rs_true:.4g} → "
                f"{rs_fit:.4g}, ΣR_arcs {ra_true:.4g} → {ra_fit:.4g}; chose {best.circuit.text}: {reason}"
            )
        for case, best, found in i0_failures:
            truth = (
                f"{case.i0_true:.4g} mA cm⁻² from {case.charge_transfer}" if case.charge_transfer else "no i0"
            )
            got = ", ".join(f"{k} {v:.4g}" for k, v in found.items()) or "none"
            print(
                f"- i0, {case.family}: truth {truth} (noise {case.noise:.2%}); chose {best.circuit.text}: i0 {got}"
            )


def _share(flags: list[bool | None]) -> str:
    return f"{np.mean(flags) * 100:.1f} % ({len(flags)})" if flags else "—"


def _shape(circuit: Circuit) -> str:
    """The circuit with element numbers removed (``R-p(R,CPE)``)."""
    return "".join(c for c in circuit.text if not c.isdigit())


if __name__ == "__main__":
    main()
