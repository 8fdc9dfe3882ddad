"""How the figures look, checked on the rendered layout: Nyquist plots at equal scales that fill their
panels (the CHI 660E spectrum is not a narrow strip), decade markers at the right places, impedances
per area, legends that never cover data, conductivity panels without a gap, a Tafel fit line that stands
out from the data with R_Ω's unit and labelled ±237 mV lines, and a GEIS dashboard with plain log ticks
and no empty voltage panel."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import nakinetics as nk
from nakinetics.constants import FARADAY, GAS_CONSTANT
from nakinetics.plotting import fit_figure, plot_nyquist
from nakinetics.plotting.impedance import DECADE_LABEL_SPACING, decade_points, frequency_label
from nakinetics.synthetic import synthetic_spectrum

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def drawn(fig: Figure) -> Figure:
    fig.draw_without_rendering()  # runs the layout: window extents are final
    return fig


def data_lines(ax: Axes) -> list[Line2D]:
    """Lines drawn in data coordinates (points and curves; not axhline/axvline)."""
    return [line for line in ax.get_lines() if line.get_transform() == ax.transData and len(line.get_xdata())]


def display_points(ax: Axes) -> np.ndarray:
    return np.vstack([ax.transData.transform(np.column_stack(line.get_data())) for line in data_lines(ax)])


def legend_covers_data(ax: Axes) -> bool:
    legend = ax.get_legend()
    if legend is None:
        return False
    box = legend.get_window_extent()
    x, y = display_points(ax).T
    return bool(np.any((box.x0 <= x) & (x <= box.x1) & (box.y0 <= y) & (y <= box.y1)))


def assert_no_legend_over_data(fig: Figure) -> None:
    for ax in fig.axes:
        assert not legend_covers_data(ax), ax.get_ylabel()
    for legend in fig.legends:
        box = legend.get_window_extent()
        assert not any(box.overlaps(ax.get_window_extent()) for ax in fig.axes)


EQUAL = 0.005
"""matplotlib keeps equal scales to 0.5 % (``Axes.apply_aspect`` leaves smaller mismatches alone)."""


def scales(ax: Axes) -> tuple[float, float]:
    """Pixels per data unit along x and along y."""
    (x0, y0), (x1, y1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    return x1 - x0, y1 - y0


def filled_fraction(ax: Axes) -> tuple[float, float]:
    """Fraction of the axes' width and height that the data points span."""
    points = display_points(ax)
    box = ax.get_window_extent()
    return float(np.ptp(points[:, 0]) / box.width), float(np.ptp(points[:, 1]) / box.height)


# ------------------------------------------------------------------------------------------- Nyquist


def test_frequency_labels() -> None:
    assert [frequency_label(f) for f in (1e6, 1e5, 1.0, 0.1, 1e-3)] == [
        "1 MHz",
        "100 kHz",
        "1 Hz",
        "100 mHz",
        "1 mHz",
    ]


def test_decade_markers_sit_at_the_decade_frequencies() -> None:
    values = {"R0": 10.0, "R1": 100.0, "CPE1_Q": 1e-5, "CPE1_n": 0.9}
    on_grid = synthetic_spectrum("R0-p(R1,CPE1)", values, np.logspace(5, -1, 61))  # decades are points
    marks = decade_points(on_grid)
    assert [f for f, _ in marks] == pytest.approx([0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5])
    exact = nk.simulate("R0-p(R1,CPE1)", values, np.array([f for f, _ in marks])).impedance
    assert np.allclose([z for _, z in marks], exact, rtol=1e-12)

    off_grid = synthetic_spectrum("R0-p(R1,CPE1)", values, np.geomspace(3e5, 0.3, 23))
    f, z = off_grid.frequency, off_grid.impedance
    for decade, point in decade_points(off_grid):  # between the two measured neighbours
        above, below = np.min(np.where(f >= decade, f, np.inf)), np.max(np.where(f <= decade, f, 0.0))
        ends = [z[f == above][0], z[f == below][0]]
        assert min(e.real for e in ends) <= point.real <= max(e.real for e in ends)

    ax = Figure().add_subplot()
    plot_nyquist(on_grid, ax=ax)
    diamonds = next(line for line in ax.get_lines() if line.get_label() == "whole decades of f")
    assert np.allclose(diamonds.get_xdata(), exact.real) and np.allclose(diamonds.get_ydata(), -exact.imag)
    # a decade is labelled unless it sits too close to a decade labelled before it (crowded arc ends)
    span = max(np.ptp(on_grid.real), np.ptp(on_grid.imag))
    labels = [t.get_text() for t in ax.texts]
    assert {"100 mHz", "100 Hz", "1 kHz"} <= set(labels)
    kept: list[complex] = []
    for f, z in marks:
        crowded = any(abs(z - other) < DECADE_LABEL_SPACING * span for other in kept)
        assert (frequency_label(f) in labels) is not crowded
        if not crowded:
            kept.append(z)


