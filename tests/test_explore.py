"""The explorer's logic without a browser: views, problems, numbers, code, sections, CLI.

Values are compared with formulas and solvers written without the app (the Bernoulli
brute force and the convex program of ``tests/references.py``, Shannon's Gaussian
R(D)), and with ``Problem(...).rate`` called directly; each check has a twin on a
wrong instance. The browser test is ``tests/test_explore_browser.py``.
"""

from __future__ import annotations

import json
import math
import shlex
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from references import binary_brute_force_rate, convex_rate, distortion_matrix

from rdp import Bernoulli, Discrete, Gaussian, GaussianVector, Problem, UnconvergedWarning
from rdp.explore import compute
from rdp.explore.view import (
    View,
    build_problem,
    cli_arguments,
    parse_matrix,
    parse_numbers,
    parse_parameters,
    python_code,
    read_pmf_csv,
)

BERNOULLI = View(source="bernoulli", p=0.2, distortion="hamming", perception="tv", D=0.1, P=0.05)
GAUSSIAN = View(source="gaussian", variance=2.0, distortion="mse", perception="none", D=0.5)
DISCRETE = View(
    source="discrete", pmf="0.5, 0.3, 0.2", distortion="hamming", perception="tv", D=0.2, P=0.05
)


# ---------------------------------------------------------------- text fields
def test_numbers_matrices_and_parameters_parse():
    assert parse_numbers("0.5, 0.3 0.2", "pmf").tolist() == [0.5, 0.3, 0.2]
    assert parse_matrix("1, 0.5; 0.5, 2").tolist() == [[1.0, 0.5], [0.5, 2.0]]
    assert parse_matrix("[[1, 0], [0, 3]]").tolist() == [[1.0, 0.0], [0.0, 3.0]]
    assert parse_parameters("df=3, scale=2") == {"df": 3.0, "scale": 2.0}
    assert parse_parameters("") == {}


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: parse_numbers("0.5, x", "pmf"), "pmf: 'x' is not a number"),
        (lambda: parse_numbers("", "alphabet"), "alphabet: enter numbers"),
        (lambda: parse_matrix("1, 0.5; 0.5"), "covariance: enter a square matrix"),
        (lambda: parse_parameters("df"), "law parameters: write name=value"),
        (lambda: parse_parameters("df=three"), "'three' (for df) is not a number"),
        (lambda: read_pmf_csv("a,b,c\n1,2,3\n"), "one column (pmf) or two"),
    ],
)
def test_bad_text_names_the_field(call, name):
    with pytest.raises(ValueError, match=name.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_pmf_csv_one_or_two_columns_with_optional_header():
    assert read_pmf_csv("0.25\n0.75\n") == ("0.25, 0.75", "")
    assert read_pmf_csv(b"value,pmf\n-1,0.25\n2,0.75\n") == ("0.25, 0.75", "-1, 2")


# ---------------------------------------------------------------- problems and points
@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (BERNOULLI, Problem(Bernoulli(0.2), "hamming", "tv")),
        (GAUSSIAN, Problem(Gaussian(0.0, 2.0), "mse", "none")),
        (
            View(
                source="gaussian-vector",
                covariance="2, 0.5; 0.5, 1",
                distortion="mse",
                perception="w2",
            ),
            Problem(GaussianVector([[2, 0.5], [0.5, 1]]), "mse", "w2"),
        ),
        (
            View(
                source="discrete",
                pmf="0.2, 0.8",
                alphabet="-1, 3",
                distortion="absolute",
                perception="w1",
            ),
            Problem(Discrete([0.2, 0.8], [-1.0, 3.0]), "absolute", "w1"),
        ),
    ],
)
def test_build_problem_is_the_problem_the_view_names(view, expected):
    problem = build_problem(view)
    assert repr(problem) == repr(expected)
    assert (
        problem.rate(0.3, view.perception_level).rate
        == expected.rate(0.3, view.perception_level).rate
    )


