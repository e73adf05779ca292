"""
Finite sources: the discrete figure families
============================================

Beyond the papers' closed forms: R(D, P) of finite sources, computed to
certified bounds by the finite-alphabet solvers (a Laplacian discretised on a
grid with MSE and W₁ perception, and a 3-symbol source with a non-symmetric
distortion matrix and TV perception). The script draws every figure of
`rdp reproduce` in the ``discrete`` group, from the same specs, so a family
added to the registry shows up here too.
"""

from textwrap import fill

from rdp.reproduce import all_figures

specs = [spec for spec in all_figures() if spec.group == "discrete"]
for spec in specs:
    print(f"{spec.id:24} {spec.title}")

# %%
# What each figure shows and the command that writes it
for spec in specs:
    print(spec.command)
    print(fill(spec.caption, 88, initial_indent="    ", subsequent_indent="    "))

# %%
# The figures, in registry order
figures = [spec.make().figure for spec in specs]
