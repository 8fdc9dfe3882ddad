"""Start-up hygiene: what ``import nakinetics`` and the short command-line paths import.

Each check runs in a fresh interpreter and lists ``sys.modules`` afterwards, so a module-level import of
scipy, matplotlib or an unrelated analysis package sneaking onto a path fails here (the start-up times
themselves are measured by ``benchmarks/startup_benchmark.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nakinetics.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
SPECTRUM = ROOT / "examples" / "data" / "na_carbonate_na.csv"

RUN_CLI = """
import json, sys
from nakinetics.cli import main
try:
    main(sys.argv[1:], prog_name="nakinetics")
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(code: str, *args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def loaded(code: str) -> set[str]:
    return modules_after(f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)), file=sys.stderr)")


def offending(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    """Modules in ``modules`` that are, or lie under, one of ``forbidden``."""
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


ANALYSES = ("nakinetics.kinetics", "nakinetics.series", "nakinetics.arrhenius", "nakinetics.plotting")


def test_import_nakinetics_loads_only_the_exceptions() -> None:
    modules = loaded("import nakinetics")
    assert sorted(m for m in modules if m.startswith("nakinetics")) == ["nakinetics", "nakinetics.exceptions"]
    assert offending(modules, ("numpy", "scipy", "matplotlib", "click")) == []


def test_public_names_resolve_lazily() -> None:
    import nakinetics

    for name in nakinetics.__all__:
        assert getattr(nakinetics, name) is not None
    assert set(nakinetics.__all__) <= set(dir(nakinetics))
    with pytest.raises(AttributeError, match="no attribute 'fit_circiut'"):
        nakinetics.fit_circiut  # noqa: B018


@pytest.mark.parametrize(
    ("argv", "forbidden"),
    [
        (["--help"], ("numpy", "scipy", "matplotlib", "nakinetics.io", "nakinetics.fitting", *ANALYSES)),
        (["--version"], ("numpy", "scipy", "matplotlib", "nakinetics.io", "nakinetics.fitting")),
        (["circuits"], ("scipy", "matplotlib", "nakinetics.io", "nakinetics.fitting", *ANALYSES)),
        (["fit", "--help"], ("matplotlib", "scipy.stats", *ANALYSES)),
        # the whole default report — fit or automatic choice, KK test, model-adequacy F test, DRT line — runs
        # on numpy and the standard library: importing scipy would cost more than the fit
        (["fit", str(SPECTRUM), "-c", "na_se_na_2arc"], ("matplotlib", "scipy", *ANALYSES)),
        (["fit", str(SPECTRUM)], ("matplotlib", "scipy", *ANALYSES)),
        (["validate", str(SPECTRUM)], ("matplotlib", "scipy", *ANALYSES)),
        # the DRT with its KK test, credible band, peaks and report: numpy and the standard library too
        (["drt", str(SPECTRUM)], ("matplotlib", "scipy", *ANALYSES)),
    ],
    ids=lambda v: " ".join(Path(a).name for a in v) if isinstance(v, list) else None,
)
def test_command_line_paths_import_only_what_they_use(argv: list[str], forbidden: tuple[str, ...]) -> None:
    assert offending(modules_after(RUN_CLI, *argv), forbidden) == []


def test_reading_a_spectrum_does_not_import_scipy() -> None:
    modules = loaded(f"import nakinetics; nakinetics.read_spectrum({str(SPECTRUM)!r})")
    assert offending(modules, ("scipy", "matplotlib")) == []


def test_fitting_a_spectrum_from_python_does_not_import_scipy() -> None:
    # the fit engine (DRT starts by a numpy NNLS, Levenberg–Marquardt by numpy solves) and the automatic
    # choice among candidate models run on numpy alone; scipy loads only with the DRT or a
    # differential-evolution fallback
    modules = loaded(
        "import nakinetics as nk\n"
        f"spectrum = nk.read_spectrum({str(SPECTRUM)!r})\n"
        "nk.fit_circuit(spectrum, 'na_se_na_2arc')\n"
        "from nakinetics.selection import choose_model\n"
        "choose_model(spectrum)"
    )
    assert "nakinetics.selection" in modules and "nakinetics._nnls" in modules
    assert offending(modules, ("scipy", "matplotlib")) == []


def test_the_drt_of_the_fit_report_does_not_import_scipy() -> None:
    # `nakinetics fit` prints a model-free DRT line from compute_drt without the KK test: basis (dilogarithm),
    # λ choice, NNLS, the tail exponent's search and the credible band run on numpy and the standard library
    modules = loaded(
        "import nakinetics as nk\n"
        f"spectrum = nk.read_spectrum({str(SPECTRUM)!r})\n"
        "from nakinetics.drt import compute_drt\n"
        "assert compute_drt(spectrum, kramers_kronig='skip').n_processes == 2\n"
        "import numpy as np\n"
        "from nakinetics.drt.synthetic import make_case\n"
        "blocking = make_case('blocking', np.random.default_rng(0)).spectrum\n"
        "assert compute_drt(blocking, kramers_kronig='skip').tail is not None"
    )
    assert "nakinetics.drt.analysis" in modules and "nakinetics._nnls" in modules
    assert offending(modules, ("scipy", "matplotlib")) == []


def test_kramers_kronig_test_does_not_import_scipy() -> None:
    # the linear KK test factorises with numpy alone (QR, triangular and SVD least-squares solves), and
    # its verdict (residual structure, outliers) needs no scipy either
    modules = loaded(
        "import nakinetics as nk\n"
        "from nakinetics.validation import kramers_kronig_test\n"
        f"result = kramers_kronig_test(nk.read_spectrum({str(SPECTRUM)!r}))\n"
        "result.summary(), result.to_dict()"
    )
    assert "nakinetics.validation" in modules and "nakinetics.residuals" in modules
    assert offending(modules, ("scipy", "matplotlib")) == []


def test_every_command_module_is_registered_once() -> None:
    # importing each module listed in COMMANDS registers exactly the commands COMMANDS names, and no
    # module in nakinetics/cli registers a command that COMMANDS does not list (it would never load)
    import importlib
    import pkgutil

    from nakinetics import cli

    for info in pkgutil.iter_modules(cli.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"nakinetics.cli.{info.name}")
    assert sorted(main.commands) == sorted(COMMANDS)
    for name, lazy in COMMANDS.items():
        assert main.commands[name].callback.__module__ == f"nakinetics.cli.{lazy.module}"
        assert lazy.summary.endswith(".") and len(lazy.summary) <= 64
