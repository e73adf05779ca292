"""Shannon lower bounds on R(D) — hence on R(D, P) — and on D(R) of a law, from h(X).

For a difference distortion Δ(x, x̂) = ρ(x − x̂), R(D) ≥ h(X) − max{h(Z) : E ρ(Z) ≤ D}
(Shannon 1959; Berger 1971, Thm 4.3.3). The maximum-entropy laws give, in nats,

- squared error: R(D) ≥ h(X) − ½ log(2πeD) (Gaussian Z), D(R) ≥ e^{2(h(X) − R)} / (2πe);
- absolute error: R(D) ≥ h(X) − log(2eD) (Laplacian Z), D(R) ≥ e^{h(X) − R} / (2e);
- squared error ‖x − x̂‖² summed over d coordinates: R(D) ≥ h(X) − (d/2) log(2πeD/d)
  (Gaussian Z with covariance (D/d)·I), D(R) ≥ (d/(2πe)) e^{2(h(X) − R)/d}.

A perception constraint only removes channels, so R(D, P) ≥ R(D) and D(R, P) ≥ D(R) for
every perception measure and every P: the same bounds hold. They are tight for the Gaussian
law with squared error (D ≤ σ²) and the Laplacian law with absolute error (D ≤ b), at
P = ∞; with a binding perception constraint they are strictly below R(D, P).
"""

from __future__ import annotations

import math

#: log of the largest entropy of an error Z with E ρ(Z) ≤ D, minus the D term, in nats:
#: max h(Z) = OFFSET + SCALE · log D.
_MAX_ENTROPY = {
    "mse": (0.5 * math.log(2 * math.pi * math.e), 0.5),
    "absolute": (math.log(2 * math.e), 1.0),
}


def rate_lower_bound(entropy_nats: float, D: float, distortion: str, dimension: int = 1) -> float:
    """max(0, h(X) − max h(Z)) in nats: a lower bound on R(D) and on R(D, P).

    For d coordinates (MSE only) Z has d coordinates of distortion D/d each.
    """
    offset, scale = _MAX_ENTROPY[distortion]
    return max(0.0, entropy_nats - dimension * (offset + scale * math.log(D / dimension)))


def distortion_lower_bound(
    entropy_nats: float, R_nats: float, distortion: str, dimension: int = 1
) -> float:
    """The D solving h(X) − max h(Z) = R: a lower bound on D(R) and on D(R, P)."""
    offset, scale = _MAX_ENTROPY[distortion]
    per = (entropy_nats - R_nats) / dimension
    return dimension * math.exp((per - offset) / scale)