def test_scipy_law_is_discretised_like_from_scipy():
    from scipy import stats

    view = View(source="scipy", law="t", law_parameters="df=3", cells=12, distortion="mse")
    source = build_problem(view).source
    expected = Discrete.from_scipy(stats.t(df=3), 12)
    np.testing.assert_array_equal(source.pmf, expected.pmf)
    np.testing.assert_array_equal(source.alphabet, expected.alphabet)
    assert not np.array_equal(source.pmf, Discrete.from_scipy(stats.t(df=4), 12).pmf)


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (View(source="discrete", pmf="0.5, 0.6"), "pmf"),
        (
            View(source="gaussian-vector", covariance="1, 2; 2, 1", distortion="mse"),
            "positive definite",
        ),
        (View(source="scipy", law="no_such_law"), "not a continuous scipy.stats"),
        (View(source="scipy", law="t", law_parameters="dof=3"), "law parameters"),
        (View(source="bernoulli", p=1.5), "p"),
        (View(source="discrete", pmf="0.5, 0.5", alphabet="1"), "alphabet"),
    ],
)
def test_bad_views_raise_one_value_error_naming_the_input(view, message):
    with pytest.raises(ValueError, match=message):
        compute.solve_point(view)


def test_bernoulli_point_is_the_brute_force_minimum():
    point = compute.solve_point(BERNOULLI)
    assert point.status == "exact" and point.certified and point.method.startswith("closed-form")
    assert point.value == pytest.approx(binary_brute_force_rate(0.2, 0.1, 0.05), abs=1e-7)
    # twin: another P gives another rate, which the brute force tells apart
    other = binary_brute_force_rate(0.2, 0.1, 0.0)
    assert abs(point.value - other) > 1e-3


def test_gaussian_point_is_shannons_rate_in_both_units():
    bits = compute.solve_point(GAUSSIAN)
    nats = compute.solve_point(View(**{**GAUSSIAN.__dict__, "units": "nats"}))
    assert bits.value == pytest.approx(0.5 * math.log2(2.0 / 0.5), rel=1e-12)
    assert nats.value == pytest.approx(0.5 * math.log(2.0 / 0.5), rel=1e-12)
    assert bits.value != pytest.approx(nats.value)


def test_discrete_point_matches_the_convex_program():
    point = compute.solve_point(DISCRETE)
    x = np.arange(3.0)
    reference, status = convex_rate(
        np.array([0.5, 0.3, 0.2]), x, x, distortion_matrix("hamming", x, x), "tv", 0.2, 0.05
    )
    assert status == "optimal"
    assert point.lower - 1e-6 <= reference <= point.upper + 1e-6
    assert point.value == pytest.approx(reference, abs=1e-5)
    assert point.certified


def test_distortion_mode_inverts_the_rate():
    view = View(**{**BERNOULLI.__dict__, "mode": "distortion", "R": 0.3})
    point = compute.solve_point(view)
    assert point.mode == "distortion" and point.R == 0.3
    problem = Problem(Bernoulli(0.2), "hamming", "tv")
    assert problem.rate(point.upper, 0.05).rate <= 0.3 + 1e-9
    assert problem.rate(0.98 * point.lower, 0.05).rate > 0.3  # below it the rate is too high


def test_infeasible_point_is_reported_not_drawn_as_a_number():
    view = View(
        source="discrete", pmf="0.5, 0.5", distortion="hamming", perception="tv", D=0.0, P=0.0
    )
    point = compute.solve_point(view)
    assert point.feasible or point.value > 0  # D = 0 is reachable losslessly: H(X) = 1 bit
    assert point.value == pytest.approx(1.0, abs=1e-6)


