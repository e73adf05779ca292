"""The ``rdp explore`` web app (Panel): controls on the left, the point and its figure on the right.

Every control change builds a [`View`][rdp.explore.view.View] and hands it to the session's
[`Worker`][rdp.explore.app.Worker], a thread that computes the point first (shown in
large type as soon as it is known), then the curves and the surface of the figure
step by step, with a progress bar and a Cancel button; a newer view cancels the
older one between two steps. All numbers come from [`Problem`][rdp.problem.Problem]
([`rdp.explore.compute`][rdp.explore.compute]); bad input is shown inline.
The app serves its JavaScript and CSS itself: no page of it loads anything from
another host.
"""

from __future__ import annotations

import html
import json
import math
import multiprocessing
import os
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, fields, replace
from functools import partial
from typing import Any

import panel as pn

from rdp.exceptions import UnconvergedWarning
from rdp.explore import compute, live
from rdp.explore.figure import draw_figure, render
from rdp.explore.view import (
    DISTORTIONS,
    View,
    build_problem,
    cli_command,
    python_code,
    read_pmf_csv,
)
from rdp.plot.style import UNCERTIFIED_LABEL

SOURCE_LABELS = {
    "Bernoulli(p)": "bernoulli",
    "Gaussian N(μ, σ²)": "gaussian",
    "vector Gaussian N(0, Σ)": "gaussian-vector",
    "discrete pmf": "discrete",
    "scipy.stats law, discretised": "scipy",
}
PERCEPTION_LABELS = {
    "TV": "tv",
    "W₁": "w1",
    "W₂² (squared)": "w2",
    "KL(p_X‖p_X̂)": "kl-source-recon",
    "KL(p_X̂‖p_X)": "kl-recon-source",
    "H² (squared Hellinger)": "hellinger",
    "JS (Jensen–Shannon)": "js",
    "χ²(p_X‖p_X̂)": "chi2-source-recon",
    "χ²(p_X̂‖p_X)": "chi2-recon-source",
    "none (P = ∞)": "none",
}
MODE_LABELS = {"R(D, P)": "rate", "D(R, P)": "distortion"}
#: Widgets shown for each source family.
SOURCE_FIELDS = {
    "bernoulli": ("p",),
    "gaussian": ("mean", "variance"),
    "gaussian-vector": ("covariance",),
    "discrete": ("pmf", "alphabet", "pmf_file"),
    "scipy": ("law", "law_parameters", "cells"),
}
#: Resolution of the PNG download.
DOWNLOAD_DPI = 150
#: A computation shows its progress bar and Cancel button once it has run this long (s);
#: quicker ones leave the page's layout alone.
BUSY_AFTER = 0.3


def format_number(value: float) -> str:
    """How the app writes a number: 6 significant digits."""
    return f"{value:.6g}"


def point_html(view: View, point: compute.Point, seconds: float) -> str:
    """The point in large type: value, bracket, status, method.

    Data attributes carry the full-precision numbers and the view they answer.
    """
    unit = point.units if point.mode == "rate" else ""
    if point.mode == "rate" and not point.feasible:
        headline = 'infeasible: <span class="rdp-value">no channel</span> meets D and P'
    else:
        headline = (
            f'{point.symbol} = <span class="rdp-value">{format_number(point.value)}</span> {unit}'
        )
    certified = (
        '<span class="rdp-certified" style="color:#1a7f37">certified</span>'
        if point.certified
        else f'<span class="rdp-certified" style="color:#c62828">{UNCERTIFIED_LABEL}</span>'
    )
    given = (
        f"D = {format_number(point.D)}"
        if point.mode == "rate"
        else f"R = {format_number(point.R)} {point.units}"
    )
    level = "∞" if math.isinf(point.P) else format_number(point.P)
    message = f"<div>{html.escape(point.message)}</div>" if point.message else ""
    attributes = " ".join(
        f'data-{name}="{html.escape(str(value))}"'
        for name, value in (
            ("mode", point.mode),
            ("value", repr(point.value)),
            ("lower", repr(point.lower)),
            ("upper", repr(point.upper)),
            ("status", point.status),
            ("method", point.method),
            ("certified", str(point.certified).lower()),
            ("view", json.dumps(asdict(view), ensure_ascii=False)),
            ("source", view.source),
            ("perception", view.perception),
            ("units", view.units),
            ("d", repr(point.D)),
            ("p", repr(point.P)),
            ("r", repr(point.R)),
        )
    )
    return f"""<div id="rdp-point" {attributes} style="font-size:15px; line-height:1.5">
<div style="font-size:32px; font-weight:600">{headline}</div>
<div>bracket [<span class="rdp-lower">{format_number(point.lower)}</span>,
 <span class="rdp-upper">{format_number(point.upper)}</span>] · status
 <b class="rdp-status">{point.status}</b> · {certified}</div>
<div>method <code class="rdp-method">{html.escape(point.method)}</code> · at {given}, P = {level}
 · {1000 * seconds:.1f} ms</div>
<div style="color:#555; font-size:13px">{html.escape(point.reference)}</div>{message}
</div>"""


