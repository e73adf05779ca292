"""``rdp explore``: an interactive R(D, P) explorer in the browser.

- [`rdp.explore.view`][rdp.explore.view]: the controls as data (a ``View``), the
  [`Problem`][rdp.problem.Problem] they name and the Python / command line reproducing them;
- [`rdp.explore.compute`][rdp.explore.compute]: the point and the curves around it, all
  through ``Problem.rate`` and ``Problem.distortion``, step by step (progress, cancellation);
- [`rdp.explore.figure`][rdp.explore.figure]: the figure, drawn with [`rdp.plot`][rdp.plot];
- ``rdp.explore.app``: the Panel web app (needs ``pip install "rdp-theory[explore]"``),
  started by ``rdp explore`` or ``rdp.explore.app.serve()``.

Importing this package loads no web framework.
"""
