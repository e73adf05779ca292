"""
A theorem check inside your own pytest test
===========================================

The checks in `rdp.theorems` run a theorem on an instance you give and return
a report ([`TheoremReport`][rdp.theorems.report.TheoremReport]): the statement, the
paper, the computed quantities, the deviation from the claim, the tolerance and
whether it passed. That makes them ready-made assertions for your own tests:
put the function below in a `test_*.py` file and pytest collects it.

Here the problem is a 5-symbol source with absolute-error distortion and W₁
perception, and the theorems are the properties of R(D, P) that Blau &
Michaeli prove for *every* problem (ICML 2019, Theorem 1: monotone in D and P,
jointly convex, Shannon's R(D) at P = ∞ ...), each checked on a grid with the
certified bounds (a property holds when it holds for every value between the
bounds).
"""

from functools import cache

import numpy as np
from matplotlib.figure import Figure

from rdp import Discrete, Problem
from rdp.theorems import blau_michaeli2019, yan2021


def my_problem() -> Problem:
    """The problem under test (in a real suite: a pytest fixture)."""
    return Problem(Discrete([0.1, 0.2, 0.4, 0.2, 0.1]), "absolute", "w1")


@cache
def property_reports() -> list:
    """The Blau & Michaeli property checks on my problem (computed once, used twice below)."""
    return blau_michaeli2019.check_all(my_problem())


def test_blau_michaeli_properties():
    """Every property of Theorem 1 holds on my problem (within its tolerance)."""
    reports = property_reports()
    failed = [str(report) for report in reports if not report.passed]
    assert not failed, "\n".join(failed)


def test_cost_of_perfect_perception():
    """Yan et al. (ICML 2021): perfect perception costs exactly twice the MSE, here for K = 4."""
    from scipy import stats

    report = yan2021.check_cost_of_perfect_perception(stats.logistic(), levels=[4])
    assert report.passed, str(report)


# %%
# Run the tests
# -------------
# pytest would call them; here we call them directly (an `AssertionError`
# would stop this page from building).
test_blau_michaeli_properties()
test_cost_of_perfect_perception()
print("both tests passed")

# %%
# What the reports hold
# ---------------------
# Each report prints as one line; `deviation ≤ tolerance` is the pass criterion.
reports = property_reports()
for report in reports:
    print(report)

# %%
# The computed quantities are there for a closer look, e.g. the grid of rates
# the monotonicity check walked along.
monotonicity = next(r for r in reports if "/monotonicity[" in r.name)
rate = np.asarray(monotonicity.quantities["rate"])
print("D grid:", np.round(monotonicity.quantities["D"], 3))
print("P grid:", np.round(monotonicity.quantities["P"], 3))

fig = Figure(figsize=(5.5, 3.5), layout="constrained")
ax = fig.add_subplot()
for P, row in zip(monotonicity.quantities["P"], rate, strict=True):
    ax.plot(monotonicity.quantities["D"], row, marker=".", label=f"P = {P:.3g}")
ax.set(xlabel="D (absolute error)", ylabel="R (bits)", title="The grid the checks ran on")
ax.legend(fontsize=8)
