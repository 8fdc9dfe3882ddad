"""``geis --drt``: the DRT of every spectrum of a synthetic series in which one process grows."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.series.synthetic import CIRCUIT, OperandoCell, operando_series

CELL = OperandoCell(onset_s=2000.0, tau_s=3000.0)
INTERVAL = 1200.0


def _write(folder: Path, n: int) -> list[float]:
    """``n`` spectra as generic CSV files (name order = time order); returns the mid-sweep times (s)."""
    spectra, _ = operando_series(
        CELL, n, INTERVAL, np.geomspace(1e6, 0.1, 50), noise=0.004, rng=np.random.default_rng(7), first_s=0.0
    )
    folder.mkdir()
    mids = []
    for k, spectrum in enumerate(spectra):
        rows = [
            f"{f:.9e},{z.real:.9e},{z.imag:.9e}"
            for f, z in zip(spectrum.frequency, spectrum.impedance, strict=True)
        ]
        (folder / f"spec_{k + 1}.csv").write_text("\n".join(["freq/Hz,Z'/Ohm,Z''/Ohm", *rows]) + "\n")
        times = spectrum.point_times_s
        mids.append(0.5 * (times[0] + times[-1]))
    return mids


def test_geis_drt_follows_the_growing_charge_transfer_process(tmp_path: Path) -> None:
    from threadpoolctl import threadpool_limits

    mids = _write(tmp_path / "spectra", 7)
    out, plot = tmp_path / "out", tmp_path / "dash.png"
    args = [
        "geis",
        tmp_path / "spectra",
        "-c",
        CIRCUIT,
        "--interval",
        INTERVAL,
        "--out",
        out,
        "--drt",
        "--plot",
        plot,
        "--json",
        tmp_path / "s.json",
    ]
    with threadpool_limits(1):
        result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    assert "DRT: 7 spectra" in result.stdout
    with (out / "drt_peaks.csv").open() as handle:
        peaks = list(csv.DictReader(handle))
    by_spectrum: dict[int, list[dict[str, str]]] = {}
    for row in peaks:
        by_spectrum.setdefault(int(float(row["spectrum"])), []).append(row)
    assert sorted(by_spectrum) == list(range(7))
    grown = []
    for k, rows in by_spectrum.items():
        # the series axis starts at the first spectrum (no absolute times): its mid-sweep is t0 + mid
        t = mids[k]
        r_ct = float(CELL.r_ct(t))
        tau_ct = (r_ct * CELL.q_ct) ** (1 / CELL.n_ct)
        taus = np.array([float(r["tau/s"]) for r in rows])
        nearest = rows[int(np.argmin(np.abs(np.log10(taus / tau_ct))))]
        assert abs(math.log10(float(nearest["tau/s"]) / tau_ct)) < 0.15
        assert float(nearest["R/Ohm"]) == pytest.approx(r_ct, rel=0.10)
        grown.append(float(nearest["R/Ohm"]))
        # the interphase arc (R1 = 30 Ω near 200 kHz) stays put
        tau_sei = (CELL.r_sei * CELL.q_sei) ** (1 / CELL.n_sei)
        sei = rows[int(np.argmin(np.abs(np.log10(taus / tau_sei))))]
        assert float(sei["R/Ohm"]) == pytest.approx(CELL.r_sei, rel=0.15)
    assert grown[-1] > 3 * grown[0]  # the growing process is seen to grow
    table = np.loadtxt(out / "drt.csv", delimiter=",", skiprows=1)
    assert set(np.unique(table[:, 0])) == set(range(7)) and np.all(table[:, 4] >= 0)
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["drt"]["spectra"] == 7 and summary["drt"]["files"]["map"] == str(tmp_path / "dash_drt.png")
    assert (tmp_path / "dash_drt.png").stat().st_size > 20_000
