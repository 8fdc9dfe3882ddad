"""The checks every command runs on a circuit fit before reporting numbers from it: the Kramers–Kronig test
of the fitted points and, against it, whether the circuit describes the data (:mod:`nakinetics.adequacy`).
A failed test or an inadequate model becomes a warning of the fit, so every report that quotes numbers from
the fit (`fit`, `conductivity`, `warburg -c`, …) carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..fitting import FitResult
    from ..validation import KKResult


def with_kk_check(result: FitResult) -> tuple[FitResult, KKResult | None]:
    """``result`` with its Kramers–Kronig test and model-adequacy warnings attached, and the test (``None``
    for a spectrum too short to test)."""
    from ..validation import KK_MIN_POINTS, kramers_kronig_test

    if len(result.spectrum) < KK_MIN_POINTS:
        return result, None
    kk = kramers_kronig_test(result.spectrum)
    return result.with_kramers_kronig(kk), kk
