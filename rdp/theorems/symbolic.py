r"""Symbolic derivations (sympy) of the closed forms the library relies on.

Each function derives an expression from a more general one and returns a
[`Derivation`][rdp.theorems.symbolic.Derivation]: the derived ``expression`` (simplified), the
``expected``
closed form, their simplified difference ``residual`` and whether it is zero.

- [`gaussian_perfect_perception`][rdp.theorems.symbolic.gaussian_perfect_perception]: D(R, 0) =
  2σ²(1 − √(1 − 2^{−2R})) solved from
  the general squared-W₂ Gaussian R(D, P) at P = 0;
- [`perfect_perception_ratio`][rdp.theorems.symbolic.perfect_perception_ratio]: D(R, 0)/D(R, ∞) =
  2/(1 + √(1 − 2^{−2R})) and its
  limits 2 (R → 0) and 1 (R → ∞);
- [`bernoulli_region_continuity`][rdp.theorems.symbolic.bernoulli_region_continuity]: the optimal
  joint laws of the three regions of
  the Bernoulli/Hamming/TV R(D, P) agree at the region boundaries (so the rate,
  their mutual information, is continuous);
- [`orthogonality_decomposition`][rdp.theorems.symbolic.orthogonality_decomposition]: E‖X − X̂‖² =
  D* + E‖X* − X̂‖² when X̂ and X are
  conditionally independent given the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

REFERENCE_GAUSSIAN = (
    "Zhang, Qian, Chen & Khisti, Universal Rate-Distortion-Perception Representations for "
    "Lossy Compression, NeurIPS 2021, Theorem 2"
)
REFERENCE_BERNOULLI = "Blau & Michaeli, ICML 2019, Theorem 2"
REFERENCE_ORTHOGONALITY = (
    "Yan et al., ICML 2021, proof of Theorem 1; Freirich et al., NeurIPS 2021, Lemma 2"
)


@dataclass(frozen=True)
class Derivation:
    """A symbolic derivation: what was derived, what it should equal, and their difference."""

    name: str
    expression: sp.Expr | sp.Matrix
    expected: sp.Expr | sp.Matrix
    residual: sp.Expr | sp.Matrix
    reference: str

    @property
    def holds(self) -> bool:
        """True when the residual simplified to exactly zero."""
        residual = self.residual
        if isinstance(residual, sp.MatrixBase):
            return all(sp.simplify(entry) == 0 for entry in residual)
        return sp.simplify(residual) == 0


def _symbols():
    sigma = sp.Symbol("sigma", positive=True)
    R = sp.Symbol("R", positive=True)
    D = sp.Symbol("D", positive=True)
    P = sp.Symbol("P", nonnegative=True)
    return sigma, R, D, P


def gaussian_rate_w2(sigma: sp.Symbol, D: sp.Symbol, P: sp.Symbol) -> sp.Expr:
    r"""The active-branch Gaussian R(D, P) with squared-W₂ perception, in bits.

    $$
    R = \tfrac12 \log_2 \frac{\sigma^2 s^2}
        {\sigma^2 s^2 - \left(\frac{\sigma^2 + s^2 - D}{2}\right)^2},
    \quad s = \sigma - \sqrt P
    $$
    """
    s = sigma - sp.sqrt(P)
    return sp.log(sigma**2 * s**2 / (sigma**2 * s**2 - ((sigma**2 + s**2 - D) / 2) ** 2), 2) / 2


def gaussian_perfect_perception() -> Derivation:
    r"""Solve $R(D, 0) = R$ for D from the general squared-W₂ formula.

    At P = 0, $2^{-2R} = 1 - (1 - D/(2\sigma^2))^2$; of its two roots
    $D = 2\sigma^2(1 \mp \sqrt{1 - 2^{-2R}})$ the one below $2\sigma^2$
    (the zero-rate distortion at P = 0) is $D(R, 0)$.
    """
    sigma, R, D, P = _symbols()
    x = sp.Symbol("x", positive=True)  # x = 2^{-2R}
    rate_at_zero = gaussian_rate_w2(sigma, D, P).subs(P, 0)
    # 2^{-2 R(D,0)} as a rational function of D
    power = sp.simplify(sp.Integer(2) ** (-2 * rate_at_zero))
    roots = sp.solve(sp.Eq(power, x), D)
    below = [r for r in roots if sp.simplify(r.subs({x: sp.Rational(1, 2), sigma: 1})) < 2]
    derived = sp.simplify(below[0].subs(x, sp.Integer(2) ** (-2 * R)))
    expected = 2 * sigma**2 * (1 - sp.sqrt(1 - sp.Integer(2) ** (-2 * R)))
    return Derivation(
        "gaussian D(R, 0) from the squared-W2 R(D, P)",
        derived,
        expected,
        sp.simplify(derived - expected),
        REFERENCE_GAUSSIAN,
    )


def perfect_perception_ratio() -> tuple[Derivation, sp.Expr, sp.Expr]:
    r"""D(R, 0)/D(R, ∞) in closed form, and its limits at R → 0⁺ and R → ∞.

    Returns
    -------
    derivation : Derivation
        The ratio $2\sigma^2(1 - \sqrt{1 - 2^{-2R}}) / (\sigma^2 2^{-2R})$
        simplified, against $2 / (1 + \sqrt{1 - 2^{-2R}})$.
    limit_at_zero, limit_at_infinity : sympy.Expr
        2 and 1.
    """
    sigma, R, _, _ = _symbols()
    x = sp.Symbol("x", positive=True)
    perfect = gaussian_perfect_perception().expression
    ratio = sp.radsimp(
        sp.simplify(
            (perfect / (sigma**2 * sp.Integer(2) ** (-2 * R))).subs(sp.Integer(2) ** (-2 * R), x)
        )
    )
    ratio = sp.simplify(ratio.subs(x, sp.Integer(2) ** (-2 * R)))
    expected = 2 / (1 + sp.sqrt(1 - sp.Integer(2) ** (-2 * R)))
    derivation = Derivation(
        "D(R, 0) / D(R, inf) for the Gaussian source",
        ratio,
        expected,
        sp.simplify(ratio - expected),
        REFERENCE_GAUSSIAN,
    )
    return derivation, sp.limit(ratio, R, 0, "+"), sp.limit(ratio, R, sp.oo)


def bernoulli_joint_laws() -> dict[str, sp.Matrix]:
    r"""The optimal joint laws $P(X = i, \hat X = j)$ of the three Bernoulli/TV regions.

    Inactive (backward BSC(D)): $P(\hat X = 1) = r = (p - D)/(1 - 2D)$;
    active: $P(\hat X = 1) = p - P$, $P(X=1,\hat X=0) = (D+P)/2$,
    $P(X=0,\hat X=1) = (D-P)/2$; zero rate: $\hat X \sim \mathrm{Bern}(p - P)$
    independent of X. Each region's rate is the mutual information of its law.
    """
    p, P, D = sp.symbols("p P D", positive=True)
    q = 1 - p
    r = (p - D) / (1 - 2 * D)
    inactive = sp.Matrix([[(1 - r) * (1 - D), r * D], [(1 - r) * D, r * (1 - D)]])
    active = sp.Matrix([[q - (D - P) / 2, (D - P) / 2], [(D + P) / 2, p - (D + P) / 2]])
    independent = sp.Matrix([[q * (1 - p + P), q * (p - P)], [p * (1 - p + P), p * (p - P)]])
    return {"inactive": inactive, "active": active, "zero-rate": independent, "symbols": (p, P, D)}


def bernoulli_region_continuity() -> tuple[Derivation, Derivation]:
    r"""The region laws coincide at $D_p = P/(1 - 2(p - P))$ and at $D = 2pq - (q-p)P$.

    Returns the two derivations; each ``residual`` is the simplified difference
    of the joint-law matrices at the boundary (the zero matrix), so the rate
    $I(X; \hat X)$ is continuous across the boundaries.
    """
    laws = bernoulli_joint_laws()
    p, P, D = laws["symbols"]
    d_p = P / (1 - 2 * (p - P))
    d_max = 2 * p * (1 - p) - (1 - 2 * p) * P
    at_inactive = sp.simplify(laws["active"].subs(D, d_p))
    inactive = sp.simplify(laws["inactive"].subs(D, d_p))
    at_zero = sp.simplify(laws["active"].subs(D, d_max))
    zero = sp.simplify(laws["zero-rate"])
    return (
        Derivation(
            "bernoulli: active law = inactive law at D = D_p",
            at_inactive,
            inactive,
            sp.simplify(at_inactive - inactive),
            REFERENCE_BERNOULLI,
        ),
        Derivation(
            "bernoulli: active law = independent law at D = 2pq - (q - p)P",
            at_zero,
            zero,
            sp.simplify(at_zero - zero),
            REFERENCE_BERNOULLI,
        ),
    )


def orthogonality_decomposition(
    sources: int = 2, codes: int = 2, reconstructions: int = 2
) -> Derivation:
    r"""$E\|X - \hat X\|^2 = E\|X - X^*\|^2 + E\|X^* - \hat X\|^2$ on a generic finite model.

    X takes ``sources`` symbolic values, the code C = f(X) ``codes`` values with a
    symbolic joint law $p(x, c)$, and $\hat X$ ``reconstructions``
    symbolic values with a symbolic law $p(\hat x \mid c)$ — X̂ is
    conditionally independent of X given C. With $X^* = E[X \mid C]$
    the cross term $2E[(X - X^*)(X^* - \hat X)]$ vanishes identically; the
    residual is the simplified difference of the two sides (zero).
    """
    xs = sp.symbols(f"x0:{sources}", real=True)
    zs = sp.symbols(f"z0:{reconstructions}", real=True)
    joint = sp.Matrix(sources, codes, lambda i, c: sp.Symbol(f"p_{i}{c}", positive=True))
    # p(z_k | c): free symbols, the last one of each row fixed by normalisation
    free = sp.Matrix(codes, reconstructions - 1, lambda c, k: sp.Symbol(f"w_{c}{k}", positive=True))
    cond = sp.Matrix(
        codes,
        reconstructions,
        lambda c, k: (
            free[c, k]
            if k < reconstructions - 1
            else 1 - sum(free[c, j] for j in range(reconstructions - 1))
        ),
    )
    mass = [sum(joint[i, c] for i in range(sources)) for c in range(codes)]
    centroid = [sum(joint[i, c] * xs[i] for i in range(sources)) / mass[c] for c in range(codes)]
    total = sum(
        joint[i, c] * cond[c, k] * (xs[i] - zs[k]) ** 2
        for i in range(sources)
        for c in range(codes)
        for k in range(reconstructions)
    )
    mmse = sum(
        joint[i, c] * (xs[i] - centroid[c]) ** 2 for i in range(sources) for c in range(codes)
    )
    spread = sum(
        mass[c] * cond[c, k] * (centroid[c] - zs[k]) ** 2
        for c in range(codes)
        for k in range(reconstructions)
    )
    numerator, denominator = sp.fraction(sp.together(total - mmse - spread))
    residual = sp.expand(numerator) / denominator
    return Derivation(
        "E|X - X̂|² = D* + E|X* - X̂|²",
        total,
        mmse + spread,
        residual,
        REFERENCE_ORTHOGONALITY,
    )