def code_html(view: View) -> str:
    """The "copy as code" box: the Python and the command line for the view's point."""
    try:
        python, cli = python_code(view), cli_command(view)
    except ValueError:
        return "<i>fix the input to see the code</i>"
    return (
        "<b>Python</b><pre id='rdp-python' style='white-space:pre-wrap'>"
        f"{html.escape(python)}</pre><b>Command line</b>"
        f"<pre id='rdp-cli' style='white-space:pre-wrap'>{html.escape(cli)}</pre>"
    )


class Text:
    """HTML on the page whose text is replaced in place (a Bokeh ``Div``).

    A Panel ``HTML`` pane sends its style sheets again with every new text, which
    makes Bokeh walk every model of the page (the figure's included) for each
    update; a ``Div`` sends the text alone. ``object`` is the HTML shown.
    """

    def __init__(self, css_class: str, **layout: Any) -> None:
        from bokeh.models import Div

        self.div = Div(text="", css_classes=[css_class], **layout)
        self.pane = pn.pane.Bokeh(self.div, **layout)

    @property
    def object(self) -> str:
        """The HTML shown."""
        return self.div.text

    @object.setter
    def object(self, text: str) -> None:
        self.div.text = text


class Worker:
    """A session's two computing threads: the newest view wins.

    The *point* thread answers each new view's point at once; the *figure* thread
    then computes the curves and the surface step by step and draws them, and stops
    between two steps when a newer view (or the Cancel button) cancels it, so a
    figure in progress never delays the next point. ``post(function)`` runs
    ``function`` where it may touch the page (the session's event loop).
    """

    def __init__(self, explorer: Explorer, post: Callable[[Callable[[], None]], None]) -> None:
        self.explorer = explorer
        self.post = post
        self._lock = threading.Lock()
        self._point_wake = threading.Event()
        self._figure_wake = threading.Event()
        self._view: View | None = None
        self._figure: tuple | None = None
        self._generation = 0
        self._cancel = False
        self._stop = False
        # (key, problem, closed form?) of the last problem built, replaced as one value
        self._problem: tuple[View | None, Any, bool] = (None, None, False)
        self._figure_key: View | None = None
        self._grid: compute.Grids | None = None
        self._cache: dict[str, Any] = {}
        self.threads = [
            threading.Thread(target=self._point_loop, name="rdp-explore-point", daemon=True),
            threading.Thread(target=self._figure_loop, name="rdp-explore-figure", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, view: View) -> None:
        """Compute ``view`` next (the figure in progress stops at its next step).

        A closed form of the problem last built answers at once, in the caller's
        thread (the page's event loop): no thread or event-loop hop delays the number.
        """
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._cancel = False
            key, problem, closed = self._problem
            quick = closed and key == self._key(view)
            if not quick:
                self._view = view
        if not quick:
            self._point_wake.set()
            return
        start = time.perf_counter()
        try:
            point = compute.solve_point(view, problem)
        except (ValueError, RuntimeError) as err:
            self.explorer.show_error(" ".join(str(err).split()) or type(err).__name__)
            return
        except Exception as err:  # as in _guarded: one line on the page
            self.explorer.show_error(f"{type(err).__name__}: {' '.join(str(err).split())}")
            return
        self.explorer.show_point(view, point, time.perf_counter() - start)
        self.explorer.show_panels(live.channel_frames(point))
        with self._lock:
            self._figure = (view, problem, point, start, generation)
        self._figure_wake.set()

    def _current(self, generation: int, show: Callable[[], None]) -> None:
        """Post ``show`` to the page unless a newer view has been submitted meanwhile."""
        self.post(lambda: show() if generation == self._generation else None)

    def cancel(self) -> None:
        """Stop the figure in progress at its next step."""
        with self._lock:
            self._cancel = True

    def stop(self) -> None:
        """End both threads (the session closed)."""
        with self._lock:
            self._stop = True
        self._point_wake.set()
        self._figure_wake.set()

    def _cancelled(self, generation: int) -> bool:
        return self._stop or self._cancel or generation != self._generation

    @staticmethod
    def _key(view: View) -> View:
        """What the problem and the figure's shared steps depend on (not the point)."""
        return replace(view, D=0.0, P=0.0, R=0.0, mode="rate")

    def _point_loop(self) -> None:
        while True:
            self._point_wake.wait()
            with self._lock:
                if self._stop:
                    return
                view, generation = self._view, self._generation
                self._view = None
                self._point_wake.clear()
            if view is not None:
                self._guarded(self._point, view, generation)

    def _figure_loop(self) -> None:
        while True:
            self._figure_wake.wait()
            with self._lock:
                if self._stop:
                    return
                job, self._figure = self._figure, None
                self._figure_wake.clear()
            if job is not None and not self._cancelled(job[-1]):
                self._guarded(self._draw, *job)

    def _guarded(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work``; an unexpected exception is one line on the page; the thread lives on."""
        try:
            work(*args)
        except Exception as err:  # anything else would end the thread and freeze the page
            message = f"{type(err).__name__}: {' '.join(str(err).split())}"
            self.post(lambda: self.explorer.show_error(message))

    def _point(self, view: View, generation: int) -> None:
        ui = self.explorer
        start = time.perf_counter()
        busy = threading.Timer(
            BUSY_AFTER, lambda: self._current(generation, lambda: ui.show_busy("computing…"))
        )
        busy.daemon = True
        busy.start()
        try:
            key, problem, _closed = self._problem
            if self._key(view) != key:
                problem = build_problem(view)
                self._problem = (self._key(view), problem, not compute.numerical(problem))
            if compute.large(problem):
                size = problem.source.to_discrete().size
                text = f"computing the point ({size} symbols, certified solver; Cancel stops it)…"
                busy.cancel()  # this text, not the generic one
                self.post(lambda: ui.show_busy(text))
                point = self._solve_apart(view, generation)
            else:
                point = compute.solve_point(view, problem)
        except compute.Cancelled:
            if generation == self._generation:
                self.post(lambda: ui.show_status("cancelled: the point was not computed"))
            return
        except (ValueError, RuntimeError) as err:
            message = " ".join(str(err).split()) or type(err).__name__
            self._current(generation, lambda: ui.show_error(message))
            return
        finally:
            busy.cancel()
        seconds = time.perf_counter() - start
        self._current(generation, lambda: ui.show_point(view, point, seconds))
        channel = live.channel_frames(point)  # needs the point only: shown before the curves
        self._current(generation, lambda: ui.show_panels(channel))
        with self._lock:
            self._figure = (view, problem, point, start, generation)
        self._figure_wake.set()

    def _solve_apart(self, view: View, generation: int) -> compute.Point:
        """``solve_point`` in a child process, which a cancel or a newer view terminates."""
        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_solve_child, args=(view, send), daemon=True)
        process.start()
        send.close()
        try:
            while not receive.poll(0.05):
                if self._cancelled(generation):
                    process.terminate()
                    raise compute.Cancelled("point")
                if not process.is_alive() and not receive.poll(0):
                    raise RuntimeError("the solver's process ended without an answer")
            kind, payload = receive.recv()
        finally:
            process.join(timeout=5)
            receive.close()
        if kind == "error":
            raise ValueError(payload)
        return payload

    def _draw(
        self, view: View, problem: Any, point: compute.Point, start: float, generation: int
    ) -> None:
        ui = self.explorer
        try:
            if self._key(view) != self._figure_key:
                self._figure_key, self._cache = None, {}
                self._grid = compute.grids(problem, view)
                self._figure_key = self._key(view)
                grid = self._grid
                self.post(lambda: ui.set_ranges(problem, view, grid))

            next_bar = [start + BUSY_AFTER]  # a quick figure shows no bar; a slow one 5 a second

            def progress(done: int, total: int) -> None:
                if time.perf_counter() > next_bar[0]:
                    next_bar[0] = time.perf_counter() + 0.2
                    self._current(generation, lambda: ui.show_progress(done, total))

            # a solver's D–P section (a bisection per point) comes last, in a second drawing
            stages = [("dp",), ()] if compute.numerical(problem) else [()]
            for skip in stages:
                sections = compute.compute_sections(
                    problem,
                    view,
                    point,
                    self._grid,
                    cancelled=lambda: self._cancelled(generation),
                    progress=progress,
                    cache=self._cache,
                    skip=skip,
                )
                if self._cancelled(generation):
                    raise compute.Cancelled("figure")
                frames = live.frame(point, sections)
                if sections.pending:
                    shown = sections, frames, time.perf_counter() - start
                    self._current(
                        generation,
                        lambda shown=shown: ui.show_figure(view, point, *shown, final=False),
                    )
        except compute.Cancelled:
            if generation == self._generation:  # the user cancelled; else a newer view runs
                self.post(lambda: ui.show_status("cancelled: the figure shows an earlier view"))
            return
        except (ValueError, RuntimeError) as err:
            message = " ".join(str(err).split()) or type(err).__name__
            self.post(lambda: ui.show_status(f"figure not drawn: {message}"))
            return
        if self._cancelled(generation):
            return
        seconds = time.perf_counter() - start
        self._current(generation, lambda: ui.show_figure(view, point, sections, frames, seconds))


def _solve_child(view: View, send: Any) -> None:
    """The child process of ``Worker._solve_apart``: the point, or the error's message."""
    warnings.filterwarnings("ignore", category=UnconvergedWarning)
    try:
        send.send(("point", compute.solve_point(view)))
    except (ValueError, RuntimeError) as err:
        send.send(("error", " ".join(str(err).split()) or type(err).__name__))
    finally:
        send.close()


class Explorer:
    """One browser session of the explorer: its widgets, layout and worker."""

    def __init__(
        self, view: View | None = None, *, post: Callable | None = None, start: bool = True
    ) -> None:
        view = View() if view is None else view
        self.widgets = self._widgets(view)
        self.point = Text("rdp-point-box", sizing_mode="stretch_width", min_height=120)
        self.error = pn.pane.Alert(
            "", alert_type="danger", visible=False, sizing_mode="stretch_width"
        )
        self.status = Text("rdp-status-line", width=600, height=30)
        self.progress = pn.indicators.Progress(value=0, max=100, width=260, visible=False)
        self.cancel = pn.widgets.Button(label="Cancel", visible=False, width=90)
        self.live = live.LiveFigure()
        self.figure = pn.pane.Bokeh(self.live.layout, css_classes=["rdp-figure"])
        self.code = Text("rdp-code", sizing_mode="stretch_width")
        # the texts the copy buttons put on the clipboard (hidden; the box above shows them)
        self.copied = {
            name: pn.widgets.TextAreaInput(value="", visible=False) for name in ("python", "cli")
        }
        self.copy_buttons = []
        for name, label in (("python", "Copy Python"), ("cli", "Copy command")):
            button = pn.widgets.Button(label=label, css_classes=[f"rdp-copy-{name}"])
            button.js_on_click(
                args={"text": self.copied[name]},
                code="navigator.clipboard.writeText(text.value).catch(() => {});",
            )
            self.copy_buttons.append(button)
        self._set_code(view)
        self.gaussian = Text("rdp-gaussian", sizing_mode="stretch_width")
        self.last: tuple[compute.Point, compute.Sections] | None = None
        self.downloads = [
            pn.widgets.FileDownload(
                callback=lambda: self._download("png"),
                filename="rdp-explore.png",
                label="Figure (PNG)",
            ),
            pn.widgets.FileDownload(
                callback=lambda: self._download("svg"),
                filename="rdp-explore.svg",
                label="Figure (SVG)",
            ),
            pn.widgets.FileDownload(
                callback=lambda: self._download("csv"),
                filename="rdp-explore.csv",
                label="Data (CSV)",
            ),
        ]
        self.cancel.on_click(lambda _event: self.worker.cancel())
        self.widgets["pmf_file"].param.watch(self._load_pmf, "value")
        for name, widget in self.widgets.items():
            if name != "pmf_file":
                widget.param.watch(self._changed, "value")
        self._show_source_fields(view.source)
        self._show_point_fields()
        self.layout = self._layout()
        if post is None:
            doc = pn.state.curdoc
            post = (
                (lambda fn: doc.add_next_tick_callback(fn))
                if doc is not None
                else (lambda fn: fn())
            )
        self.worker = Worker(self, post)
        if start:
            self.start()

    def start(self) -> None:
        """Compute the first view (a served page calls this once it has loaded: the
        session's callbacks run in order only from then on)."""
        self.worker.submit(self.view())

    # ------------------------------------------------------------ widgets and layout
    @staticmethod
    def _widgets(view: View) -> dict[str, Any]:
        widgets = Explorer._new_widgets(view)
        for name, widget in widgets.items():
            widget.css_classes = [f"rdp-{name}"]  # for the browser test's locators
        return widgets

    @staticmethod
    def _new_widgets(view: View) -> dict[str, Any]:
        slider = partial(pn.widgets.EditableFloatSlider, format="0[.]0000")
        return {
            "source": pn.widgets.Select(label="Source", options=SOURCE_LABELS, value=view.source),
            "p": slider(
                label="p = P(X = 1)",
                start=0.0,
                end=0.5,
                step=0.005,
                value=view.p,
                fixed_start=0.0,
                fixed_end=1.0,
            ),
            "mean": pn.widgets.FloatInput(label="mean μ", value=view.mean, step=0.1),
            "variance": slider(
                label="variance σ²",
                start=0.05,
                end=4.0,
                step=0.05,
                value=view.variance,
                fixed_start=0.0,
            ),
            "covariance": pn.widgets.TextAreaInput(
                label="covariance Σ (rows split by ';')", value=view.covariance, height=70
            ),
            "pmf": pn.widgets.TextInput(label="pmf", value=view.pmf),
            "alphabet": pn.widgets.TextInput(
                label="alphabet (optional symbol values)", value=view.alphabet
            ),
            "pmf_file": pn.widgets.FileInput(accept=".csv,.txt", label="load pmf from CSV"),
            "law": pn.widgets.TextInput(label="scipy.stats law", value=view.law),
            "law_parameters": pn.widgets.TextInput(
                label="parameters (name=value, ...)", value=view.law_parameters
            ),
            "cells": pn.widgets.IntSlider(label="cells", start=2, end=128, value=view.cells),
            "distortion": pn.widgets.Select(
                label="Distortion", options=list(DISTORTIONS), value=view.distortion
            ),
            "perception": pn.widgets.Select(
                label="Perception", options=PERCEPTION_LABELS, value=view.perception
            ),
            "units": pn.widgets.RadioButtonGroup(
                label="units", options=["bits", "nats"], value=view.units
            ),
            "mode": pn.widgets.RadioButtonGroup(
                label="point", options=MODE_LABELS, value=view.mode
            ),
            "D": slider(
                label="distortion D",
                start=0.0,
                end=max(1.0, view.D),
                step=0.001,
                value=view.D,
                fixed_start=0.0,
            ),
            "P": slider(
                label="perception P",
                start=0.0,
                end=max(0.5, view.P),
                step=0.001,
                value=view.P,
                fixed_start=0.0,
            ),
            "R": slider(
                label="rate R",
                start=0.0,
                end=max(4.0, view.R),
                step=0.01,
                value=view.R,
                fixed_start=0.0,
            ),
        }

    def _layout(self) -> pn.viewable.Viewable:
        w = self.widgets
        controls = pn.Column(
            "## rdp explore",
            w["source"], w["p"], w["mean"], w["variance"], w["covariance"], w["pmf"], w["alphabet"],
            w["pmf_file"], w["law"], w["law_parameters"], w["cells"],
            w["distortion"], w["perception"], w["units"], w["mode"], w["D"], w["P"], w["R"],
            width=330,
        )  # fmt: skip
        busy = pn.Row(self.progress, self.cancel, self.status.pane)
        main = pn.Column(
            self.error, self.point.pane, busy, self.figure, self.gaussian.pane,
            pn.Row(*self.downloads, *self.copy_buttons), self.code.pane, *self.copied.values(),
            sizing_mode="stretch_width",
        )  # fmt: skip
        return pn.Row(controls, main, sizing_mode="stretch_width")

    def _show_source_fields(self, source: str) -> None:
        for names in SOURCE_FIELDS.values():
            for name in names:
                self.widgets[name].visible = name in SOURCE_FIELDS[source]

    def _show_point_fields(self) -> None:
        mode = self.widgets["mode"].value
        self.widgets["D"].visible = mode == "rate"
        self.widgets["R"].visible = mode == "distortion"
        self.widgets["P"].visible = self.widgets["perception"].value != "none"

    def view(self) -> View:
        """The view the widgets show."""
        values = {f.name: self.widgets[f.name].value for f in fields(View)}
        values["cells"] = int(values["cells"])
        for name in ("p", "mean", "variance", "D", "P", "R"):
            # a slider's steps add up to 0.08700000000000001: keep 12 significant digits
            values[name] = float(f"{float(values[name]):.12g}")
        return View(**values)

    # ------------------------------------------------------------ events
    def _changed(self, event: Any = None) -> None:
        if event is not None and event.obj is self.widgets["source"]:
            self._show_source_fields(event.new)
            self._default_distortion(event.new)
        self._show_point_fields()
        view = self.view()
        self.worker.submit(view)  # the number first, sent when this callback returns
        self.worker.post(lambda: self._set_code(view))

    def _set_code(self, view: View) -> None:
        self.code.object = code_html(view)
        try:
            self.copied["python"].value = python_code(view)
            self.copied["cli"].value = cli_command(view)
        except ValueError:
            for widget in self.copied.values():
                widget.value = ""

    def _default_distortion(self, source: str) -> None:
        wanted = "hamming" if source == "bernoulli" else "mse" if source != "discrete" else None
        if wanted is not None and self.widgets["distortion"].value != wanted:
            self.widgets["distortion"].value = wanted  # fires _changed once more

    def _load_pmf(self, event: Any) -> None:
        if not event.new:
            return
        try:
            pmf, alphabet = read_pmf_csv(event.new)
        except (ValueError, UnicodeDecodeError) as err:
            self.show_error(str(err))
            return
        self.widgets["alphabet"].value = alphabet
        self.widgets["pmf"].value = pmf

    def _download(self, kind: str) -> Any:
        import io

        if self.last is None:
            return io.BytesIO(b"")
        point, sections = self.last
        if kind == "csv":
            return io.StringIO(compute.sections_csv(point, sections))
        return io.BytesIO(render(draw_figure(point, sections), kind, DOWNLOAD_DPI))

    # ------------------------------------------------------------ what the worker shows
    def show_busy(self, text: str) -> None:
        """A long computation is under way: its progress bar and Cancel button."""
        self.status.object = text
        self.progress.value, self.progress.visible = -1, True
        self.cancel.visible = True

    def show_error(self, message: str) -> None:
        """Bad input (or a solver failure): one line, inline."""
        self.error.object = f"**Input error:** {html.escape(message)}"
        self.error.visible = True
        self.progress.visible = self.cancel.visible = False
        self.status.object = ""

    def show_point(self, view: View, point: compute.Point, seconds: float) -> None:
        """The point is known: show it in large type."""
        self.error.visible = False
        self.point.object = point_html(view, point, seconds)
        self.status.object = "drawing the figure…"

    def show_panels(self, frames: dict[str, live.PanelFrame]) -> None:
        """New data for the figure's ``frames`` panels, sent to the page as one message."""
        from panel.io.document import hold

        document = self.live.layout.document
        with hold(document) if document is not None else nullcontext():
            self.live.show(frames)

    def show_progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` figure steps are finished."""
        self.progress.value = int(100 * done / max(total, 1))
        self.progress.visible = self.cancel.visible = True
        self.status.object = f"figure: step {done} of {total}"

    def show_status(self, text: str) -> None:
        """The computation ended without a new figure."""
        self.status.object = text
        self.progress.visible = self.cancel.visible = False

    def show_figure(
        self,
        view: View,
        point: compute.Point,
        sections: compute.Sections,
        frames: dict[str, live.PanelFrame],
        seconds: float,
        final: bool = True,
    ) -> None:
        """The figure's new data (``final=False``: some panels are still being computed)."""
        self.last = (point, sections)
        self.show_panels(frames)
        self.gaussian.object = gaussian_html(point)
        if not final:
            self.status.object = f"figure in {seconds:.1f} s; the D–P section follows…"
            return
        self.progress.visible = self.cancel.visible = False
        shown = html.escape(json.dumps(asdict(view), ensure_ascii=False))
        self.status.object = (
            f'<span class="rdp-figure-time" data-view="{shown}">'
            f"figure in {1000 * seconds:.0f} ms</span>"
        )

    def set_ranges(self, problem: Any, view: View, grid: compute.Grids) -> None:
        """Fit the slider ranges to the problem (never below the current values)."""
        self.widgets["D"].end = max(float(grid.D[-1]), view.D)
        if grid.P.size:
            self.widgets["P"].end = max(float(grid.P[-1]), view.P)


def gaussian_html(point: compute.Point) -> str:
    """The optimal Gaussian channel's parameters as a table (empty for other channels)."""
    from rdp.channels import GaussianChannel, GaussianVectorChannel

    channel = point.channel
    parts = [channel] if isinstance(channel, GaussianChannel) else (
        list(channel.components) if isinstance(channel, GaussianVectorChannel) else []
    )  # fmt: skip
    if not parts:
        return ""
    rows = "".join(
        f"<tr><td>{k + 1}</td><td>{format_number(c.source_std)}</td>"
        f"<td>{format_number(c.reconstruction_std)}</td><td>{format_number(c.correlation)}</td>"
        f"<td>{format_number(c.mutual_information())}</td><td>{format_number(c.mse())}</td></tr>"
        for k, c in enumerate(parts)
    )
    return (
        "<b>Optimal Gaussian channel</b> X̂ = μ + σ̂ (ρ (X − μ)/σ + √(1 − ρ²) Z), Z ~ N(0, 1)"
        "<table id='rdp-gaussian-channel'><tr><th>component</th><th>σ</th><th>σ̂</th><th>ρ</th>"
        f"<th>I (bits)</th><th>E(X − X̂)²</th></tr>{rows}</table>"
    )


def create_app(view: View | None = None) -> pn.viewable.Viewable:
    """A new session's page (``pn.serve`` calls this once per browser tab)."""
    explorer = Explorer(view, start=False)
    pn.state.onload(explorer.start)
    pn.state.on_session_destroyed(lambda _context: explorer.worker.stop())
    return explorer.layout


def serve(
    *,
    port: int = 5006,
    show: bool = True,
    address: str = "127.0.0.1",
    view: View | None = None,
    threaded: bool = False,
) -> Any:
    """Start the explorer's server on ``address:port`` (``show``: open the browser).

    Blocks until interrupted, or with ``threaded=True`` returns the running server
    thread (its ``stop()`` ends it).
    """
    os.environ["BOKEH_RESOURCES"] = "server"  # JavaScript and CSS from this server, no CDN
    warnings.filterwarnings("ignore", category=UnconvergedWarning)  # the page marks them
    compute.warm_up()
    pn.extension(design=None, notifications=False)
    pn.config.inline = False
    return pn.serve(
        lambda: create_app(view),
        port=port,
        address=address,
        show=show,
        title="rdp explore",
        verbose=False,
        threaded=threaded,
    )
