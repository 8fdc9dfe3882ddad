"""The automatic model choice on the spectra sodium cells give (issue 10 item 7): lead inductance, a third arc,
blocking electrodes, diffusion tails; every candidate physically named, the choice explained with ΔBIC.
The broad measure is benchmarks/auto_choice_benchmark.py (README table); these are one case of each kind."""

from __future__ import annotations

import numpy as np
import pytest

from nakinetics import get_preset
from nakinetics.circuit import Element, Parallel
from nakinetics.presets import general_presets
from nakinetics.roles import decide_context
from nakinetics.selection import auto_candidates, choose_model, prescreen
from nakinetics.synthetic import synthetic_spectrum

from .test_roles import q_for_apex


def arc(label: int, r: float, apex_hz: float, n: float = 0.85) -> dict[str, float]:
    return {f"R{label}": r, f"CPE{label}_Q": q_for_apex(r, apex_hz, n), f"CPE{label}_n": n}


def series_and_arcs(result) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Σ top-level resistors and Σ resistors inside arcs of a fit (role-free, as the benchmark scores)."""
    top = result.circuit.top_level
    series = sum(result.values[n.label] for n in top if isinstance(n, Element) and n.spec.symbol == "R")
    arcs = sum(
        result.values[e.label]
        for n in top
        if isinstance(n, Parallel)
        for e in result.circuit.elements
        if e.spec.symbol == "R" and e.label in {c.label for c in n.children if isinstance(c, Element)}
    )
    return series, arcs


def test_every_candidate_is_a_named_preset_with_a_title() -> None:
    for preset in general_presets():
        assert preset.title and preset.description, preset.name
        assert "single" not in preset.tags  # an automatic winner never switches the cell to single


def test_coin_cell_on_long_leads_gets_its_inductance() -> None:
    """Today no candidate has an inductance: the series resistance came out 30–100 % high."""
    truth = {"L0": 1.5e-6, "R0": 6.0, **arc(1, 300.0, 2e3, 0.8)}
    spectrum = synthetic_spectrum(
        "L0-R0-p(R1,CPE1)", truth, np.logspace(6, -1, 60), noise=0.01, rng=np.random.default_rng(1)
    )
    choice = choose_model(spectrum)
    assert choice.best.preset is not None and choice.best.preset.name == "na_se_na_1arc_leads"
    assert choice.best.values["L0"] == pytest.approx(1.5e-6, rel=0.05)
    assert choice.best.values["R0"] == pytest.approx(6.0, rel=0.05)
    assert "ΔBIC" in choice.reason()


def test_na_nasicon_na_to_mhz_gets_three_arcs() -> None:
    truth = {"R0": 25.0, **arc(1, 400.0, 3e5, 0.9), **arc(2, 150.0, 3e3), **arc(3, 600.0, 20.0)}
    spectrum = synthetic_spectrum(
        "na_se_na_3arc", truth, np.logspace(np.log10(7e6), -1, 60), noise=0.01, rng=np.random.default_rng(2)
    )
    best = choose_model(spectrum).best
    assert best.preset is not None and best.preset.name == "na_se_na_3arc"
    series, arcs = series_and_arcs(best)
    assert series == pytest.approx(25.0, rel=0.05)
    assert arcs == pytest.approx(1150.0, rel=0.05)


def test_blocking_electrodes_are_recognised() -> None:
    truth = {"R1": 800.0, **arc(2, 1500.0, 3e4, 0.8), "CPE3_Q": 2e-6, "CPE3_n": 0.85}
    spectrum = synthetic_spectrum(
        "pellet_1arc", truth, np.logspace(np.log10(7e6), 0, 60), noise=0.01, rng=np.random.default_rng(3)
    )
    screen = prescreen(spectrum)
    assert screen.blocking
    names = {c.name for c in auto_candidates(screen)}
    assert {"pellet_1arc", "pellet_blocking", "pellet_intercept"} <= names
    assert not {"randles_w", "randles_ws", "na_liquid_na_diffusion"} & names  # a spike is no diffusion tail
    best = choose_model(spectrum).best
    assert best.preset is not None and best.preset.name == "pellet_1arc"
    assert best.values["R2"] == pytest.approx(1500.0, rel=0.05)


def test_an_arc_turned_into_a_capacitor_is_set_aside() -> None:
    """A non-blocking model fitted to a blocking spike puts an arc far below the window: set aside, with why."""
    truth = {"R1": 800.0, **arc(2, 1500.0, 3e4, 0.8), "CPE3_Q": 2e-6, "CPE3_n": 0.85}
    spectrum = synthetic_spectrum(
        "pellet_1arc", truth, np.logspace(np.log10(7e6), 0, 60), noise=0.01, rng=np.random.default_rng(3)
    )
    aside = {r.preset.name: why for r, why in choose_model(spectrum).set_aside if r.preset}
    assert "far below the window" in aside["na_se_na_2arc"]


def test_electrolyte_shapes_the_candidates() -> None:
    screen = prescreen(
        synthetic_spectrum(
            "na_se_na_2arc", {"R0": 10.0, **arc(1, 50.0, 1e4), **arc(2, 100.0, 10.0)}, np.logspace(6, -1, 40)
        )
    )
    names = lambda pool: {c.name for c in pool}
    solid = names(auto_candidates(screen, decide_context(electrolyte="solid")))
    liquid = names(auto_candidates(screen, decide_context(electrolyte="liquid")))
    assert "randles_w" not in solid and "na_liquid_na_diffusion" not in solid  # no diffusion in a NASICON
    assert "na_liquid_na" in liquid and "na_se_na_2arc" not in liquid  # the liquid cell's roles
    assert {"na_se_na_1arc", "na_se_na_3arc"} <= solid


def test_fast_diffusion_is_refitted_in_the_diffusion_range_or_set_aside() -> None:
    """Two arcs: the diffusion candidates may not pass off the second arc as a 0.01 s 'diffusion'."""
    truth = {"R0": 20.0, **arc(1, 150.0, 3e4, 0.9), **arc(2, 300.0, 50.0, 0.85)}
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", truth, np.logspace(6, -1, 60), noise=0.01, rng=np.random.default_rng(4)
    )
    choice = choose_model(spectrum)
    assert choice.best.preset is not None and choice.best.preset.name == "na_se_na_2arc"
    for result in choice.results:
        for element in result.circuit.elements:
            if element.spec.symbol in {"Ws", "Wo"}:
                assert result.values[f"{element.label}_tau"] >= 0.39  # τ ≥ 2.5/(2π · 1 Hz)
    assert get_preset("na_liquid_na_diffusion").parameters["Ws3_tau"].min == pytest.approx(0.3)


def test_a_refit_that_cannot_change_the_choice_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two arcs: randles_ws passes off the second arc as a fast Ws and is far behind (χ² ~30× the noise); its
    refit in the diffusion range is skipped, and forcing it changes nothing but that candidate's set-aside row."""
    from nakinetics import selection

    truth = {"R0": 20.0, **arc(1, 150.0, 3e4, 0.9), **arc(2, 300.0, 50.0, 0.85)}
    spectrum = synthetic_spectrum(
        "na_se_na_2arc", truth, np.logspace(6, -1, 60), noise=0.01, rng=np.random.default_rng(4)
    )
    fits: list[tuple[str, bool]] = []
    real_fit = selection.fit_circuit

    def counted(spectrum, candidate, **options):  # type: ignore[no-untyped-def]
        fits.append((candidate.name, "bounds" in options))
        return real_fit(spectrum, candidate, **options)

    monkeypatch.setattr(selection, "fit_circuit", counted)
    skipped = choose_model(spectrum)
    assert ("randles_ws", True) not in fits and ("randles_ws", False) in fits
    aside = {r.preset.name: why for r, why in skipped.set_aside if r.preset}
    assert "like an arc" in aside["randles_ws"]

    fits.clear()
    monkeypatch.setattr(selection._Judged, "_refit_matters", lambda *args: True)
    forced = choose_model(spectrum)
    assert ("randles_ws", True) in fits
    assert "lower bound" in {r.preset.name: why for r, why in forced.set_aside if r.preset}["randles_ws"]
    assert forced.best.values == skipped.best.values
    assert forced.reason().split("; set aside")[0] == skipped.reason().split("; set aside")[0]
    assert [r.preset.name for r in forced.results if r.preset] == [
        r.preset.name for r in skipped.results if r.preset
    ]