# ---------------------------------------------------------------- code boxes
@pytest.mark.parametrize(
    "view",
    [
        BERNOULLI,
        GAUSSIAN,
        DISCRETE,
        View(
            source="scipy", law="laplace", cells=8, distortion="mse", perception="w2", D=0.4, P=0.1
        ),
        View(
            source="gaussian-vector",
            distortion="mse",
            perception="w2",
            mode="distortion",
            R=1.0,
            P=0.1,
        ),
    ],
    ids=["bernoulli", "gaussian", "discrete", "scipy", "vector"],
)
def test_copied_python_and_cli_reproduce_the_point(view, capsys):
    from rdp.cli.main import main

    point = compute.solve_point(view)
    namespace: dict = {}
    exec(python_code(view), namespace)
    capsys.readouterr()
    assert float(getattr(namespace["result"], view.mode)) == point.value
    assert main(cli_arguments(view)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rate" if view.mode == "rate" else "distortion"] == pytest.approx(
        point.value, rel=1e-9, abs=1e-12
    )


def test_copied_code_changes_with_the_view():
    moved = View(**{**BERNOULLI.__dict__, "D": 0.12})
    assert python_code(moved) != python_code(BERNOULLI)
    assert "-D 0.12" in shlex.join(cli_arguments(moved))


# ---------------------------------------------------------------- sections
def test_sections_are_the_problems_values_with_cancel_progress_and_cache():
    problem = build_problem(BERNOULLI)
    point = compute.solve_point(BERNOULLI, problem)
    grid = compute.grids(problem, BERNOULLI, fine=False)
    ticks: list[tuple[int, int]] = []
    cache: dict = {}
    sections = compute.compute_sections(
        problem, BERNOULLI, point, grid, progress=lambda d, t: ticks.append((d, t)), cache=cache
    )
    total = len(compute.section_steps(problem, BERNOULLI, point, grid))
    assert ticks[-1] == (total, total) and len(ticks) == total
    # every R(D) curve is Problem.rate at its level, point by point
    rd = sections.rate_distortion
    for level, row in zip(rd.parameter, rd.y, strict=True):
        direct = problem.rate(grid.D, level).rate
        np.testing.assert_allclose(row, np.where(np.isfinite(direct), direct, np.nan), atol=1e-12)
    assert point.P in rd.parameter
    # the R–P section passes through the point
    rp = sections.rate_perception
    at = problem.rate(point.D, grid.P).rate
    np.testing.assert_allclose(rp.y[0], at, atol=1e-12)
    # the plane is Problem.surface on the same grid
    surface = problem.surface(grid.D, grid.P, progress=False)
    np.testing.assert_allclose(sections.surface.rate, surface.rate, atol=1e-12)
    # the shared steps are cached: a moved point recomputes only its own sections
    moved = compute.solve_point(View(**{**BERNOULLI.__dict__, "D": 0.07}), problem)
    calls = []
    steps = compute.section_steps(problem, BERNOULLI, moved, grid)
    new = sum(s.name not in cache for s in steps)
    assert {s.panel for s in steps if s.name not in cache} == {"rp", "dp"}
    compute.compute_sections(
        problem, BERNOULLI, moved, grid, cache=cache, cancelled=lambda: calls.append(1) or False
    )
    assert len(calls) == new < len(steps)
    # cancellation stops before the next step
    with pytest.raises(compute.Cancelled):
        compute.compute_sections(problem, BERNOULLI, point, grid, cancelled=lambda: True)


def test_sections_without_perception_have_shannons_curve_only():
    problem = build_problem(GAUSSIAN)
    point = compute.solve_point(GAUSSIAN, problem)
    sections = compute.compute_sections(problem, GAUSSIAN, point)
    assert sections.surface is None and sections.rate_perception is None
    D = sections.rate_distortion.x
    np.testing.assert_allclose(sections.rate_distortion.y[0], np.maximum(0.5 * np.log2(2.0 / D), 0))


