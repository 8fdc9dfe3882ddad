"""Bridges to impedance.py and lmfit: hand a nakinetics fit to the tools users already have.

* :func:`to_impedance_py`: a fitted ``impedance.models.circuits.CustomCircuit`` that predicts the same
  impedance (fixed and tied parameters become its ``constants``).  The other direction needs no bridge:
  :func:`~nakinetics.fitting.fit_circuit` accepts a ``CustomCircuit``.
* :func:`to_lmfit`: ``lmfit.Parameters`` with values, standard errors, bounds, ties (``expr``) and
  correlations; :func:`lmfit_minimizer`: an ``lmfit.Minimizer`` over the same weighted residual, so
  lmfit's ``conf_interval``, ``emcee`` sampling or other methods can run on a nakinetics model.  The
  other direction: ``fit_circuit(..., params=lmfit.Parameters)``.

Both libraries stay optional: they are imported inside these functions, with a one-line error naming
the pip extra when missing.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ._tables import require
from .circuit import Circuit, Element, Series
from .elements import Frequencies
from .exceptions import NakineticsError
from .fitting import FitResult, residual_weights, weighted_residual

_IMPEDANCE_PY_LABEL = re.compile(r"[A-Za-z]+_*\d+$")


def impedance_py_circuit_string(circuit: Circuit) -> str:
    """``circuit`` in the subset of the syntax impedance.py parses (nested series flattened).

    Raises :class:`NakineticsError` for labels impedance.py cannot read (``R1_sei``: it strips digits and
    underscores to find the element) and for elements it does not define (user-registered ones).
    """
    known = require("impedance.models.circuits.elements", "impedance", "to_impedance_py()").circuit_elements
    for element in circuit.elements:
        if not _IMPEDANCE_PY_LABEL.fullmatch(element.label):
            raise NakineticsError(
                f"element label '{element.label}' cannot be written for impedance.py, which reads a label as "
                "symbol + optional '_' + number (R1, R_1); rename it"
            )
        if element.spec.symbol not in known:
            raise NakineticsError(f"element '{element.spec.symbol}' is not defined in impedance.py")

    def text(node: Any) -> str:
        if isinstance(node, Element):
            return node.label
        if isinstance(node, Series):
            return "-".join(text(child) for child in _flatten(node))
        return "p(" + ",".join(text(child) for child in node.children) + ")"

    return text(circuit.tree)


def _flatten(node: Series) -> list[Any]:
    out: list[Any] = []
    for child in node.children:
        out.extend(_flatten(child) if isinstance(child, Series) else [child])
    return out


def to_impedance_py(result: FitResult) -> Any:
    """A fitted impedance.py ``CustomCircuit`` predicting the same impedance as ``result``.

    Fitted parameters are its ``parameters_`` (standard errors in ``conf_``, NaN when not estimated);
    fixed and tied parameters are ``constants`` with their values, named the impedance.py way
    (``CPE1_1``).  ``initial_guess`` holds the starting values of the fit.
    """
    circuits = require("impedance.models.circuits", "impedance", "to_impedance_py()")
    text = impedance_py_circuit_string(result.circuit)
    names = result.circuit.impedance_py_names
    constants: dict[str, float] = {}
    free_values, free_errors, free_initial = [], [], []
    for alias, p in zip(names, result.parameters.values(), strict=True):
        if p.vary:
            free_values.append(p.value)
            free_errors.append(math.nan if p.stderr is None else p.stderr)
            free_initial.append(p.initial if math.isfinite(p.initial) else p.value)
        else:
            constants[alias] = p.value
    name = result.preset.name if result.preset else None
    model = circuits.CustomCircuit(circuit=text, initial_guess=free_initial, constants=constants, name=name)
    model.parameters_ = np.array(free_values, dtype=float)
    model.conf_ = np.array(free_errors, dtype=float)
    return model


def to_lmfit(result: FitResult) -> Any:
    """``lmfit.Parameters`` of ``result``: value, ``stderr``, ``min``/``max``, ``vary``, ``expr`` (ties) and
    ``correl`` (correlations with the other varying parameters), named as in nakinetics."""
    lmfit = require("lmfit", "lmfit", "to_lmfit()")
    params = lmfit.Parameters()
    for name, p in result.parameters.items():
        if p.expr:  # a tied value may lie outside the element's default range; lmfit would clip it
            params.add(name, value=p.value, vary=False)
        else:
            params.add(name, value=p.value, vary=p.vary, min=p.min, max=p.max)
    for name, p in result.parameters.items():
        if p.expr:
            params[name].expr = p.expr
    for name, p in result.parameters.items():
        params[name].stderr = p.stderr
    if result.correlation is not None:
        varying = result.varying
        for i, a in enumerate(varying):
            params[a].correl = {b: float(result.correlation[i, j]) for j, b in enumerate(varying) if j != i}
    return params


def lmfit_objective(result: FitResult) -> Any:
    """The weighted residual of ``result``'s fit as a function of ``lmfit.Parameters`` (same data,
    frequency window and weighting), for ``lmfit.minimize`` / ``lmfit.Minimizer``."""
    circuit, spectrum = result.circuit, result.spectrum
    frequencies = Frequencies(spectrum.omega)
    w_re, w_im = residual_weights(spectrum.impedance, result.weighting)
    names = circuit.parameter_names

    def objective(params: Any) -> np.ndarray:
        values = [params[n].value for n in names]
        return weighted_residual(circuit.impedance(frequencies, values), spectrum.impedance, w_re, w_im)

    return objective


def lmfit_minimizer(result: FitResult, **options: Any) -> Any:
    """An ``lmfit.Minimizer`` over :func:`lmfit_objective`, starting at ``result``'s parameters;
    ``options`` go to the minimizer (e.g. ``xtol``/``ftol`` for ``leastsq``, which ``conf_interval`` uses)."""
    lmfit = require("lmfit", "lmfit", "lmfit_minimizer()")
    return lmfit.Minimizer(lmfit_objective(result), to_lmfit(result), **options)
