"""Fit results as records: JSON you can reload, flat rows for tables, and the fitted curve.

A record (:func:`fit_record`, what ``nakinetics fit --json`` writes) holds everything needed to rebuild
the :class:`~nakinetics.fitting.FitResult` — circuit, every parameter with its bounds, tie and error,
the covariance, statistics, derived quantities, the Kramers–Kronig test — plus the measured points and
the fitted curve (frequency, Z_data, Z_fit, residuals) so the fit can be re-plotted elsewhere.  Records
carry ``schema_version`` and the nakinetics version; the layout is written down as a JSON Schema shipped
in the package (:func:`fit_schema`, ``nakinetics/schemas/fit-result.schema.json``).

Floats that are not finite (a χ² of exactly 0 gives AIC = −∞) are written as ``null`` so the JSON stays
standard, and read back as NaN (or −∞ for AIC/BIC of a perfect fit).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from ._typing import FloatArray
from .batch import unit_label
from .circuit import Circuit
from .data import Spectrum, SpectrumMetadata
from .exceptions import FileFormatError, PresetError
from .fitting import DerivedQuantity, FitResult, FitStatistics, FittedParameter, Weighting, correlation_matrix
from .presets import get_preset
from .validation import KKResult

SCHEMA = "nakinetics-fit"
SCHEMA_VERSION = 1
"""Version of the record layout; it changes when a field is removed or changes meaning."""
RESIDUAL_DEFINITION = "(Z_data - Z_fit)/|Z_data|, real and imaginary parts (fraction of |Z|)"


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=float)]


def fit_record(result: FitResult) -> dict[str, Any]:
    """The JSON-ready record of ``result`` (see the module docstring and the shipped JSON Schema)."""
    stats = result.statistics
    spectrum = result.spectrum
    aliases = dict(zip(result.circuit.parameter_names, result.circuit.impedance_py_names, strict=True))
    kk = None
    if result.kramers_kronig is not None:
        kk = result.kramers_kronig.to_dict() | {
            "residuals_real": _floats(result.kramers_kronig.residuals.real),
            "residuals_imag": _floats(result.kramers_kronig.residuals.imag),
        }
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "nakinetics_version": __version__,
        "file": spectrum.metadata.source,
        "index": spectrum.metadata.index,
        "circuit": result.circuit.text,
        "preset": result.preset.name if result.preset else None,
        "weighting": result.weighting.value,
        "frequency_range_hz": [float(spectrum.frequency.min()), float(spectrum.frequency.max())],
        "parameters": {
            name: {
                "value": p.value,
                "stderr": _number(p.stderr),
                "unit": p.unit,
                "vary": p.vary,
                "expr": p.expr,
                "min": p.min,
                "max": p.max,
                "initial": _number(p.initial),
                "impedance_py_name": aliases[name],
            }
            for name, p in result.parameters.items()
        },
        "derived": {name: d.to_dict() | {"stderr": _number(d.stderr)} for name, d in result.derived.items()},
        "statistics": {
            "chisqr": _number(stats.chisqr),
            "redchi": _number(stats.redchi),
            "aic": _number(stats.aic),
            "bic": _number(stats.bic),
            "n_points": stats.n_points,
            "n_varying": stats.n_varying,
            "nfev": stats.nfev,
            "success": stats.success,
            "message": stats.message,
        },
        "covariance": None
        if result.covariance is None
        else {"parameters": result.varying, "matrix": [_floats(row) for row in result.covariance]},
        "kramers_kronig": kk,
        "warnings": list(result.warnings),
        "spectrum": {
            "metadata": spectrum.metadata.to_dict(),
            "point_times_s": None if spectrum.point_times_s is None else _floats(spectrum.point_times_s),
        },
        "curve": {key: _floats(column) for key, column in curve_columns(result).items()}
        | {"residual_definition": RESIDUAL_DEFINITION},
    }


def curve_columns(result: FitResult) -> dict[str, FloatArray]:
    """The measured points, the fitted curve and the residuals as columns (Hz, Ω, fraction of |Z|)."""
    z, fit, res = result.spectrum.impedance, result.impedance(), result.residuals()
    return {
        "frequency_hz": result.spectrum.frequency,
        "z_real_ohm": z.real,
        "z_imag_ohm": z.imag,
        "z_fit_real_ohm": fit.real,
        "z_fit_imag_ohm": fit.imag,
        "residual_real": res.real,
        "residual_imag": res.imag,
    }


def _fail(where: str, message: str) -> FileFormatError:
    return FileFormatError(f"{where}: {message}")


def _float_or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def fit_from_record(record: Mapping[str, Any], where: str = "record") -> FitResult:
    """Rebuild a :class:`FitResult` from :func:`fit_record`'s output (after a JSON round trip).

    The result predicts the same impedance as the one that was saved (identical floats); ``where``
    names the source in error messages.
    """
    if not isinstance(record, Mapping) or record.get("schema") != SCHEMA:
        raise _fail(where, 'not a nakinetics fit record (no "schema": "nakinetics-fit")')
    version = record.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise _fail(
            where,
            f"record schema_version {version!r} is newer than this nakinetics reads ({SCHEMA_VERSION}); "
            "upgrade nakinetics",
        )
    try:
        return _rebuild(record)
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(where, f"incomplete or invalid fit record ({type(exc).__name__}: {exc})") from exc


def _rebuild(record: Mapping[str, Any]) -> FitResult:
    circuit = Circuit(record["circuit"])
    params = record["parameters"]
    if list(params) != circuit.parameter_names:
        raise ValueError(f"parameters {list(params)} do not match circuit {circuit.text}")
    curve = record["curve"]
    meta = dict(record["spectrum"]["metadata"])
    if meta.get("start_time"):
        meta["start_time"] = datetime.fromisoformat(meta["start_time"])
    spectrum = Spectrum(
        np.array(curve["frequency_hz"], dtype=float),
        np.array(curve["z_real_ohm"], dtype=float) + 1j * np.array(curve["z_imag_ohm"], dtype=float),
        point_times_s=record["spectrum"].get("point_times_s"),
        metadata=SpectrumMetadata(**meta),
    )
    parameters = {
        name: FittedParameter(
            name=name,
            value=float(p["value"]),
            stderr=None if p["stderr"] is None else float(p["stderr"]),
            unit=p["unit"],
            vary=bool(p["vary"]),
            min=float(p["min"]),
            max=float(p["max"]),
            initial=_float_or_nan(p.get("initial")),
            expr=p.get("expr"),
        )
        for name, p in params.items()
    }
    s = record["statistics"]
    perfect = s["chisqr"] == 0
    stats = FitStatistics(
        chisqr=_float_or_nan(s["chisqr"]),
        redchi=_float_or_nan(s["redchi"]),
        aic=-math.inf if perfect and s["aic"] is None else _float_or_nan(s["aic"]),
        bic=-math.inf if perfect and s["bic"] is None else _float_or_nan(s["bic"]),
        n_points=int(s["n_points"]),
        n_varying=int(s["n_varying"]),
        nfev=int(s.get("nfev", 0)),
        success=bool(s["success"]),
        message=str(s.get("message", "")),
    )
    covariance = None
    if record.get("covariance") is not None:
        varying = [n for n, p in parameters.items() if p.vary]
        if record["covariance"]["parameters"] != varying:
            raise ValueError("covariance parameters differ from the varying parameters")
        covariance = np.array(record["covariance"]["matrix"], dtype=float).reshape(len(varying), len(varying))
    derived = {
        name: DerivedQuantity(float(d["value"]), d["stderr"], d["unit"], d["convention"])
        for name, d in record.get("derived", {}).items()
    }
    kk = None
    if record.get("kramers_kronig") is not None:
        k = record["kramers_kronig"]
        kk = KKResult(
            n_rc=int(k["n_rc"]),
            mu=float(k["mu"]),
            capacitor=bool(k["series_capacitor"]),
            residuals=np.array(k["residuals_real"], dtype=float)
            + 1j * np.array(k["residuals_imag"], dtype=float),
            frequency=spectrum.frequency,
            rms=float(k["rms_residual"]),
            max_abs=float(k["max_abs_residual"]),
            limit=float(k["limit_rms"]),
            noise_aware=bool(k.get("noise_aware", True)),
        )
    return FitResult(
        circuit=circuit,
        spectrum=spectrum,
        parameters=parameters,
        statistics=stats,
        weighting=Weighting(record["weighting"]),
        covariance=covariance,
        correlation=None if covariance is None else correlation_matrix(covariance),
        preset=_preset(record.get("preset"), circuit),
        warnings=tuple(record.get("warnings", ())),
        derived=derived,
        kramers_kronig=kk,
    )


def _preset(name: str | None, circuit: Circuit) -> Any:
    """The named preset if it still exists with the same circuit (else ``None``)."""
    if not name:
        return None
    try:
        preset = get_preset(name)
    except PresetError:
        return None
    return preset if preset.circuit == circuit else None


def load_fits(path: str | Path) -> list[FitResult]:
    """Every fit in a JSON file written by ``nakinetics fit --json`` (one record or a list of them; the
    records of failed spectra a batch run writes, ``{"file", "index", "error"}``, are skipped)."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        from .exceptions import MissingFileError

        raise MissingFileError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(str(source), f"cannot read as JSON ({exc})") from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise _fail(str(source), "holds an empty list, no fit records")
    fits = [(k, r) for k, r in enumerate(records) if not _is_failure(r)]
    if not fits:
        raise _fail(str(source), f"holds only the errors of {len(records)} failed spectra, no fit records")
    return [fit_from_record(r, f"{source}[{k}]" if len(records) > 1 else str(source)) for k, r in fits]


