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
