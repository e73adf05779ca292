"""The perception Newton phase without M × M matrices on the line.

``DistinctLinePieces`` (W₁ with the collinear pieces merged) is checked against a
transport linear program, and ``StructuredSystem`` (Woodbury on the tridiagonal block
plus a low-rank kernel, refined against the exact operator) against the dense Newton
system solved by LU; a twin shows each comparison can fail.
"""

import numpy as np
import pytest
import references as ref

from rdp import Gaussian
from rdp.solvers.perception_pieces import DistinctLinePieces, LinePieces
from rdp.solvers.perception_structured import StructuredSystem, low_rank_kernel


def _laws(n, m, seed, same=False):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.normal(size=n))
    y = x.copy() if same else np.sort(rng.normal(scale=0.7, size=m))
    return rng.dirichlet(np.ones(n)), x, y, rng.dirichlet(np.full(y.size, 0.5))


@pytest.mark.parametrize(("n", "m", "seed", "same"), [(7, 5, 0, False), (9, 9, 1, True),
                                                      (6, 14, 2, False)])  # fmt: skip
def test_distinct_w1_pieces_give_the_transport_cost(n, m, seed, same):
    """C_0 + Σ_k φ_k(R_k) of the merged W₁ pieces against a transport LP (HiGHS)."""
    p, x, y, q = _laws(n, m, seed, same)
    pieces = DistinctLinePieces(p, x, y)
    cost = np.abs(x[:, None] - y[None, :])
    assert pieces.value(q) == pytest.approx(ref.transport_cost(p, q, cost), rel=1e-10, abs=1e-13)
    assert pieces.value(q) == pytest.approx(LinePieces(p, x, y, 1).value(q), rel=1e-12)
    if same:  # one grid: two pieces per coordinate
        assert pieces.width == 2
    # twin: the LP of the squared cost differs (the comparison can fail)
    assert pieces.value(q) != pytest.approx(ref.transport_cost(p, q, cost**2), rel=1e-6)


def _system(n, seed, scale_gamma=1.0):
    """A Newton system at a random interior point of a discretised Gaussian, MSE."""
    rng = np.random.default_rng(seed)
    src = Gaussian().discretize(n)
    x, p = np.asarray(src.alphabet), np.asarray(src.pmf)
    m = n
    s = 0.9
    g = np.cumsum(rng.uniform(0, 0.01, m))[::-1].copy()
    g -= g.min()
    log_k = -s * (x[:, None] - x[None, :]) ** 2 - g[None, :]
    log_k -= log_k.max(axis=1, keepdims=True)
    kt = np.exp(log_k)
    r = rng.dirichlet(np.full(m, 5.0))
    u = kt @ r
    wu = p / u**2
    h = kt.T @ (p / u)
    z = rng.uniform(1e-3, 1e-1, m)
    gamma = scale_gamma * rng.uniform(0.0, 50.0, m - 1)
    cols = rng.normal(size=(m, 3))
    rows = rng.normal(size=(3, m))
    corner = rng.normal(size=(3, 3)) + 5 * np.eye(3)
    return x, g, kt, wu, r, h, z, gamma, cols, rows, corner


def _dense(kt, wu, r, h, z, gamma, cols, rows, corner):
    m = r.size
    a_mat = np.tril(np.ones((m, m)))[:-1]  # the distribution function
    q = a_mat.T @ (gamma[:, None] * a_mat)
    hess = kt.T @ (wu[:, None] * kt)
    top = hess @ (np.eye(m) - r[:, None] * q) + h[:, None] * q + np.diag(z / r)
    return np.block([[top, cols], [rows, corner]])


