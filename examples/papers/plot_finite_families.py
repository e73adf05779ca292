"""
Finite sources: the discrete figure families
============================================

Beyond the papers' closed forms: R(D, P) of two finite sources with no closed
form, computed to certified bounds by the fast finite-alphabet solver
(`method="fast"`) and drawn in the same three views as Blau & Michaeli's
Fig. 3.

- The Laplacian pmf ∝ e^(−|x|) on 65 evenly spaced points of [−6, 6] (the
  tail mass of the continuous law beyond ±6, e^(−6) ≈ 0.25 %, is not there),
  reconstructed on the same points, with MSE distortion (x − x̂)² and W₁
  perception (ground cost |x − x̂|). It is a finite problem in its own right;
  its values approach the continuous Laplacian's as the grid is refined.
- A 3-symbol source p = (0.5, 0.3, 0.2) with the non-symmetric distortion
  matrix Δ = [[0, 1, 4], [2, 0, 1], [1, 3, 0]] (rows: source symbol, columns:
  reconstruction) and TV perception.

Each family is solved once on one (D, P) grid, every point from a cold start;
the rate–distortion curves, the surface and the cross sections are cuts of
that grid. Every point carries the solver's certified bounds, a dual lower
bound and the rate of an exactly feasible channel, and is *certified* when
they are within 10⁻³ bits, far below what a figure can show.

The figures draw every point as `rdp.plot` draws its status
([statuses](../../concepts/certificates.md)): a certified point on the curve,
a point without a certified value (bounds only) as a red × with a bar over its
bounds. A solver point that stops at its iteration limit (deterministic, so
the figures do not depend on the machine's load) is such a point. The
distortion–perception sections D(R, P) are read off the surface as brackets:
R(D, P) is non-increasing and convex in D (Blau & Michaeli 2019, Theorem 1),
so the chord between two grid points bounds D(R, P) from above and secants
extended beyond their ends bound it from below
([`distortion_bracket`][rdp.plot.data.distortion_bracket]). Each bracket holds,
but one read off a grid is wider than the certified gap (10⁻⁶), so each
D(R, P) point is marked with a red × (status `bounds`, not certified), its
bracket shaded and the line at its upper end. Every CSV has `lower`, `upper`
and `status` columns.
"""

from rdp.reproduce import select_figures

specs = {
    spec.id: spec
    for spec in select_figures(
        [
            f"{family}-{view}"
            for family in ("laplace-w1", "ternary-tv")
            for view in ("rd", "surface", "sections")
        ]
    )
}

# %%
# The discretised Laplacian: rate–distortion curves
# -------------------------------------------------
# R(D, P) against D at five W₁ bounds (darker: stricter) and Shannon's R(D)
# dashed in black. The line under the figure is how many of its solver points
# are certified.
output = specs["laplace-w1-rd"].make()
print(output.note)
fig = output.figure

# %%
# The discretised Laplacian: the surface
# --------------------------------------
# Left: R(D, P) over the (D, P) plane with its equi-rate lines. Right: the same
# lines in the (D, P) plane; the shaded region is where the rate is 0.
output = specs["laplace-w1-surface"].make()
print(output.note)
fig = output.figure

# %%
# The discretised Laplacian: cross sections
# -----------------------------------------
# Left: the bracket on D(R, P) against P at fixed rates, each point a red ×
# (bounds only: the bracket is wider than the certified gap). Right: R(D, P)
# against P at fixed distortions, every solver point certified.
output = specs["laplace-w1-sections"].make()
print(output.note)
fig = output.figure

# %%
# The 3-symbol source: rate–distortion curves
# -------------------------------------------
output = specs["ternary-tv-rd"].make()
print(output.note)
fig = output.figure

# %%
# The 3-symbol source: the surface
# --------------------------------
output = specs["ternary-tv-surface"].make()
print(output.note)
fig = output.figure

# %%
# The 3-symbol source: cross sections
# -----------------------------------
output = specs["ternary-tv-sections"].make()
print(output.note)
fig = output.figure
