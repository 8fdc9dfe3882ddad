"""Tie expressions: parsing without eval, canonical names, value and gradient (forward mode)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nakinetics.circuit import Circuit
from nakinetics.ties import TieError, order_ties, parse_tie

CIRCUIT = Circuit("R0-p(R1,CPE1)-p(R2,CPE2)")


def test_expression_value_and_gradient_match_finite_differences() -> None:
    tie = parse_tie(
        "R2", "sqrt(R0 * R1) + 2 ** CPE1_1 - exp(-R0 / 10) / log10(R1) + -R0", CIRCUIT.canonical_name
    )
    assert tie.depends_on == ("R0", "R1", "CPE1_n")
    assert "CPE1_n" in tie.expression  # aliases are rewritten to canonical names
    point = {"R0": 3.0, "R1": 40.0, "CPE1_n": 0.8}

    def f(v: dict[str, float]) -> float:
        return (
            math.sqrt(v["R0"] * v["R1"])
            + 2 ** v["CPE1_n"]
            - math.exp(-v["R0"] / 10) / math.log10(v["R1"])
            - v["R0"]
        )

    names = list(point)
    value, grad = tie.evaluate({n: (point[n], np.eye(3)[k]) for k, n in enumerate(names)})
    assert value == pytest.approx(f(point), rel=1e-14)
    for k, name in enumerate(names):
        h = 1e-6 * point[name]
        numeric = (f(point | {name: point[name] + h}) - f(point | {name: point[name] - h})) / (2 * h)
        assert grad[k] == pytest.approx(numeric, rel=1e-7)
    assert tie.value(point) == pytest.approx(f(point))


def test_parameter_as_exponent_uses_the_log_derivative() -> None:
    tie = parse_tie("R2", "R1 ** CPE1_n", CIRCUIT.canonical_name)
    value, grad = tie.evaluate({"R1": (5.0, np.array([1.0, 0.0])), "CPE1_n": (0.7, np.array([0.0, 1.0]))})
    assert value == pytest.approx(5.0**0.7)
    np.testing.assert_allclose(grad, [0.7 * 5.0**-0.3, math.log(5.0) * 5.0**0.7])


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("R1 +", "not an arithmetic expression"),
        ("R1.real", "not allowed"),
        ("[R1]", "not allowed"),
        ("'R1'", "not a number"),
        ("max(R1)", "only the functions"),
        ("exp(R1, R0)", "exactly one argument"),
        ("R7", "'R7' is not a parameter"),
    ],
)
def test_bad_expressions_are_refused(expression: str, message: str) -> None:
    with pytest.raises(TieError, match=message):
        parse_tie("R2", expression, CIRCUIT.canonical_name)


def test_ties_are_ordered_by_dependency_and_cycles_refused() -> None:
    ties = {
        "R2": parse_tie("R2", "R1 * 2", CIRCUIT.canonical_name),
        "R1": parse_tie("R1", "R0 + 1", CIRCUIT.canonical_name),
    }
    assert [t.target for t in order_ties(ties)] == ["R1", "R2"]
    ties["R0"] = parse_tie("R0", "R2", CIRCUIT.canonical_name)
    with pytest.raises(TieError, match="cycle"):
        order_ties(ties)


@pytest.mark.parametrize(
    ("expression", "point", "message"),
    [
        ("R1 ** 0.5", {"R1": -4.0}, "not a real number"),  # Python gives (1.2e-16+2j)
        ("(R1 - 200) ** CPE1_n", {"R1": 150.0, "CPE1_n": 0.8}, "not a real number"),
        ("R1 * 1e308 * 10", {"R1": 5.0}, "not a finite number"),  # float overflow gives inf silently
        ("exp(R1)", {"R1": 1e3}, "undefined"),
    ],
)
def test_complex_and_non_finite_values_are_refused(expression: str, point: dict, message: str) -> None:
    tie = parse_tie("R2", expression, CIRCUIT.canonical_name)
    with pytest.raises(TieError, match=message):
        tie.value(point)


def test_negative_base_with_an_integer_power_is_real() -> None:
    assert parse_tie("R2", "R1 ** 3", CIRCUIT.canonical_name).value({"R1": -2.0}) == -8.0