@pytest.mark.parametrize("seed", [0, 1])
def test_structured_system_solves_the_dense_newton_system(seed):
    """Woodbury + refinement against LU on the dense (M + 3) × (M + 3) matrix."""
    x, g, kt, wu, r, h, z, gamma, cols, rows, corner = _system(400, seed)
    u_lr, v_lr = low_rank_kernel(kt, x, g)
    assert u_lr.shape[1] < 0.25 * x.size  # the kernel has a low-rank form
    system = StructuredSystem(kt, wu, r, h, z, gamma, cols, rows, corner, u_lr, v_lr)
    dense = _dense(kt, wu, r, h, z, gamma, cols, rows, corner)
    rhs = np.random.default_rng(seed + 10).normal(size=x.size + 3)
    expected = np.linalg.solve(dense, rhs)
    got = system.solve(rhs)
    assert np.allclose(got, expected, rtol=1e-8, atol=1e-10 * np.abs(expected).max())
    assert np.allclose(system.apply(expected), dense @ expected, rtol=1e-10,
                       atol=1e-10 * np.abs(dense @ expected).max())  # fmt: skip
    # twin: the system of other pieces' curvature γ has another solution
    other = _dense(kt, wu, r, h, z, 2 * gamma, cols, rows, corner)
    assert not np.allclose(np.linalg.solve(other, rhs), got, rtol=1e-6)


def _tilted_point(n, seed):
    """A Newton-like point (r, g, s) of Gaussian().discretize(n), MSE, W₂², and its kernel."""
    from rdp import Problem
    from rdp.solvers.fast import FastSolver
    from rdp.solvers.perception_newton import _Iterate

    solver = FastSolver(Problem(Gaussian().discretize(n), "mse", "w2"))
    ctx = solver.context
    rng = np.random.default_rng(seed)
    pt = _Iterate()
    pt.r = rng.dirichlet(np.full(n, 4.0))
    pt.s = 1.1
    pt.g = np.cumsum(rng.uniform(0, 0.02, n))[::-1].copy()
    pt.g -= pt.g.min()
    log_k = -pt.s * ctx.shifted - pt.g[None, :]
    top = log_k.max(axis=1)
    pt.kt = np.exp(log_k - top[:, None])
    pt.top = top
    return ctx, pt


def test_squared_error_moments_match_the_dense_ones():
    """Two-pass moments of (x − y)² against ``distortion_derivatives`` on the matrix."""
    from rdp.solvers._kernels import distortion_derivatives

    ctx, pt = _tilted_point(60, 0)
    fp = ctx.fp
    pt.squared = (fp.x, fp.y)
    pt._squared_products(fp.p)
    mean, var, c = pt.moments
    u = pt.kt @ pt.r
    ref_mean, ref_var, ref_c = distortion_derivatives(pt.kt, ctx.shifted, fp.p, pt.r, u)
    assert np.allclose(pt.u, u, rtol=1e-13)
    assert np.allclose(pt.h, pt.kt.T @ (fp.p / u), rtol=1e-12)
    assert np.allclose(mean, ref_mean, rtol=1e-10, atol=1e-12)
    assert var == pytest.approx(ref_var, rel=1e-9)
    assert np.allclose(c, ref_c, rtol=1e-8, atol=1e-10 * np.abs(ref_c).max())
    # twin: the values of another grid give other moments
    pt.squared = (fp.x, fp.y + 0.05)
    pt._squared_products(fp.p)
    assert not np.allclose(pt.moments[0], ref_mean, rtol=1e-6)


def test_certificate_from_the_tilted_kernel_matches_the_dense_one():
    """``certify_tilted`` gives the lower bound of ``certify_point`` at the same (s, v) and
    an exactly feasible channel; at another slope it declines (no bound from a kernel
    that is not the point's)."""
    from rdp.solvers.perception_newton import TiltedKernel

    ctx, pt = _tilted_point(48, 1)
    fp = ctx.fp
    D, Pn, anchor = 0.45, 0.05, fp.min_divergence()[1]
    u = pt.kt @ pt.r
    kernel = TiltedKernel(pt.kt, pt.top, pt.r, u, pt.s, pt.g)
    lower, upper, joint = ctx.certify_tilted(kernel, pt.g, pt.s, D, Pn, anchor)
    v = pt.r * np.exp(-pt.g)
    ref_lower, _, _ = ctx.certify_point(v / v.sum(), pt.s, D, Pn, anchor)
    assert lower == pytest.approx(ref_lower, rel=1e-11, abs=1e-13)
    assert joint is not None and ctx.feasible(joint, D, Pn)
    assert upper >= lower
    # twin: the kernel read at another slope is refused
    assert ctx.certify_tilted(kernel, pt.g, 1.3 * pt.s, D, Pn, anchor) is None
