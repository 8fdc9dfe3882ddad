"""Argument fuzzing of the public library functions (``tests/api_fuzzing.py``): a bad argument gives a
``NakineticsError`` (also a ValueError/TypeError) with a one-line message, never a raw exception, a numpy
warning or a silent NaN."""

from __future__ import annotations

import signal

import pytest

from .api_fuzzing import ApiCall, api_calls, call_outcome


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> list[ApiCall]:
    return api_calls(tmp_path_factory.mktemp("api"))


def test_every_baseline_call_succeeds(calls: list[ApiCall]) -> None:
    for call in calls:
        call.func(*call.args, **call.kwargs)  # the fuzzing below starts from calls that work


def test_bad_arguments_raise_nakinetics_errors(calls: list[ApiCall]) -> None:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError

    # 30 s of this process's CPU time per call (ITIMER_PROF), not of wall time: on a loaded shared machine a
    # 4 s call (compare_models over every preset) took over 30 s of wall time and was reported as a defect
    previous = signal.signal(signal.SIGPROF, expire)
    defects, counts = [], {"ok": 0, "error": 0}
    try:
        for call in calls:
            for param, label, bound in call.variants():
                signal.setitimer(signal.ITIMER_PROF, 30.0)
                try:
                    category, detail = call_outcome(call, bound, label, param)
                except TimeoutError:
                    category, detail = "hang", "over 30 s of CPU time"
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0.0)
                counts[category] = counts.get(category, 0) + 1
                if category not in ("ok", "error"):
                    defects.append(f"{category}: {call.name}({param}={label}): {detail}")
    finally:
        signal.signal(signal.SIGPROF, previous)
    assert not defects, f"{len(defects)} defect(s):\n" + "\n".join(defects[:40])
    assert counts["error"] > 1000  # most bad values are refused, with the project's exceptions
