"""The library's standard set of theorem checks, run by ``rdp verify``.

[`standard_checks`][rdp.theorems.standard.standard_checks] maps each check's name to a zero-argument
function
returning its [`TheoremReport`][rdp.theorems.report.TheoremReport]; every instance is
fixed and seeded, so the set is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import sympy as sp
from scipy import stats

from rdp.problem import Problem
from rdp.quantization import modulo_encoder
from rdp.sources import Bernoulli, Discrete, Gaussian, GaussianVector
from rdp.theorems import blau_michaeli2019, cross_checks, freirich2021, symbolic, yan2021
from rdp.theorems.report import TheoremReport

Check = Callable[[], TheoremReport]


def skewed_discrete_source() -> Discrete:
    """24 symbols at i^1.5 (i = 0..23) with pmf ∝ 0.75^i: skewed and unevenly spaced."""
    i = np.arange(24)
    pmf = 0.75**i
    return Discrete(pmf / pmf.sum(), i**1.5)


def _symbolic_report(
    name: str, derivations: Sequence[symbolic.Derivation], extra=None
) -> TheoremReport:
    failures = [d.name for d in derivations if not d.holds]
    quantities = {
        d.name: {
            "expression": str(d.expression),
            "expected": str(d.expected),
            "residual": str(d.residual),
        }
        for d in derivations
    }
    deviation = float(len(failures))
    if extra is not None:
        limit_zero, limit_inf = extra
        quantities["limit R -> 0+"] = str(limit_zero)
        quantities["limit R -> oo"] = str(limit_inf)
        deviation += float(sp.simplify(limit_zero - 2) != 0) + float(
            sp.simplify(limit_inf - 1) != 0
        )
    return TheoremReport.from_deviation(
        name=f"symbolic/{name}",
        statement="; ".join(f"{d.name}: residual simplifies to 0" for d in derivations),
        reference="; ".join(sorted({d.reference for d in derivations})),
        instance="sympy, exact symbolic arithmetic",
        quantities=quantities,
        deviation=deviation,
        tolerance=0.0,
    )


def _ratio_report() -> TheoremReport:
    derivation, limit_zero, limit_inf = symbolic.perfect_perception_ratio()
    return _symbolic_report("gaussian-ratio-limits", [derivation], (limit_zero, limit_inf))


def _yan_checks() -> dict[str, Check]:
    discrete = skewed_discrete_source()
    sources = {
        "gaussian": stats.norm(),
        "laplace": stats.laplace(),
        "uniform": stats.uniform(),
        "skewed-discrete": discrete,
    }
    checks: dict[str, Check] = {}
    for label, dist in sources.items():
        checks[f"yan2021/cost-of-perfect-perception[{label}]"] = partial(
            yan2021.check_cost_of_perfect_perception, dist, label=label
        )
    suboptimal = {
        "gaussian": (stats.norm(), modulo_encoder(4, 0.5, 12)),
        "laplace": (stats.laplace(), modulo_encoder(4, 0.75, 12)),
        "skewed-discrete": (discrete, modulo_encoder(3, 2.0, 10, centre=8.0)),
    }
    for label, (dist, encoder) in suboptimal.items():
        checks[f"yan2021/suboptimal-encoder[{label}]"] = partial(
            yan2021.check_suboptimal_encoder, dist, encoder, label=label
        )
    for label in ("gaussian", "skewed-discrete"):
        dist, encoder = suboptimal[label]
        checks[f"yan2021/monte-carlo[{label}]"] = partial(
            yan2021.check_monte_carlo, dist, encoder, samples=200_000, seed=2021, label=label
        )
    rng = np.random.default_rng(2021)
    samples = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 0.5]], size=600)
    checks["yan2021/vector-kmeans[gaussian-2d]"] = partial(
        yan2021.check_empirical_vector, samples, 8, seed=2021, label="gaussian-2d"
    )
    checks["yan2021/information-theoretic-contrast[gaussian]"] = (
        yan2021.check_information_theoretic_contrast
    )
    return checks


def _freirich_checks() -> dict[str, Check]:
    cov = np.array([[2.0, 0.6, 0.1], [0.6, 1.0, 0.2], [0.1, 0.2, 0.5]])
    observation = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.2, 0.0, 1.0]])
    points = np.array([0.0, 1.0, 2.0, 4.0, 7.0])
    pmf = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    channel = np.array(
        [[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.05, 0.15, 0.8]]
    )
    rng = np.random.default_rng(2107)
    points_2d = rng.normal(size=(6, 2))
    channel_2d = rng.dirichlet(np.ones(4), size=6)
    return {
        "freirich2021/distortion-perception[gaussian-scalar]": partial(
            freirich2021.check_distortion_perception_gaussian,
            1.0,
            1.0,
            0.5,
            label="gaussian-scalar",
        ),
        "freirich2021/distortion-perception[gaussian-3d]": partial(
            freirich2021.check_distortion_perception_gaussian,
            cov,
            observation,
            0.4 * np.eye(3),
            label="gaussian-3d",
        ),
        "freirich2021/distortion-perception[discrete-1d]": partial(
            freirich2021.check_distortion_perception_discrete,
            points,
            pmf,
            channel,
            label="discrete-1d",
        ),
        "freirich2021/nothing-does-better[discrete-1d]": partial(
            freirich2021.check_nothing_does_better, points, pmf, channel, label="discrete-1d"
        ),
        "freirich2021/distortion-perception[discrete-2d]": partial(
            freirich2021.check_distortion_perception_discrete,
            points_2d,
            np.full(6, 1 / 6),
            channel_2d,
            label="discrete-2d",
        ),
    }


def finite_problems() -> dict[str, Problem]:
    """Finite-alphabet problems answered by the certified solver (``method="fast"``)."""
    three = Discrete([0.5, 0.3, 0.2], [0.0, 1.0, 2.0])
    return {
        "discrete-w1": Problem(three, "absolute", "w1"),
        "discrete-tv": Problem(three, "hamming", "tv"),
        "discrete-kl-recon-source": Problem(three, "mse", "kl-recon-source"),
        # the f-divergence balls (levels P in [0, 0.2]: all four bind on this grid)
        "discrete-hellinger": Problem(three, "mse", "hellinger"),
        "discrete-js": Problem(three, "hamming", "js"),
        "discrete-chi2-source-recon": Problem(three, "absolute", "chi2-source-recon"),
        "discrete-chi2-recon-source": Problem(three, "mse", "chi2-recon-source"),
    }


def standard_problems() -> dict[str, Problem]:
    """The problems on which the Blau–Michaeli properties are checked."""
    return {
        "bernoulli-tv": Problem(Bernoulli(0.1), "hamming", "tv"),
        "gaussian-w2": Problem(Gaussian(0.0, 2.0), "mse", "w2"),
        "gaussian-kl-source-recon": Problem(Gaussian(), "mse", "kl-source-recon"),
        "gaussian-kl-recon-source": Problem(Gaussian(), "mse", "kl-recon-source"),
        "gaussian-vector-w2": Problem(GaussianVector(np.diag([2.0, 1.0, 0.25])), "mse", "w2"),
        **finite_problems(),
    }


def _blau_michaeli_checks() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    names = {
        blau_michaeli2019.check_monotonicity: "monotonicity",
        blau_michaeli2019.check_convexity: "convexity",
        blau_michaeli2019.check_shannon_limit: "shannon-limit",
        blau_michaeli2019.check_perception_costs_rate: "perception-costs-rate",
        blau_michaeli2019.check_zero_rate_boundary: "zero-rate-boundary",
    }
    finite = finite_problems()
    for label, problem in standard_problems().items():
        for check, short in names.items():
            kwargs: dict = {"label": label}
            if label in finite:  # solver bounds: a coarser grid, tolerance above the gap
                kwargs["tolerance"] = 1e-6
                if check is blau_michaeli2019.check_zero_rate_boundary:
                    kwargs["P"] = [0.0, 0.2]
                else:
                    d_max = float(problem.zero_rate_distortion(0.0))
                    kwargs["D"] = np.linspace(0.2, 0.8, 4) * d_max
                    if check is not blau_michaeli2019.check_shannon_limit:
                        kwargs["P"] = np.linspace(0.0, 0.2, 3)
            checks[f"blau-michaeli2019/{short}[{label}]"] = partial(check, problem, **kwargs)
    return checks


def _cross_checks() -> dict[str, Check]:
    """Each closed form against R computed another way (brute force, solver, quadrature)."""
    bernoulli = Problem(Bernoulli(0.2), "hamming", "tv")
    return {
        "closed-form/bernoulli-tv-vs-brute-force[p=0.1]": partial(
            cross_checks.check_bernoulli_brute_force, 0.1
        ),
        "closed-form/bernoulli-tv-vs-brute-force[p=0.35]": partial(
            cross_checks.check_bernoulli_brute_force, 0.35
        ),
        "closed-form/vs-fast-solver[bernoulli-tv]": partial(
            cross_checks.check_against_fast_solver,
            bernoulli,
            [(D, P) for D in (0.05, 0.1, 0.2, 0.3) for P in (0.0, 0.05, 0.1)],
            label="bernoulli-tv",
        ),
        "closed-form/vs-fast-solver[bernoulli-kl-source-recon]": partial(
            cross_checks.check_against_fast_solver,
            Problem(Bernoulli(0.3), "hamming", "kl-source-recon"),
            [(0.05, 0.01), (0.1, 0.05), (0.2, 0.0), (0.3, 0.2)],
            label="bernoulli-kl-source-recon",
        ),
        "closed-form/vs-fast-solver[bernoulli-kl-recon-source]": partial(
            cross_checks.check_against_fast_solver,
            Problem(Bernoulli(0.3), "hamming", "kl-recon-source"),
            [(0.05, 0.01), (0.1, 0.05), (0.2, 0.0), (0.3, 0.2)],
            label="bernoulli-kl-recon-source",
        ),
        "closed-form/vs-discretisation[gaussian-w2]": partial(
            cross_checks.check_gaussian_discretisation,
            Problem(Gaussian(), "mse", "w2"),
            [(0.4, 0.05), (1.2, 0.0)],
            (16, 32),
            tolerance=4e-3,
            label="gaussian-w2",
        ),
        "closed-form/vs-discretisation[gaussian-kl-recon-source]": partial(
            cross_checks.check_gaussian_discretisation,
            Problem(Gaussian(), "mse", "kl-recon-source"),
            [(0.4, 0.05), (0.8, 0.3), (1.2, 0.0)],
            (32, 64, 128),
            tolerance=5e-4,
            label="gaussian-kl-recon-source",
        ),
        "closed-form/vs-slsqp[gaussian-vector-w2]": partial(
            cross_checks.check_gaussian_vector_slsqp,
            [2.0, 1.0, 0.25],
            [(1.25, 0.05), (0.5, 0.2), (2.5, 0.01)],
            label="gaussian-vector-w2",
        ),
        "closed-form/vs-sinkhorn[output-constrained-gaussian]": (
            cross_checks.check_output_constrained_sinkhorn
        ),
        "closed-form/kl-source-recon-counterexample[gaussian]": (
            cross_checks.check_kl_source_recon_counterexample
        ),
        "closed-form/f-divergence-bracket-vs-discretisation[gaussian]": partial(
            cross_checks.check_gaussian_fdivergence_bracket,
            [
                ("hellinger", 0.9, 0.1),
                ("js", 0.9, 0.1),
                ("chi2-recon-source", 0.9, 0.5),
                ("chi2-source-recon", 0.9, 0.5),
            ],
        ),
    }


def _symbolic_checks() -> dict[str, Check]:
    return {
        "symbolic/gaussian-perfect-perception": lambda: _symbolic_report(
            "gaussian-perfect-perception", [symbolic.gaussian_perfect_perception()]
        ),
        "symbolic/gaussian-ratio-limits": _ratio_report,
        "symbolic/bernoulli-region-continuity": lambda: _symbolic_report(
            "bernoulli-region-continuity", list(symbolic.bernoulli_region_continuity())
        ),
        "symbolic/orthogonality-decomposition": lambda: _symbolic_report(
            "orthogonality-decomposition", [symbolic.orthogonality_decomposition()]
        ),
    }


def standard_checks() -> dict[str, Check]:
    """Name → zero-argument check, in run order (Yan, Freirich, Blau–Michaeli, closed forms
    against independent computations, symbolic)."""
    return {
        **_yan_checks(),
        **_freirich_checks(),
        **_blau_michaeli_checks(),
        **_cross_checks(),
        **_symbolic_checks(),
    }


def select(names: Sequence[str] | None) -> dict[str, Check]:
    """The standard checks whose name contains any of ``names`` (all when ``names`` is empty).

    Raises ``ValueError`` when a name matches nothing.
    """
    checks = standard_checks()
    if not names:
        return checks
    chosen: dict[str, Check] = {}
    for wanted in names:
        matches = {k: v for k, v in checks.items() if wanted in k}
        if not matches:
            raise ValueError(
                f"--only {wanted!r} matches no standard check; names include "
                + ", ".join(sorted({k.split("[")[0] for k in checks}))
            )
        chosen.update(matches)
    return {k: v for k, v in checks.items() if k in chosen}


def run_standard_checks(names: Sequence[str] | None = None) -> list[TheoremReport]:
    """Run the selected standard checks (see ``select``) and return their reports."""
    return [check() for check in select(names).values()]
