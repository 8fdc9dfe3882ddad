"""Argument fuzzing of the public library functions (used by ``tests/test_api_fuzz.py``).

Every function gets a valid baseline call; then each argument in turn is replaced by a bad value (None,
NaN, ±inf, negative, zero, huge, subnormal, a 400-digit integer, strings, containers, an arbitrary object,
a bool, a complex number, an array with a NaN).  A call may succeed or raise a ``NakineticsError`` (whose
message must be one line without numpy reprs); any other exception is a defect, and so is a Python
warning (numpy's RuntimeWarning) or a call that succeeds with a NaN/inf argument and returns NaN.
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

BAD_VALUES: list[tuple[str, Any]] = [
    ("None", None),
    ("nan", math.nan),
    ("inf", math.inf),
    ("-inf", -math.inf),
    ("-1", -1),
    ("0", 0),
    ("1e308", 1e308),
    ("1e-320", 1e-320),
    ("10**400", 10**400),
    ("'abc'", "abc"),
    ("''", ""),
    ("[]", []),
    ("{}", {}),
    ("object()", object()),
    ("True", True),
    ("1+2j", 1 + 2j),
    ("array with nan", np.array([math.nan, 1.0])),
]
_NUMPY_REPR = re.compile(r"np\.(float|int|complex|bool|str)_?\d*\(")


@dataclass
class ApiCall:
    """A baseline call of a public function and the parameters to fuzz (default: all it binds)."""

    name: str
    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    skip: tuple[str, ...] = ()
    propagates: tuple[str, ...] = ()
    """Array arguments through which NaN/inf pass into the result by design (vectorised formulas)."""

    def bound(self) -> inspect.BoundArguments:
        return inspect.signature(self.func).bind(*self.args, **self.kwargs)

    def variants(self) -> Iterator[tuple[str, str, inspect.BoundArguments]]:
        """(parameter, bad value label, arguments) for every bound parameter and bad value."""
        base = self.bound()
        for param in base.arguments:
            if param in self.skip or inspect.signature(self.func).parameters[param].kind in (
                inspect.Parameter.VAR_KEYWORD,
                inspect.Parameter.VAR_POSITIONAL,
            ):
                continue
            for label, value in BAD_VALUES:
                bound = self.bound()
                bound.arguments[param] = value
                yield param, label, bound


def _non_finite(value: Any) -> bool:
    """Whether a returned float or array holds NaN/inf (only plain numbers and arrays are inspected)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return bool(value.size) and not np.all(np.isfinite(value))
    return False


def call_outcome(
    call: ApiCall, bound: inspect.BoundArguments, label: str, param: str = ""
) -> tuple[str, str]:
    """('ok' | 'error' | 'raw_exception' | 'noise' | 'nan_result', detail) of one call."""
    from nakinetics.exceptions import NakineticsError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call.func(*bound.args, **bound.kwargs)
        except NakineticsError as exc:
            message = str(exc)
            if "\n" in message.strip() or _NUMPY_REPR.search(message):
                return "noise", f"message: {message[:200]!r}"
            return "error", message[:200]
        except TimeoutError:  # the caller's time limit (see tests/test_api_fuzz.py), not the call's exception
            raise
        except Exception as exc:  # noqa: BLE001 - what escapes is what we classify
            return "raw_exception", f"{type(exc).__name__}: {str(exc)[:200]}"
    if caught:
        return "noise", f"{caught[0].category.__name__}: {caught[0].message}"
    if (
        label in ("nan", "inf", "-inf", "array with nan")
        and param not in call.propagates
        and _non_finite(result)
    ):
        return "nan_result", f"returned {result!r}"[:200]
    return "ok", ""


