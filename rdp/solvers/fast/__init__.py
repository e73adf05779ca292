r"""``method="fast"``: a certified Blahut–Arimoto-type solver for finite R(D, P).

The derivation, the convergence discussion and measured times are in
``docs/solver.md``; this docstring states what the code relies on.

Algorithm
---------
The optimal channel has the Blahut–Arimoto form
$J_{ij} = p_i K_{ij} v_j / (Kv)_i$ with $K = e^{-s\Delta}$, a slope
$s \ge 0$ and positive weights $v$; its output law is
$q = v \odot h$ with $h_j = \sum_i p_i K_{ij} / (Kv)_i$.
Each iteration

1. takes one Newton (then secant) step on $s$ so that the channel's distortion
   approaches $D$ (derivative: minus the p-average conditional variance of Δ), kept
   inside the bracket of the last slopes measured on either side of D
   (``rdp.solvers.fast.slope``);
2. takes a mirror (multiplicative) step on the reconstruction law inside the
   perception ball $B_P$: $q^+ = \Pi_{B_P}(q \odot h)$, the
   KL-projection (a geometric tilt for KL(p_X̂‖p_X), a Lambert-W form for
   KL(p_X‖p_X̂)); for TV and Wasserstein balls the step is taken on the transport
   plan π from p_X to q (rows p_X, cost ⟨π, c⟩ ≤ P, TV being the transport cost
   with c = 1[x ≠ x̂]): π⁺ ∝ π ⊙ h^η e^{−μc} with the least μ ≥ 0 meeting the
   budget and an over-relaxed step η ∈ [1, 256] that adapts to the measured
   fixed-slope gap (the unrolled plan is an entropic plan whose regularisation
   1/Σμ falls η times faster than with η = 1); then $v^+ = q^+ / h$.

Without a perception constraint step 2 is exactly Blahut–Arimoto (v⁺ = q); with
P = 0 it keeps q = p_X (a Sinkhorn iteration). Hamming distortions use an O(N + M)
Gibbs kernel and 1-D Wasserstein costs an exact quantile evaluation
(``rdp.solvers._kernels``); W plans on sorted alphabets are kept on a band of
columns once they concentrate (``rdp.solvers.fast.plans``), W plans between points of
R^d in Gibbs form on candidate columns per row (``rdp.solvers.fast.gibbs``).

Newton phase: where no perception constraint binds (none, or the plain BA step stays
inside the ball), Blahut–Arimoto crawls on fine grids; for dense kernels the solver
then solves the optimality conditions of the fixed-slope problem together with
"distortion = D" by primal–dual Newton steps
(``rdp.solvers._kernels.rate_distortion_newton``) and evaluates the certificate
at that point; where the perception constraint turns out active it keeps only the
point's lower bound (≈ R(D) ≤ R(D, P)) and goes on iterating.

Perception Newton phase: where a TV ball or a W_k ball on sorted alphabets of the line
binds, the ball is a separable convex piecewise-linear function of the output law (of its
distribution function for W), and after a few plan steps the solver runs primal–dual
interior-point steps on the optimality conditions of the constrained problem
(``rdp.solvers.perception_newton``), certifying its points as any iterate; along a grid
the next point starts there from its neighbour's Newton point.

Certificate
-----------
Lower bound (weak Lagrangian duality; valid for every s ≥ 0 and v > 0): for any
feasible J with output law q, Jensen's inequality in each column of the backward
channel gives $I(J) + s\langle J, \Delta\rangle + \sum_i p_i \log (Kv)_i
\ge -\langle q, \log h\rangle \ge -\sigma_{B_P}(\log h)$, hence

$$
R(D, P) \ge -sD - \sum_i p_i \log (Kv)_i - \sigma_{B_P}(\log h),
\qquad \sigma_{B}(g) = \max_{q \in B} \langle g, q\rangle,
$$

where σ is evaluated exactly (none, TV, and W through the exact minimum of its
piecewise-linear dual) or bounded above through its one-dimensional dual (KL): any
multiplier of those duals gives an upper bound on σ, so the bound never depends on
the iterate being optimal. Without perception this is Blahut's classical bound
$-sD - \sum p \log Kv - \log\max_j h_j$. Upper bound: the current channel
is made exactly feasible — its output law is mixed towards the law of least
perception until d(p_X, q̃) ≤ P, the joint is rounded onto the couplings
Π(p_X, q̃) (Altschuler, Weed & Rigollet, NeurIPS 2017, Alg. 2), and mixed with a
least-distortion coupling of Π(p_X, q̃) until ⟨J, Δ⟩ ≤ D (without perception and
with the Hamming kernel: the Blahut–Arimoto channel at the least slope s' ≥ s that
meets D) — the constraints are re-checked and its mutual information is the upper
bound. The solver stops when upper − lower ≤ ``tol`` (bits), never on a small
change of the iterate; a limit stops it with status ``'iteration_limit'`` or
``'time_limit'`` and the certified bounds it has.

Modules
-------
- ``solver``: ``FastSolver`` — D_min/D_max, the points settled without iterating, the
  result;
- ``context``: the per-problem arrays, the Gibbs kernels, and the certified bounds at an
  iterate (``rdp.solvers.certificate``, shared with the cvxpy method);
- ``iteration``: the loop over one point's explicit state;
- ``slope``: the slope step and its bracket;
- ``ball``: the ball steps (Blahut–Arimoto, KL projections, transport plan steps), one
  interface chosen once per point; ``plans``: the transport plans (``gibbs``: between
  points of R^d); ``fball``: the projection onto an f-divergence ball;
- ``newton``: the rate-distortion and perception Newton phases;
- ``progress``: the progress bar of a long point.

References: Blahut, "Computation of channel capacity and rate-distortion
functions", IEEE Trans. IT 18(4), 1972 (Thm. 8 lower bound); Blau & Michaeli,
ICML 2019 (the definition); Serra, Stavrou & Kountouris, ISIT 2023
(arXiv:2305.04604) for alternating minimisation with perception constraints;
Chen et al., ISIT 2023 (arXiv:2304.14611) for the entropic-transport view.
"""

from __future__ import annotations

from rdp.solvers.fast.solver import REFERENCE, FastSolver, fast_solver

__all__ = ["REFERENCE", "FastSolver", "fast_solver"]
