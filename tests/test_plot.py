"""rdp.plot: data against closed forms typed here, figures render cleanly, no pyplot state."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from matplotlib.figure import Figure
from references import bernoulli_tv_rate, gaussian_w2_distortion, gaussian_w2_rate

from rdp import KL, Bernoulli, Discrete, Gaussian, Problem, UnconvergedWarning
from rdp.plot import (
    CurveFamily,
    distortion_perception_curves,
    plot_distortion_perception,
    plot_level_sets,
    plot_rate_distortion,
    plot_rate_perception,
    plot_surface,
    rate_distortion_curves,
    rate_perception_curves,
    save_figure,
)
from rdp.plot.data import distortion_bracket
from rdp.plot.style import curve_colors, short_label

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def bernoulli():
    return Problem(Bernoulli(0.1), "hamming", "tv")


@pytest.fixture(scope="module")
def gaussian():
    return Problem(Gaussian(0.0, 1.0), "mse", "w2")


def test_rate_distortion_curves_match_blau_michaeli(bernoulli):
    D = np.linspace(0.0, 0.2, 41)
    curves = rate_distortion_curves(bernoulli, [0.0, 0.03, 0.07], D)
    assert np.isinf(curves.parameter[-1])  # Shannon appended
    for k, P in enumerate(curves.parameter):
        expected = [bernoulli_tv_rate(0.1, d, min(P, 1.0)) for d in D]
        np.testing.assert_allclose(curves.y[k], expected, atol=1e-10)


def test_surface_and_sections_match_gaussian_closed_form(gaussian):
    D = np.array([0.1, 0.4, 0.9, 1.5])
    P = np.array([0.0, 0.05, 0.3])
    surface = gaussian.surface(D, P, progress=False)
    for i, p in enumerate(P):
        for j, d in enumerate(D):
            assert surface.rate[i, j] == pytest.approx(gaussian_w2_rate(d, p), abs=1e-10)
    np.testing.assert_allclose(surface.zero_rate_distortion, 1 + (1 - np.sqrt(P)) ** 2)
    dp = distortion_perception_curves(gaussian, [0.5, 1.0], P)
    for k, R in enumerate(dp.parameter):
        np.testing.assert_allclose(dp.y[k], [gaussian_w2_distortion(R, p) for p in P], atol=1e-10)
    rp = rate_perception_curves(gaussian, [0.4], P)
    np.testing.assert_allclose(rp.y[0], [gaussian_w2_rate(0.4, p) for p in P], atol=1e-10)


def test_columns_are_long_format(bernoulli):
    curves = rate_distortion_curves(bernoulli, [0.0], [0.05, 0.1], shannon=False)
    cols = curves.columns()
    assert list(cols) == ["P", "D", "R", "lower", "upper", "status"]
    assert set(cols["status"]) == {"exact"}
    np.testing.assert_array_equal(cols["D"], [0.05, 0.1])
    np.testing.assert_allclose(cols["R"], [bernoulli_tv_rate(0.1, d, 0.0) for d in (0.05, 0.1)])


def test_labels_name_measures_and_units(bernoulli, gaussian):
    fig = plot_rate_distortion(bernoulli, [0.0, 0.04], np.linspace(0, 0.2, 21))
    ax = fig.axes[0]
    assert "Hamming" in ax.get_xlabel() and "bits" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1].startswith("Shannon") and "P = 0.04" in labels
    shannon = ax.get_lines()[-1]
    assert shannon.get_linestyle() == "--"
    kl = Problem(Gaussian(0.0, 1.0), "mse", KL("source||reconstruction"))
    with pytest.warns(UnconvergedWarning, match="status bounds"):  # no closed form: bounds
        fig = plot_rate_perception(kl, [0.5], np.linspace(0, 0.5, 11))
    assert "KL(p_X‖p_X̂), bits" in fig.axes[0].get_xlabel()
    fig = plot_level_sets(gaussian, np.linspace(0.05, 2, 20), np.linspace(0, 0.5, 10))
    assert "W₂²" in fig.axes[0].get_ylabel() and "MSE" in fig.axes[0].get_xlabel()


def test_every_plot_renders_without_pyplot_state(tmp_path, bernoulli):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    D, P = np.linspace(0, 0.2, 21), np.linspace(0, 0.1, 11)
    surface = bernoulli.surface(D, P, progress=False)
    figures = [
        plot_rate_distortion(bernoulli, [0.0, 0.05], D),
        plot_distortion_perception(bernoulli, [0.1, 0.2], P),
        plot_rate_perception(bernoulli, [0.05], P),
        plot_surface(surface, levels=[0.1, 0.2]),
        plot_level_sets(surface),
    ]
    for i, fig in enumerate(figures):
        assert isinstance(fig, Figure)
        pdf, png = save_figure(fig, tmp_path / "sub" / f"f{i}")
        assert pdf.read_bytes().startswith(b"%PDF") and png.read_bytes()[1:4] == b"PNG"
    assert plt.get_fignums() == before


def test_draws_into_given_axes(bernoulli):
    fig = Figure()
    ax = fig.add_subplot()
    out = plot_rate_distortion(bernoulli, [0.0], np.linspace(0, 0.2, 5), ax=ax)
    assert out is fig and len(ax.get_lines()) == 2


def test_infeasible_points_become_nan():
    """Points below D_min(P) are infeasible: the curve data and the drawn line hold nan there.

    Source (½, 0.3, 0.2) with Δ ≥ 1 everywhere and Δ(x, x) = 1: every channel
    has E Δ ≥ Σ_x p(x) min_x̂ Δ(x, x̂) = 1, so D < 1 is infeasible for every P.
    """
    pmf = np.array([0.5, 0.3, 0.2])
    delta = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 3.0], [3.0, 3.0, 1.0]])
    d_min = float(pmf @ delta.min(axis=1))
    problem = Problem(Discrete(pmf), delta, "tv")
    D = np.array([0.5, 0.9, 1.2, 2.0])
    curves = rate_distortion_curves(problem, [0.1], D)
    assert curves.y.shape == (2, 4)  # P = 0.1 and Shannon's P = ∞
    np.testing.assert_array_equal(np.isnan(curves.y), np.broadcast_to(D < d_min, (2, 4)))
    assert (curves.y[:, D >= d_min] >= 0).all()
    fig = plot_rate_distortion(curves)
    for line, y in zip(fig.axes[0].get_lines(), curves.y, strict=True):
        drawn = np.asarray(line.get_ydata(), dtype=float)
        np.testing.assert_array_equal(np.isnan(drawn), D < d_min)
        np.testing.assert_allclose(drawn[D >= d_min], y[D >= d_min])


def test_problem_input_needs_grids(bernoulli):
    with pytest.raises(ValueError, match="give both"):
        plot_rate_distortion(bernoulli, [0.0])
    with pytest.raises(ValueError, match="CurveFamily or a Problem"):
        plot_rate_perception("bernoulli")


def test_style_helpers():
    assert short_label("perception P (W₂² (squared Wasserstein-2))") == "P (W₂²)"
    assert short_label("perception P (KL(p_X̂‖p_X), bits)") == "P (KL(p_X̂‖p_X), bits)"
    assert len(set(curve_colors(5))) == 5


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.2, 3.0),
    st.floats(0.05, 1.5),
    st.integers(6, 40),
    st.floats(0.0, 0.02),
    st.floats(0.02, 0.95),
    st.integers(0, 2**32 - 1),
)
def test_distortion_bracket_holds_the_inverse(variance, offset, n, gap, fraction, seed):
    """On R(D) = ½ log₂(σ²/D)⁺ (convex, decreasing) with bounds loosened at random, the
    bracket holds the exact inverse D(R) = σ² 2^(−2R), and its upper end is achievable."""
    D = np.linspace(offset * variance / 3, 1.1 * variance, n)
    rate = np.maximum(0.5 * np.log2(variance / D), 0.0)
    rng = np.random.default_rng(seed)
    lower = rate - gap * rng.random(n)
    upper = rate + gap * rng.random(n)
    R = fraction * float(rate[0])
    low, high = distortion_bracket(D, lower, upper, R, 0.0)
    if not np.any(upper <= R):  # no grid point is certified to reach R: no bracket
        assert np.isnan(low) and np.isnan(high)
        return
    exact = variance * 2.0 ** (-2 * R)
    assert low <= exact + 1e-12 and exact <= high + 1e-12
    if gap == 0.0:  # exact bounds: the bracket is within one grid step
        assert high - low <= D[1] - D[0] + 1e-12


def test_distortion_bracket_fails_on_a_concave_curve():
    """The bracket relies on convexity: on a concave R it excludes the true inverse (so the
    test above can fail)."""
    D = np.linspace(0.0, 1.0, 11)
    rate = 1.0 - D**2  # concave
    low, high = distortion_bracket(D, rate, rate, 0.5, 0.0)
    assert not low <= np.sqrt(0.5) <= high


def test_uncertified_points_are_marked_and_written():
    """A point without a certified value gets a red × and its bounds in the columns: a
    solver stopped at a limit, and a 'bounds' bracket wider than tol,
    while a 'bounds' bracket within tol is drawn as certified (its twin)."""
    family = CurveFamily(
        x=np.array([0.1, 0.2, 0.3, 0.4, 0.5]),
        y=np.array([[2.0, 1.5, 1.2, 1.0, 0.9]]),
        parameter=np.array([0.0]),
        x_name="D",
        y_name="R",
        parameter_name="P",
        x_label="D",
        y_label="R",
        parameter_label="P",
        lower=np.array([[2.0, 1.4, 1.2, 1.0 - 1e-3, 0.9 - 1e-8]]),
        upper=np.array([[2.0, 1.5, 1.2, 1.0, 0.9]]),
        status=np.array([["converged", "iteration_limit", "exact", "bounds", "bounds"]]),
        tol=1e-6,
    )
    assert family.uncertified.tolist() == [[False, True, False, True, False]]
    assert list(family.columns()) == ["P", "D", "R", "lower", "upper", "status"]
    fig = plot_rate_distortion(family)
    marks = [line for line in fig.axes[0].lines if line.get_marker() == "x"]
    assert marks and marks[0].get_xdata().tolist() == [0.2, 0.4]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[-1] == "no certified value: bounds only"
    with pytest.raises(ValueError, match="tol"):
        CurveFamily(**{**family.__dict__, "tol": None})


def test_level_sets_mark_the_uncertified_cells():
    """A surface cell without a certified value gets a red × in the level sets (the same
    predicate and marker as the curves); a certified surface gets none (the twin)."""
    problem = Problem(Discrete([0.4, 0.3, 0.2, 0.1]), "mse", "w2")
    with pytest.warns(UnconvergedWarning):
        stopped = problem.surface([0.2, 0.4, 0.8], [0.05, 0.1], max_iter=2, progress=False)
    assert not stopped.certified.all()
    marks = [line for line in plot_level_sets(stopped).axes[0].lines if line.get_marker() == "x"]
    assert len(marks) == 1 and len(marks[0].get_xdata()) == int((~stopped.certified).sum())
    certified = problem.surface([0.2, 0.4, 0.8], [0.05, 0.1], progress=False)
    assert certified.certified.all()
    lines = plot_level_sets(certified).axes[0].lines
    assert not [line for line in lines if line.get_marker() == "x"]