def test_nyquist_per_area_and_equal_scales() -> None:
    spectrum = nk.read_spectrum(EXAMPLES / "data" / "na_nzsp_na_cycled.txt")
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = plot_nyquist(spectrum, ax=fig.add_subplot(), area_cm2=0.785)
    drawn(fig)
    data = data_lines(ax)[0]
    assert np.allclose(data.get_xdata(), 0.785 * spectrum.real)
    assert np.allclose(data.get_ydata(), -0.785 * spectrum.imag)
    assert "Ω cm²" in ax.get_xlabel() and "Ω cm²" in ax.get_ylabel()
    x_scale, y_scale = scales(ax)
    assert x_scale == pytest.approx(y_scale, rel=EQUAL)
    assert not legend_covers_data(ax)


@pytest.fixture(scope="module")
def chi_fit(realdata_dir: Path) -> nk.FitResult:
    spectrum = nk.read_spectrum(realdata_dir / "eis" / "chi660e_ac-impedance.txt")
    return nk.fit_circuit(spectrum, "L0-R1-p(R2,CPE2)-CPE3")


@pytest.fixture(scope="module")
def realdata_dir() -> Path:
    from .conftest import REALDATA

    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present")
    return REALDATA


def test_chi660e_nyquist_is_not_a_narrow_strip(chi_fit: nk.FitResult) -> None:
    fig = drawn(fit_figure(chi_fit))
    width = fig.bbox.width
    nyquist = [ax for ax in fig.axes if ax.get_xlabel().startswith("Z'")]
    assert len(nyquist) == 2  # the whole spectrum and its high-frequency part
    for ax in nyquist:
        x_scale, y_scale = scales(ax)
        assert x_scale == pytest.approx(y_scale, rel=EQUAL)  # equal scales
        assert ax.get_window_extent().width > 0.2 * width  # a panel, not a strip (it was 14 %)
        across, up = filled_fraction(ax)
        assert across > 0.5 and up > 0.5  # the data fill the panel
    # the zoom shows the part a steep tail hides: it reaches at most a fifth of the whole height
    whole, zoom = sorted(nyquist, key=lambda ax: -ax.get_ylim()[1])
    assert zoom.get_ylim()[1] < 0.2 * whole.get_ylim()[1]
    assert_no_legend_over_data(fig)


def test_fit_figure_of_a_flat_spectrum_has_one_wide_nyquist_row() -> None:
    spectrum = nk.read_spectrum(EXAMPLES / "data" / "na_nzsp_na_cycled.txt")
    fit = nk.fit_circuit(spectrum, "na_se_na_2arc")
    fig = drawn(fit_figure(fit, area_cm2=0.785))
    (nyquist,) = [ax for ax in fig.axes if ax.get_xlabel().startswith("Z'")]
    assert nyquist.get_window_extent().width > 0.8 * fig.bbox.width
    assert min(filled_fraction(nyquist)) > 0.6
    assert "Ω cm²" in nyquist.get_xlabel()
    bode = next(ax for ax in fig.axes if ax.get_ylabel().startswith("|Z|"))
    assert "Ω cm²" in bode.get_ylabel()
    assert_no_legend_over_data(fig)


# ------------------------------------------------------------------------------------------- conductivity


def test_conductivity_panels_have_no_empty_gap() -> None:
    from nakinetics.cli.conductivity import _figure
    from nakinetics.conductivity import area_from_diameter, pellet_conductivity

    spectrum = nk.read_spectrum(EXAMPLES / "data_diffusion" / "nzsp_pellet_25C.csv")
    result = pellet_conductivity(
        spectrum, thickness_cm=0.162, area_cm2=area_from_diameter(1.114), circuit="pellet_1arc"
    )
    fig = drawn(_figure(result))
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    left, right = sorted(fig.axes, key=lambda ax: ax.get_window_extent().x0)
    gap = right.get_tightbbox(renderer).x0 - left.get_tightbbox(renderer).x1
    assert gap < 0.05 * fig.bbox.width
    for ax in (left, right):
        assert min(filled_fraction(ax)) > 0.5
        x_scale, y_scale = scales(ax)
        assert x_scale == pytest.approx(y_scale, rel=EQUAL)
    assert_no_legend_over_data(fig)


# ------------------------------------------------------------------------------------------- Tafel