def test_csv_holds_every_drawn_point():
    import csv
    import io

    problem = build_problem(BERNOULLI)
    point = compute.solve_point(BERNOULLI, problem)
    grid = compute.grids(problem, BERNOULLI, fine=False)
    sections = compute.compute_sections(problem, BERNOULLI, point, grid)
    rows = list(csv.DictReader(io.StringIO(compute.sections_csv(point, sections))))
    expected = 1 + sections.rate_distortion.y.size + sections.rate_perception.y.size
    expected += sections.distortion_perception.y.size + sections.surface.rate.size
    assert len(rows) == expected
    first = rows[0]
    assert first["panel"] == "point" and float(first["R"]) == point.R
    plane = [r for r in rows if r["panel"] == "(D,P) plane"]
    k = 5
    direct = problem.rate(float(plane[k]["D"]), float(plane[k]["P"])).rate
    assert float(plane[k]["R"]) == pytest.approx(direct, abs=1e-12)


def test_figure_draws_every_kind_of_channel():
    from rdp.explore.figure import draw_figure, render

    for view in (
        BERNOULLI,
        View(source="gaussian", distortion="mse", perception="w2", D=0.5, P=0.1),
    ):
        problem = build_problem(view)
        point = compute.solve_point(view, problem)
        grid = compute.grids(problem, view, fine=False)
        figure = draw_figure(point, compute.compute_sections(problem, view, point, grid))
        titles = [ax.get_title() for ax in figure.axes]
        assert any("optimal" in t for t in titles) and "output law against source law" in titles
        assert render(figure, "svg").startswith(b"<?xml")
        assert render(figure, "png").startswith(b"\x89PNG")


