"""``method="auto"`` keeps the closed form when solver options are given.

A closed form is exact: a solver's ``tol``, ``max_iter``, ``time_limit``, ``max_memory``
or ``progress`` does not concern it, and they once sent a Bernoulli problem to the fast
solver (and made a Gaussian one fail: no method applied). References: the closed forms
written from the papers in ``tests/references.py`` (no rdp code). Twins: asked for by
name, the closed form refuses the options; a misspelt option is refused, not dropped;
a problem without a closed form still hands the options to its solver.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import references as ref

from rdp import Bernoulli, Discrete, Gaussian, Problem, UnconvergedWarning
from rdp.methods import resolve_factory

OPTIONS = [
    {"tol": 1e-9},
    {"max_iter": 50},
    {"time_limit": 5.0},
    {"max_memory": 4.0},
    {"progress": False},
    {"tol": 1e-9, "time_limit": 5.0, "max_memory": 4.0},
]
CASES = [
    (Problem(Gaussian(), "mse", "w2"), 0.5, 0.1, ref.gaussian_w2_rate(0.5, 0.1)),
    (Problem(Bernoulli(0.2), "hamming", "tv"), 0.1, 0.1, ref.bernoulli_tv_rate(0.2, 0.1, 0.1)),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "+".join(o))
@pytest.mark.parametrize("case", range(len(CASES)))
def test_auto_keeps_the_closed_form_with_solver_options(case, options):
    problem, D, P, expected = CASES[case]
    result = problem.rate(D, P, **options)
    assert result.method.startswith("closed-form")
    assert result.status == "exact"
    assert result.rate == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_auto_factory_with_dropped_options_rebuilds_in_another_process():
    problem = Problem(Bernoulli(0.2), "hamming", "tv")
    factory, method = resolve_factory(problem, "auto", tol=1e-9)
    rebuilt = pickle.loads(pickle.dumps(factory))(problem, tol=1e-9)
    assert type(rebuilt) is type(method)
    expected = ref.bernoulli_tv_rate(0.2, 0.1, 0.1)
    assert rebuilt.rate_point(0.1, problem.bound(0.1)).value == pytest.approx(expected, abs=1e-12)


def test_closed_form_by_name_refuses_solver_options():
    with pytest.raises(ValueError, match="closed forms take no solver options"):
        Problem(Gaussian(), "mse", "w2").rate(0.5, 0.1, method="closed-form", tol=1e-9)


def test_a_misspelt_option_is_refused_not_dropped():
    with pytest.raises(ValueError, match="tolerance"):
        Problem(Gaussian(), "mse", "w2").rate(0.5, 0.1, tolerance=1e-9)


def test_without_a_closed_form_the_options_reach_the_solver():
    problem = Problem(Discrete([0.5, 0.3, 0.2]), "hamming", "tv")
    with pytest.warns(UnconvergedWarning):
        result = problem.rate(0.2, 0.05, max_iter=1)
    assert result.method == "fast"
    assert result.status == "iteration_limit"
    assert (
        result.lower
        <= ref.convex_rate_tight(
            np.array([0.5, 0.3, 0.2]),
            np.arange(3.0),
            np.arange(3.0),
            1 - np.eye(3),
            "tv",
            0.2,
            0.05,
        )[0]
        <= result.upper + 1e-7
    )