def test_tafel_fit_line_stands_out_and_thresholds_are_labelled() -> None:
    from nakinetics.io import read_dc_record
    from nakinetics.kinetics.analysis import analyse_polarization
    from nakinetics.plotting.kinetics import kinetics_figure

    record = read_dc_record(EXAMPLES / "data_tafel" / "na_na_sweep.csv")
    result = analyse_polarization(record, area_cm2=1.0)
    fig = drawn(kinetics_figure(result))
    tafel = fig.axes[0]
    data = next(line for line in tafel.get_lines() if line.get_label() == "data")
    fit = next(line for line in tafel.get_lines() if line.get_label().endswith("fit"))
    assert data.get_linestyle() == "None" and data.get_marker() not in (None, "None", "")
    assert fit.get_linestyle() == "-" and fit.get_color() != data.get_color()
    assert fit.get_zorder() > data.get_zorder()  # drawn over the data, visible
    assert "R_Ω = " in tafel.get_xlabel() and "Ω cm²" in tafel.get_xlabel()
    # the back-reaction threshold of a symmetric cell, 2·ln(100)·RT/F, written beside both lines
    threshold_mv = round(1e3 * 2 * math.log(100.0) * GAS_CONSTANT * 298.15 / FARADAY)
    assert threshold_mv == 237
    for ax in fig.axes:
        texts = {t.get_text() for t in ax.texts}
        assert {f"+{threshold_mv} mV", f"−{threshold_mv} mV"} <= texts
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(text.startswith(f"±{threshold_mv} mV") for text in legend)
    assert_no_legend_over_data(fig)


# ------------------------------------------------------------------------------------------- GEIS


def _tick_texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.yaxis.get_ticklabels(which="both") if t.get_text()]


@pytest.mark.parametrize("with_voltage", [False, True])
def test_geis_dashboard_has_plain_log_ticks_and_a_voltage_panel_only_with_voltage(with_voltage: bool) -> None:
    from nakinetics.plotting.series import series_dashboard
    from nakinetics.series import SeriesSettings, fit_series
    from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series

    cell = OperandoCell()
    spectra, record = operando_series(
        cell, 4, 600.0, np.geomspace(1e6, 0.1, 40), noise=0.005, rng=np.random.default_rng(3)
    )
    settings = SeriesSettings(CIRCUIT, area_cm2=cell.area_cm2, current_ma_cm2=cell.current_ma_cm2)
    result = fit_series(spectra, settings, voltage=record if with_voltage else None)
    fig = drawn(series_dashboard(result))
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert ("U_dc / V" in labels) is with_voltage
    panels = {round(ax.get_position().y0, 3) for ax in fig.axes}
    assert len(panels) == (4 if with_voltage else 3)
    logs = [ax for ax in fig.axes if ax.get_yscale() == "log"]
    assert len(logs) >= 2
    for ax in logs:
        texts = _tick_texts(ax)
        assert texts and not any("$" in t or "×" in t or "^" in t for t in texts), texts
    asr = next(ax for ax in logs if ax.get_ylabel().startswith("ASR_int"))
    assert all(float(t.replace("−", "-")) > 0 for t in _tick_texts(asr))
    capacitance = next(ax for ax in logs if ax.get_ylabel() == "C_eff")
    assert all(t.endswith("F") for t in _tick_texts(capacitance))
    assert_no_legend_over_data(fig)
    # the stripped-Na axis on top of the first panel stays clear of that panel's legend
    top = fig.axes[0]
    (secondary,) = top.child_axes
    assert secondary.get_xlabel() == "stripped Na / µm"
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    assert not top.get_legend().get_window_extent().overlaps(secondary.get_tightbbox(renderer))


def test_geis_capacitance_axis_spans_determined_values_and_pins_undetermined_ones_to_its_edge() -> None:
    # an undetermined fit (6e5 F ± 5e13 F, or Q at a bound) stretched the C_eff axis to 10 TF; the axis must
    # come from the determined values (10–30 µF), the others drawn hollow, pinned to the edge when beyond it
    from matplotlib.lines import Line2D

    from nakinetics.plotting.series import plot_capacitance
    from nakinetics.series.table import Column, SeriesTable

    columns = [Column("C_eff_CPE1", "F", ""), Column("C_eff_CPE1_stderr", "F", "")]
    values = [
        (1e-5, 1e-6, None),
        (2e-5, 3e-6, "CPE1_n"),
        (6e5, 5e13, None),
        (3e-5, 2e-6, None),
        (1e3, 1.0, "CPE1_Q"),
    ]
    rows = [
        {"time_s": 60.0 * k, "status": "ok", "C_eff_CPE1": c, "C_eff_CPE1_stderr": s, "at_bound": b}
        for k, (c, s, b) in enumerate(values)
    ]
    ax, _ = plot_capacitance(SeriesTable.build(columns, rows))
    lo, hi = ax.get_ylim()
    assert 1e-6 < lo < 1e-5 and 3e-5 < hi < 1e-4, (lo, hi)  # n at its bound (n = 1) leaves C_eff defined
    hollow = [
        ln
        for ln in ax.lines
        if isinstance(ln, Line2D) and ln.get_markerfacecolor() == "none" and len(ln.get_ydata())
    ]
    assert len(hollow) == 1
    np.testing.assert_allclose(hollow[0].get_xdata(), [120.0, 240.0])
    np.testing.assert_allclose(hollow[0].get_ydata(), [hi, hi])
    assert any("undetermined" in t.get_text() for t in ax.get_legend().get_texts())