# ---------------------------------------------------------------- the figure on screen
def test_live_panels_hold_the_problems_numbers():
    """The on-screen panels' data: curves, level sets, regions and marks, checked with
    ``Problem`` called directly; the twins move a level or a mark and fail."""
    from rdp.explore import live

    problem = build_problem(BERNOULLI)
    point = compute.solve_point(BERNOULLI, problem)
    grid = compute.grids(problem, BERNOULLI, fine=False)
    sections = compute.compute_sections(problem, BERNOULLI, point, grid)
    frames = live.frame(point, sections)
    rd = frames["rd"].columns("lines")
    assert rd["label"][-1] == "Shannon R(D) (P = ∞)" and rd["dash"][-1] == "dashed"
    for k, level in enumerate(sections.rate_distortion.parameter):
        j = 4
        direct = problem.rate(float(rd["xs"][k][j]), float(level)).rate
        assert rd["ys"][k][j] == direct
        assert rd["ys"][k][j] != problem.rate(float(rd["xs"][k][j + 1]), float(level)).rate
    assert frames["rd"].columns("star") == {"x": [0.1], "y": [point.R], "label": ["the point"]}
    assert frames["rp"].columns("star")["x"] == [0.05]
    assert frames["plane"].columns("star")["x"] == [0.1]
    assert frames["plane"].columns("star")["y"] == [0.05]
    # equi-rate lines: R(D, P) at their vertices is their level (linear interpolation
    # between grid cells: within 0.02 bits); twin: the next level does not fit
    plane = frames["plane"].columns("lines")
    for xs, ys, label in zip(plane["xs"], plane["ys"], plane["label"], strict=True):
        level = float(label.removeprefix("R = "))
        for x, y in list(zip(xs, ys, strict=True))[:: max(1, len(xs) // 4)]:
            rate = problem.rate(float(x), float(y)).rate
            assert rate == pytest.approx(level, abs=0.02)
            assert rate != pytest.approx(level + 0.05, abs=0.02)
    # the zero-rate region starts at D_max(P)
    regions = frames["plane"].columns("regions")
    assert regions["label"][0] == "R = 0 (D ≥ D_max(P))"
    for P, D in zip(grid.P, regions["xs"][0][: grid.P.size], strict=True):
        top = min(problem.zero_rate_distortion(float(P)), grid.D[-1])
        assert D == pytest.approx(top, rel=1e-12)
    # the optimal channel: the heatmap is p(x̂ | x)
    channel = frames["channel"].columns("image")["image"][0]
    assert np.array_equal(channel, point.channel.conditional)
    assert frames["laws"].columns("bar_left")["top"].tolist() == [0.8, 0.2]


def test_live_panels_mark_every_uncertified_curve_point():
    """A curve point without a certified value is a red × on a bar over its bounds (as
    ``rdp.plot.draw_curve_family`` marks it); twin: a certified family has no mark."""
    from dataclasses import replace

    from rdp.explore import live
    from rdp.plot.style import UNCERTIFIED_LABEL

    problem = build_problem(BERNOULLI)
    point = compute.solve_point(BERNOULLI, problem)
    family = compute.compute_sections(problem, BERNOULLI, point).rate_distortion
    panel = live.curve_frame(family, point, ("D", "R"), "R(D)")
    assert panel.columns("marks")["x"] == []
    status = np.asarray(family.status).astype(object)
    lower, upper = family.lower.copy(), family.upper.copy()
    status[1, 3], lower[1, 3], upper[1, 3] = (
        "max_iter",
        family.y[1, 3] - 0.01,
        family.y[1, 3] + 0.01,
    )
    marked = replace(family, status=status, lower=lower, upper=upper)
    assert marked.uncertified.sum() == 1
    panel = live.curve_frame(marked, point, ("D", "R"), "R(D)")
    marks, bars = panel.columns("marks"), panel.columns("bars")
    assert marks == {"x": [family.x[3]], "y": [family.y[1, 3]], "label": [UNCERTIFIED_LABEL]}
    assert (bars["y0"], bars["y1"]) == ([lower[1, 3]], [upper[1, 3]])


# ---------------------------------------------------------------- the app without a browser
def test_explorer_shows_the_point_and_errors_inline():
    pytest.importorskip("panel")
    from rdp.explore.app import Explorer, format_number

    done = threading.Event()
    explorer = Explorer(BERNOULLI, post=lambda fn: fn())
    original = explorer.show_figure
    explorer.show_figure = lambda *a: (original(*a), done.set())  # type: ignore[method-assign]
    assert done.wait(120)
    expected = Problem(Bernoulli(0.2), "hamming", "tv").rate(0.1, 0.05)
    assert f'data-value="{expected.rate!r}"' in explorer.point.object
    assert f">{format_number(expected.rate)}<" in explorer.point.object
    rd = explorer.live.sources["rd"]
    assert rd["star"].data["x"] == [0.1] and rd["star"].data["y"] == [expected.rate]
    # a closed form answers in the event's own call: the number is there when it returns
    explorer.widgets["D"].value = 0.12
    moved = Problem(Bernoulli(0.2), "hamming", "tv").rate(0.12, 0.05)
    assert f'data-value="{moved.rate!r}"' in explorer.point.object
    assert f'data-value="{expected.rate!r}"' not in explorer.point.object
    done.clear()
    explorer.widgets["pmf"].value = "0.5, 0.7"  # hidden for Bernoulli: no change of the view
    explorer.widgets["source"].value = "discrete"
    explorer.widgets["distortion"].value = "hamming"
    for _ in range(200):
        if explorer.error.visible:
            break
        threading.Event().wait(0.05)
    assert explorer.error.visible and "pmf" in explorer.error.object
    explorer.worker.stop()


# ---------------------------------------------------------------- the command
def test_explore_command_rejects_bad_flags_with_one_line(capsys):
    from rdp.cli.main import main

    for argv in (["explore", "--port", "0"], ["explore", "--port", "web"], ["explore", "--nope"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err


def test_explore_command_without_panel_says_which_extra(monkeypatch, capsys):
    from rdp.cli.main import main

    monkeypatch.setitem(sys.modules, "panel", None)
    monkeypatch.delitem(sys.modules, "rdp.explore.app", raising=False)
    assert main(["explore", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "rdp-theory[explore]" in err and err.count("\n") == 1


def test_explore_command_serves_and_reports_a_busy_port(monkeypatch, capsys):
    pytest.importorskip("panel")
    import socket

    from rdp.cli.main import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["explore", "--no-browser", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"--port {port}" in err and err.strip().count("\n") == 1


@pytest.mark.filterwarnings("ignore::rdp.exceptions.UnconvergedWarning")
def test_a_point_without_certificate_is_marked_on_the_page_and_in_the_figure():
    pytest.importorskip("panel")
    from rdp.explore.app import point_html
    from rdp.explore.figure import draw_figure
    from rdp.plot.style import UNCERTIFIED_LABEL, UNCERTIFIED_MARKER

    view = View(source="gaussian", distortion="mse", perception="kl-source-recon", D=0.5, P=0.1)
    problem = build_problem(view)
    with pytest.warns(UnconvergedWarning):
        direct = problem.rate(0.5, 0.1)
    point = compute.solve_point(view, problem)
    assert (point.lower, point.upper) == (direct.lower, direct.upper)
    assert not point.certified and point.upper - point.lower > 1e-4  # KL(p_X‖p_X̂): bounds only
    assert UNCERTIFIED_LABEL in point_html(view, point, 0.0)
    grid = compute.grids(problem, view, fine=False)
    figure = draw_figure(point, compute.compute_sections(problem, view, point, grid))
    marked = {
        tuple(xy)
        for line in figure.axes[0].get_lines()
        if line.get_marker() == UNCERTIFIED_MARKER["marker"] and line.get_color() == "red"
        for xy in line.get_xydata()
    }
    assert (0.5, point.value) in marked
    assert not any(line.get_marker() == "*" for line in figure.axes[0].get_lines())
    # on screen alike: a red × on a red bar over its bracket, no star
    from rdp.explore import live

    sections = compute.compute_sections(problem, view, point, grid)
    rd = live.frame(point, sections)["rd"]
    assert rd.columns("star")["x"] == []
    assert (rd.columns("cross")["x"], rd.columns("cross")["y"]) == ([0.5], [point.value])
    bars = rd.columns("bars")
    segments = zip(*(bars[k] for k in ("x0", "y0", "x1", "y1")), strict=True)
    assert (0.5, point.lower, 0.5, point.upper) in segments
    assert rd.columns("cross")["label"] == [f"the point: {UNCERTIFIED_LABEL}"]
    # its twin: a certified point is a star, not a red ×
    certified = compute.solve_point(BERNOULLI)
    assert UNCERTIFIED_LABEL not in point_html(BERNOULLI, certified, 0.0)


def _wait(condition, seconds: float = 120.0) -> bool:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


LARGE = View(source="scipy", law="norm", cells=80, distortion="hamming", perception="tv", D=0.5)


def test_a_large_point_is_solved_apart_with_the_librarys_value():
    pytest.importorskip("panel")
    from rdp.explore.app import Explorer

    assert compute.large(build_problem(LARGE))
    assert not compute.large(build_problem(View(**{**LARGE.__dict__, "cells": 64})))
    explorer = Explorer(LARGE, post=lambda fn: fn())
    try:
        assert _wait(lambda: "data-value" in explorer.point.object)
        from scipy import stats

        direct = Problem(Discrete.from_scipy(stats.norm(), 80), "hamming", "tv").rate(0.5, 0.02)
        assert f'data-value="{direct.rate!r}"' in explorer.point.object
    finally:
        explorer.worker.stop()


def test_cancel_stops_a_large_point_at_once():
    pytest.importorskip("panel")
    from rdp.explore.app import Explorer

    slow = View(**{**LARGE.__dict__, "cells": 128, "perception": "kl-source-recon"})
    explorer = Explorer(slow, post=lambda fn: fn())
    try:
        assert _wait(lambda: "128 symbols" in explorer.status.object)
        start = time.perf_counter()
        explorer.worker.cancel()
        assert _wait(lambda: "cancelled" in explorer.status.object, 10.0)
        assert time.perf_counter() - start < 2.0
        assert "data-value" not in explorer.point.object  # no number was shown for it
    finally:
        explorer.worker.stop()


def test_the_dp_section_can_wait_for_a_second_drawing():
    from rdp.explore.figure import draw_figure

    problem = build_problem(DISCRETE)
    point = compute.solve_point(DISCRETE, problem)
    grid = compute.grids(problem, DISCRETE)
    assert compute.numerical(problem) and grid.section_P.size < grid.P.size
    first = compute.compute_sections(problem, DISCRETE, point, grid, skip=("dp",))
    assert first.pending == ("dp",) and first.distortion_perception is None
    texts = [t.get_text() for t in draw_figure(point, first).axes[2].texts]
    assert any("computing" in t for t in texts)
    full = compute.compute_sections(problem, DISCRETE, point, grid)
    assert full.pending == () and full.distortion_perception is not None
    # the section inverts R(D, P) at the point's rate: its brackets straddle that rate
    section = full.distortion_perception
    for k, P in enumerate(section.x):
        assert problem.rate(section.upper[0, k], P).rate <= point.R + 1e-6
        assert problem.rate(0.95 * section.lower[0, k], P).rate > point.R


def test_rdp_explore_serves_the_page_until_interrupted():
    pytest.importorskip("panel")
    import os
    import signal
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-m", "rdp", "explore", "--no-browser", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        page = ""
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    page = reply.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "<title>rdp explore</title>" in page
        assert "cdn." not in page  # scripts come from this server
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert f"serving on http://127.0.0.1:{port}/" in err
    assert process.returncode == 0 and err.strip().endswith("rdp explore: stopped")


def test_an_unexpected_failure_is_one_line_and_the_app_goes_on(monkeypatch):
    pytest.importorskip("panel")
    from rdp.explore.app import Explorer

    real = compute.solve_point

    def broken(view, problem=None):
        if view.D == 0.11:
            raise ZeroDivisionError("a bug")
        return real(view, problem)

    monkeypatch.setattr(compute, "solve_point", broken)
    explorer = Explorer(View(**{**BERNOULLI.__dict__, "D": 0.11}), post=lambda fn: fn())
    try:
        assert _wait(lambda: explorer.error.visible)
        assert "ZeroDivisionError: a bug" in explorer.error.object
        explorer.widgets["D"].value = 0.12  # the threads still answer
        assert _wait(lambda: 'data-d="0.12"' in explorer.point.object)
        assert not explorer.error.visible
    finally:
        explorer.worker.stop()


def test_every_perception_measure_is_offered_with_its_scale():
    """The perception menu holds every measure of the library; an f-divergence's axis
    ends at its value against a zero-rate decoder's point mass (by hand here)."""
    pytest.importorskip("panel")
    from rdp.explore.app import PERCEPTION_LABELS
    from rdp.perceptions import PERCEPTION_NAMES

    assert set(PERCEPTION_LABELS.values()) == set(PERCEPTION_NAMES)
    hellinger = Problem(Bernoulli(0.1), "hamming", "hellinger")
    assert compute.perception_scale(hellinger) == pytest.approx(1 - math.sqrt(0.9), rel=1e-12)
    js = Problem(Bernoulli(0.1), "hamming", "js")
    by_hand = 0.5 * (0.9 * math.log2(0.9 / 0.95) + 0.1 * math.log2(0.1 / 0.05))
    by_hand += 0.5 * math.log2(1 / 0.95)
    assert compute.perception_scale(js) == pytest.approx(by_hand, rel=1e-9)
    # the twin: TV's scale is another number (1 − max p_X)
    tv = Problem(Bernoulli(0.1), "hamming", "tv")
    assert compute.perception_scale(tv) == pytest.approx(0.1)
    assert compute.perception_scale(hellinger) != pytest.approx(0.1)