def _is_failure(record: Any) -> bool:
    """A batch run's record of a spectrum that failed (``{"file", "index", "error"}``), not a fit."""
    return isinstance(record, dict) and "error" in record and "parameters" not in record


def load_fit(path: str | Path) -> FitResult:
    """The one fit in a JSON file written by ``nakinetics fit --json`` (error if it holds several: use
    :func:`load_fits`)."""
    fits = load_fits(path)
    if len(fits) != 1:
        raise _fail(str(path), f"holds {len(fits)} fit records; use load_fits() to get all of them")
    return fits[0]


def fit_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a fit record, as shipped in the package."""
    text = (resources.files("nakinetics") / "schemas" / "fit-result.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def fit_row(result: FitResult) -> dict[str, Any]:
    """One flat row per fit for tables (``nakinetics.fit_table``, ``--csv``): file, index, circuit, each
    parameter's value and standard error and each derived quantity with its unit in the column name
    (``R1 [Ohm]``, ``R1 stderr [Ohm]``), statistics, the Kramers–Kronig verdict and the warning count."""
    stats = result.statistics
    spectrum = result.spectrum
    row: dict[str, Any] = {
        "file": spectrum.metadata.source,
        "index": spectrum.metadata.index,
        "circuit": result.circuit.text,
        "preset": result.preset.name if result.preset else None,
        "weighting": result.weighting.value,
        "n_points": stats.n_points,
        "f_min [Hz]": float(spectrum.frequency.min()),
        "f_max [Hz]": float(spectrum.frequency.max()),
    }
    for name, p in result.parameters.items():
        row[unit_label(name, p.unit)] = p.value
        row[unit_label(f"{name} stderr", p.unit)] = p.stderr
    for name, d in result.derived.items():
        row[unit_label(name, d.unit)] = d.value
        row[unit_label(f"{name} stderr", d.unit)] = d.stderr
    kk = result.kramers_kronig
    row |= {
        "chisqr": stats.chisqr,
        "redchi": stats.redchi,
        "aic": stats.aic,
        "bic": stats.bic,
        "n_varying": stats.n_varying,
        "success": stats.success,
        "kk_passed": None if kk is None else kk.passed,
        "kk_rms_residual": None if kk is None else kk.rms,
        "n_warnings": len(result.warnings),
    }
    return row


def parameter_rows(result: FitResult) -> list[dict[str, Any]]:
    """One row per parameter: name, value, stderr, unit, vary, tie, bounds, start, impedance.py name."""
    aliases = dict(zip(result.circuit.parameter_names, result.circuit.impedance_py_names, strict=True))
    return [
        {
            "name": name,
            "value": p.value,
            "stderr": p.stderr,
            "unit": p.unit,
            "vary": p.vary,
            "expr": p.expr,
            "min": p.min,
            "max": p.max,
            "initial": p.initial,
            "impedance_py_name": aliases[name],
        }
        for name, p in result.parameters.items()
    ]


def spectrum_columns(spectrum: Spectrum) -> dict[str, FloatArray]:
    """A spectrum as columns: frequency (Hz), Z', Z'', |Z| (Ω), phase (deg) and point times (s) if any."""
    columns = {
        "frequency_hz": spectrum.frequency,
        "z_real_ohm": spectrum.real,
        "z_imag_ohm": spectrum.imag,
        "z_mod_ohm": spectrum.modulus,
        "phase_deg": spectrum.phase_deg,
    }
    if spectrum.point_times_s is not None:
        columns["time_s"] = spectrum.point_times_s
    return columns
