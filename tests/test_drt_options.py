"""The options of ``compute_drt`` / ``nakinetics drt`` are checked at the boundary: a value outside its range is
one clear error before any work (never ZeroDivisionError or numpy overflow warnings), and the ends of each range
work."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nakinetics.cli import main
from nakinetics.drt import compute_drt
from nakinetics.drt.synthetic import Process, spectrum_of
from nakinetics.exceptions import ArgumentError, ArgumentTypeError, NakineticsError

FREQ = np.logspace(5, -2, 70)
TRUTH = [Process(10.0, 1e-3, 0.9), Process(25.0, 1e-1, 0.85)]


def _spectrum(seed: int = 4):
    return spectrum_of(TRUTH, 3.0, FREQ, 0.003, np.random.default_rng(seed))


def _write_csv(path: Path) -> Path:
    s = _spectrum()
    rows = [
        f"{f!r},{z.real!r},{z.imag!r}"
        for f, z in zip(s.frequency.tolist(), s.impedance.tolist(), strict=True)
    ]
    path.write_text("freq/Hz,Re(Z)/Ohm,Im(Z)/Ohm\n" + "\n".join(rows) + "\n")
    return path


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_min_peak_zero_counts_every_significant_peak() -> None:
    # 0 means "no share threshold": the two true processes are still found, at their time constants
    result = compute_drt(_spectrum(), min_peak_fraction=0.0)
    taus = sorted(p.tau for p in result.peaks)
    assert len(taus) >= 2
    for process in TRUTH:
        assert min(abs(math.log10(t / process.tau)) for t in taus) < 0.15
    # a threshold above the smaller process's share (10/35) keeps only the larger one
    only_big = compute_drt(_spectrum(), min_peak_fraction=0.5)
    assert [round(math.log10(p.tau)) for p in only_big.peaks] == [-1]


def test_cli_min_peak_zero_and_lambda_at_the_ends_of_its_range(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "cell.csv")
    code, _, err = run("drt", source, "--min-peak", "0")
    assert code == 0, err
    assert "internal error" not in err
    for lam in ("1e-16", "1e6"):
        code, _, err = run("drt", source, "--lambda", lam)
        assert code == 0, err
        assert "RuntimeWarning" not in err and "overflow" not in err


@pytest.mark.parametrize("lam", ["1e308", "1e7", "1e-20"])
def test_cli_lambda_outside_its_range_is_a_usage_error(tmp_path: Path, lam: str) -> None:
    code, _, err = run("drt", _write_csv(tmp_path / "cell.csv"), "--lambda", lam)
    assert code == 2
    assert "--lambda" in err and "1e-16<=x<=1000000.0" in err
    assert "RuntimeWarning" not in err and "overflow" not in err


@pytest.mark.parametrize(
    ("option", "error", "says"),
    [
        ({"regularization": 1e308}, ArgumentError, "regularization (a given λ) must lie in [1e-16, 1e+06]"),
        ({"regularization": "lcurve"}, ArgumentError, "regularization must be one of 'evidence', 'gcv'"),
        ({"min_peak_fraction": -0.1}, ArgumentError, "min_peak_fraction must lie in [0, 1]"),
        ({"min_peak_fraction": float("nan")}, ArgumentError, "min_peak_fraction must be a finite number"),
        ({"credible": 1.0}, ArgumentError, "credible must lie in (0, 1)"),
        ({"penalty_order": 3}, ArgumentError, "penalty_order must be an integer in [0, 2]"),
        ({"penalty_order": 1.5}, ArgumentTypeError, "penalty_order must be an integer"),
        ({"tail": "sometimes"}, ArgumentError, "tail must be one of 'auto', 'none', 'always'"),
        (
            {"kramers_kronig": "ignore"},
            ArgumentError,
            "kramers_kronig must be one of 'flag', 'refuse', 'skip'",
        ),
        ({"area_cm2": 1e308}, ArgumentError, "area_cm2 must lie in (0, 1e+06]"),
        ({"cell": "both"}, ArgumentError, "cell must be one of 'symmetric', 'single'"),
    ],
)
def test_library_options_are_checked_before_any_work(option: dict, error: type, says: str) -> None:
    with pytest.raises(error) as caught:
        compute_drt(_spectrum(), **option)
    assert says in str(caught.value)
    assert isinstance(caught.value, NakineticsError) and isinstance(caught.value, ValueError | TypeError)


def test_peak_shares_are_of_the_peaks_total_and_add_up_to_100_percent(realdata: Path) -> None:
    # the decomposition of this spectrum gives peaks whose R add up to more than ∫γ (4111 + 10060 Ω against
    # ∫γ = 13150 Ω): shares of ∫γ were 31.3 % + 76.5 % = 108 %; a share is R / ΣR of the peaks
    from nakinetics.io import read_spectrum

    result = compute_drt(read_spectrum(realdata / "eis" / "gamry_ref3000_eispot.DTA"))
    resistances = [p.resistance for p in result.peaks]
    assert len(resistances) >= 2
    assert sum(p.fraction for p in result.peaks) == pytest.approx(1.0, rel=1e-12)
    for p in result.peaks:
        assert p.fraction == pytest.approx(p.resistance / sum(resistances), rel=1e-12)
        assert p.to_dict()["fraction_of_peaks_total"] == pytest.approx(p.fraction)
        assert "sum of the resistances of all peaks" in p.to_dict()["units"]["fraction_of_peaks_total"]


def test_a_number_given_as_the_lambda_choice_points_to_the_lambda_option() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "data" / "na_carbonate_na.csv"
    code, out, err = run("drt", example, "--regularization", "0.01")
    assert code == 2 and "for a fixed λ give --lambda 0.01" in err
    code, out, err = run("drt", example, "--regularization", "evdence")  # a misspelt choice: the choice list
    assert code == 2 and "is not one of 'evidence', 'gcv'" in err
    code, out, err = run("drt", example, "--lambda", "0.01")  # what the hint says works
    assert code == 0, err
    assert "λ = 0.01" in out
