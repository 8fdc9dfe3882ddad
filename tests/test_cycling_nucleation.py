"""Nucleation overpotential only where the start of a half-cycle has the nucleation shape (issue 15):
synthetic records with physically shaped transients — (1 − e^(−t/τ_r))·e^(−t/τ_d) on an ohmic step and
double-layer charging — whose noise-free tip is the truth, and starts that are not spikes."""

from __future__ import annotations

import pytest

from nakinetics.cycling import analyse_cycling, synthetic_cycling


def _run(**kw):
    syn = synthetic_cycling(n_cycles=3, half_cycle_h=0.5, noise_mv=0.1, **kw)
    return syn, analyse_cycling(syn.record).half_cycles


@pytest.mark.parametrize(
    ("height_mv", "dt_s", "tip_s", "decay_s", "tilt"),
    [(30, 10, 20, 120, 0.1), (5, 2, 10, 60, 0.1), (3, 1, 5, 30, 0.1), (8, 5, 20, 120, -0.3)],
)
def test_nucleation_spikes_are_measured(height_mv, dt_s, tip_s, decay_s, tilt):
    syn, halves = _run(nucleation_mv=height_mv, dt_s=dt_s, tip_s=tip_s, spike_tau_s=decay_s, tilt=tilt)
    for true, got in zip(syn.truth.half_cycles, halves, strict=True):
        assert true.nucleation_mv is not None and got.nucleation_note is None
        # the tip of a noisy trace sits up to ~3σ (0.3 mV) above the noise-free one
        assert got.nucleation_overpotential_mv == pytest.approx(true.nucleation_mv, abs=0.4)
        assert got.nucleation_tip_s == pytest.approx(true.nucleation_tip_s, abs=3 * dt_s + 3)


@pytest.mark.parametrize(
    ("shape", "kw", "why"),
    [
        ("no spike, charging start", {}, "no spike"),
        ("spike within the noise", {"nucleation_mv": 0.3}, "no spike"),
        ("steadily rising plateau", {"tilt": 0.8}, "no spike"),
        ("steadily falling plateau", {"tilt": -0.6}, "has not relaxed"),
        (
            "slow transient (τ = 900 s, D/4 = 450 s)",
            {"nucleation_mv": 10, "tip_s": 40, "spike_tau_s": 900},
            "has not relaxed",
        ),
    ],
)
def test_starts_without_the_nucleation_shape_give_none_and_say_why(shape, kw, why):
    syn, halves = _run(dt_s=5, **kw)
    assert all(t.nucleation_mv is None for t in syn.truth.half_cycles)
    for h in halves:
        assert h.nucleation_overpotential_mv is None and h.nucleation_tip_s is None, shape
        assert why in h.nucleation_note


def test_half_cell_strips_and_full_cells_say_why_there_is_no_nucleation():
    syn = synthetic_cycling(cell="half", n_cycles=3, rest_s=300, nucleation_mv=20)
    halves = analyse_cycling(syn.record).half_cycles
    truth = [t.nucleation_mv for t in syn.truth.half_cycles]
    assert [h.nucleation_overpotential_mv is None for h in halves] == [t is None for t in truth]
    assert all("stripping" in h.nucleation_note for h in halves if h.direction == "stripping")
    assert "nucleation_note" in analyse_cycling(syn.record).to_dict()["half_cycles"][0]


def test_start_sampled_too_coarsely_is_not_resolved():
    """1 h half-cycles sampled every 300 s: 3 points in the first quarter cannot show a 20 s spike."""
    syn = synthetic_cycling(n_cycles=2, dt_s=300, nucleation_mv=10, noise_mv=0.1)
    for h in analyse_cycling(syn.record).half_cycles:
        assert h.nucleation_overpotential_mv is None and "not resolved" in h.nucleation_note