def api_calls(work: Path) -> list[ApiCall]:
    """Baseline calls of the public functions (small synthetic inputs so each runs in milliseconds)."""
    import nakinetics as nk
    from nakinetics import arrhenius, conductivity, diffusion, kinetics, series, validation
    from nakinetics.cycling import analyse_cycling, synthetic_cycling
    from nakinetics.data import DCRecord
    from nakinetics.synthetic import synthetic_spectrum

    truth = {"R0": 20.0, "R1": 100.0, "CPE1_Q": 1e-5, "CPE1_n": 0.9}
    freq = np.logspace(5, -1, 30)
    spectrum = synthetic_spectrum("R0-p(R1,CPE1)", truth, freq)
    warburg = synthetic_spectrum(
        "R0-p(R1-W1,CPE1)",
        {"R0": 10, "R1": 50, "W1": 30, "CPE1_Q": 2e-5, "CPE1_n": 0.9},
        np.logspace(5, -3, 60),
    )
    fit = nk.fit_circuit(spectrum, "R0-p(R1,CPE1)")
    geometry = nk.CellGeometry(area_cm2=1.0, cell="symmetric")
    csv = work / "spectrum.csv"
    csv.write_text(
        "f,Zre,Zim\n"
        + "".join(f"{f},{z.real},{z.imag}\n" for f, z in zip(freq, spectrum.impedance, strict=True))
    )
    v = kinetics.triangular_sweep(-0.3, 0.3, 0.01)
    sweep = kinetics.synthetic_sweep("bv", "symmetric", i0=1e-4, potential_v=v)
    sweep_csv = work / "sweep.csv"
    sweep_csv.write_text(
        "Potential/V,Current/A\n" + "".join(f"{a},{b}\n" for a, b in zip(v, sweep.current_a, strict=True))
    )
    temps = np.array([298.15, 313.15, 333.15, 353.15])
    sigma = 1e-3 * np.exp(-0.3 / 8.617e-5 * (1 / temps - 1 / 298.15))
    inputs = diffusion.DiffusionInputs(area_cm2=1.0, concentration=1e-3)
    cycling = synthetic_cycling(n_cycles=4, half_cycle_h=0.5, dt_s=60.0)
    cycling_csv = work / "cycling.csv"
    record = cycling.record
    cycling_csv.write_text(
        "time/s,Ewe/V,I/A\n"
        + "".join(
            f"{t},{u},{i}\n"
            for t, u, i in zip(record.time_s, record.potential_v, record.current_a, strict=True)
        )
    )
    return [
        ApiCall("Spectrum", nk.Spectrum, (freq, spectrum.impedance)),
        ApiCall("Spectrum.select", spectrum.select, (1.0, 1e4)),
        ApiCall("fit_circuit", nk.fit_circuit, (spectrum, "R0-p(R1,CPE1)"), {"fmin": 0.1, "max_starts": 2}),
        ApiCall("compare_models", nk.compare_models, (spectrum, ["R0-p(R1,CPE1)"]), {"criterion": "bic"}),
        ApiCall("simulate", nk.simulate, ("R0-p(R1,CPE1)", truth, freq)),
        ApiCall("Circuit", nk.Circuit, ("R0-p(R1,CPE1)",)),
        ApiCall("parse_circuit", nk.parse_circuit, ("R0-p(R1,CPE1)",)),
        ApiCall("get_preset", nk.get_preset, ("na_se_na_1arc",)),
        ApiCall(
            "CellGeometry",
            nk.CellGeometry,
            (),
            {"area_cm2": 1.0, "cell": "symmetric", "temperature_k": 298.15},
        ),
        ApiCall("with_derived", nk.with_derived, (fit, geometry)),
        ApiCall("derive_quantities", nk.derive_quantities, (fit, geometry)),
        ApiCall("read_spectra", nk.read_spectra, (csv,), {"format": None}),
        ApiCall("read_spectrum", nk.read_spectrum, (csv,), {"index": 0}),
        ApiCall("read_dc_records", nk.io.read_dc_records, (sweep_csv,), {"area_cm2": 1.0, "current_a": None}),
        ApiCall("detect_format", nk.io.detect_format, (csv,)),
        ApiCall(
            "kramers_kronig_test",
            validation.kramers_kronig_test,
            (spectrum,),
            {"mu_criterion": 0.85, "limit": 0.005, "max_rc": 10},
        ),
        ApiCall("warburg_slope", diffusion.warburg_slope, (warburg,), {"min_points": 5}),
        ApiCall(
            "DiffusionInputs",
            diffusion.DiffusionInputs,
            (),
            {"area_cm2": 1.0, "concentration": 1e-3, "n_electrons": 1, "temperature_k": 298.15},
        ),
        ApiCall("apparent_diffusion_coefficient", diffusion.apparent_diffusion_coefficient, (10.0, inputs)),
        ApiCall("diffusion_coefficient_value", diffusion.diffusion_coefficient_value, (10.0, 1.0, 1e-3)),
        ApiCall("concentration_mol_cm3", diffusion.concentration_mol_cm3, (1.0, "mol/L")),
        ApiCall("area_from_diameter", conductivity.area_from_diameter, (1.0,)),
        ApiCall(
            "pellet_conductivity",
            conductivity.pellet_conductivity,
            (spectrum,),
            {"thickness_cm": 0.1, "area_cm2": 1.0, "circuit": "R0-p(R1,CPE1)"},
        ),
        ApiCall("arrhenius_fit", arrhenius.arrhenius_fit, (temps, sigma)),
        ApiCall(
            "analyse_polarization",
            kinetics.analyse_polarization,
            (sweep,),
            {"area_cm2": 1.0, "r_ohm": 0.0, "temperature_k": 298.15},
        ),
        ApiCall("butler_volmer", kinetics.butler_volmer, (v, 1e-4, 0.5, 0.5), propagates=("eta",)),
        ApiCall(
            "symmetric_cell_current",
            kinetics.symmetric_cell_current,
            (v, 1e-4, 0.5, 0.5),
            propagates=("v_kin",),
        ),
        ApiCall("mhc_current", kinetics.mhc_current, (v, 1e-4, 0.3), propagates=("eta",)),
        ApiCall("tafel_slope_mv_per_decade", kinetics.tafel_slope_mv_per_decade, (0.5,)),
        ApiCall("triangular_sweep", kinetics.triangular_sweep, (-0.3, 0.3, 0.01)),
        ApiCall(
            "exchange_current_from_resistance",
            kinetics.exchange_current_from_resistance,
            (10.0,),
            {"area_cm2": 1.0, "cell": "symmetric", "temperature_k": 298.15},
        ),
        ApiCall("DCRecord", DCRecord, (v, sweep.current_a)),
        ApiCall(
            "detect_onset", series.detect_onset, (np.arange(20.0), np.r_[np.ones(10), np.arange(1.0, 11.0)])
        ),
        ApiCall("na_thickness_um", series.na_thickness_um, (1.0,)),
        ApiCall(
            "compute_drt",
            nk.compute_drt,
            (spectrum,),
            {"tail": "auto", "regularization": "evidence", "fmin": 0.1, "min_peak_fraction": 0.02},
        ),
        ApiCall(
            "read_cycling_record",
            nk.io.read_cycling_record,
            (cycling_csv,),
            {"index": 0, "format": None, "current_a": None, "area_cm2": 1.0},
        ),
        ApiCall(
            "analyse_cycling",
            analyse_cycling,
            (cycling.record,),
            {"area_cm2": 1.0, "cell": "symmetric", "half_cycle_h": None, "voltage_limit_v": 1.0},
        ),
    ]
