"""mkdocs hook: numbers quoted in the prose are read from the committed results.

A page writes ``{{ EXPRESSION }}`` or ``{{ EXPRESSION :FORMAT }}`` where it quotes a
number of a committed result (``docs/**/*.json``, ``*.csv``); the build replaces it
with the value, so the text and the data cannot disagree. ``EXPRESSION`` is a Python
expression over the functions below (paths relative to ``docs/``) and the names a
page declares in its front matter under ``data:`` (``yan: neural/yan/results.csv``);
``FORMAT`` is a format spec (``.3f``, ``.2%``; numbers default to ``.4g``)::

    MSE(G2)/MSE(G1) = {{ csv(yan, "ratio", bits=2) :.2f }}
    {{ table(yan, ["bits|bits|g", "ratio±|MSE(G2)/MSE(G1)|.2f"]) }}

An expression that fails (a missing file, column or row, two rows where one is
meant) stops the build with the page and the expression named.
"""

from __future__ import annotations

import csv as _csv
import html
import json as _json
import math
import posixpath
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

PLACEHOLDER = re.compile(r"\{\{\s*(.+?)\s*\}\}", re.S)
#: ``{{ expression :spec }}``: the spec is the text after the last " :".
SPEC = re.compile(r"^(.*\S)\s+:([^\s:]*)$", re.S)


class DataError(ValueError):
    """A placeholder that names data that is not there."""


@cache
def _read_csv(path: Path) -> tuple[dict[str, str], ...]:
    with open(path, newline="") as handle:
        return tuple(_csv.DictReader(handle))


@cache
def _read_json(path: Path) -> Any:
    return _json.loads(path.read_text())


def _number(text: str) -> Any:
    """A CSV cell as a number when it is one (``True``/``False`` stay text)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _equal(cell: str, wanted: Any) -> bool:
    if isinstance(wanted, (tuple, list)):  # any of these values
        return any(_equal(cell, w) for w in wanted)
    value = _number(cell)
    if isinstance(wanted, (int, float)) and isinstance(value, (int, float)):
        return math.isclose(value, wanted, rel_tol=1e-9, abs_tol=1e-12)
    return str(value) == str(wanted)


def fmt(value: Any, spec: str = ".4g") -> str:
    """``value`` formatted with ``spec``; a minus sign is U+2212 as in the prose."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format(value, spec).replace("-", "−")


class Data:
    """The functions a placeholder may call, reading files under ``root``."""

    def __init__(self, root: Path, page_dir: str = ""):
        self.root = Path(root)
        self.page_dir = page_dir  # the page's folder under root: links are made relative to it

    def _path(self, path: str) -> Path:
        full = (self.root / path).resolve()
        if not full.is_file():
            raise DataError(f"no file {path} under {self.root.name}/")
        return full

    def rows(self, path: str, **where: Any) -> list[dict[str, str]]:
        """The rows of the CSV ``path`` whose columns equal ``where``."""
        rows = _read_csv(self._path(path))
        for column in where:
            if rows and column not in rows[0]:
                raise DataError(f"{path} has no column {column!r}")
        return [r for r in rows if all(_equal(r[c], v) for c, v in where.items())]

    def values(self, path: str, column: str, **where: Any) -> list[Any]:
        """Every value of ``column`` over the matching rows, in file order."""
        rows = self.rows(path, **where)
        if not rows:
            raise DataError(f"{path}: no row with {where}")
        if column not in rows[0]:
            raise DataError(f"{path} has no column {column!r}")
        return [_number(r[column]) for r in rows]

    def csv(self, path: str, column: str, **where: Any) -> Any:
        """The one value of ``column`` in the row of ``path`` matching ``where``."""
        values = self.values(path, column, **where)
        if len(values) != 1:
            raise DataError(f"{path}: {len(values)} rows with {where}, expected one")
        return values[0]

    def low(self, path: str, column: str, **where: Any) -> Any:
        return min(self.values(path, column, **where))

    def high(self, path: str, column: str, **where: Any) -> Any:
        return max(self.values(path, column, **where))

    def span(self, path: str, column: str, spec: str = ".3g", **where: Any) -> str:
        """``min–max`` of ``column`` over the matching rows."""
        values = self.values(path, column, **where)
        low, high = fmt(min(values), spec), fmt(max(values), spec)
        return low if low == high else f"{low}–{high}"

    def distinct(self, path: str, column: str, **where: Any) -> list[Any]:
        """The distinct values of ``column`` over the matching rows, in file order."""
        return list(dict.fromkeys(self.values(path, column, **where)))

    def count(self, path: str, **where: Any) -> int:
        return len(self.rows(path, **where))

    def power_fit(self, path: str, x: str, y: str, **where: Any) -> float:
        """The exponent b of ``y ≈ a·x^b``: least squares of log y on log x over the
        matching rows (a ``where`` value that is a tuple matches any of its values); at
        least three distinct x are needed."""
        xs, ys = self.values(path, x, **where), self.values(path, y, **where)
        pairs = [
            (float(a), float(b))
            for a, b in zip(xs, ys, strict=True)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > 0 and b > 0
        ]
        if len({a for a, _ in pairs}) < 3:
            raise DataError(f"{path}: fewer than 3 sizes to fit {y} against {x} with {where}")
        lx = [math.log(a) for a, _ in pairs]
        ly = [math.log(b) for _, b in pairs]
        mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
        sxx = sum((u - mx) ** 2 for u in lx)
        return sum((u - mx) * (v - my) for u, v in zip(lx, ly, strict=True)) / sxx

    def json(self, path: str, key: str = "") -> Any:
        """The value at the dotted ``key`` (list indices as numbers) of the JSON file."""
        value = _read_json(self._path(path))
        for part in filter(None, key.split(".")):
            try:
                value = value[int(part)] if isinstance(value, list) else value[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise DataError(f"{path} has no {key!r} (failed at {part!r})") from None
        return value

    def table(
        self,
        path: str,
        columns: Sequence[str],
        where: dict[str, Any] | None = None,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> str:
        """A markdown table of the CSV ``path``.

        Each column is ``"name|header|spec"`` (header and spec optional); a name
        ending in ``±`` prints ``name ± name_std``.
        """
        rows = self.rows(path, **(where or {}))
        if keep is not None:
            rows = [r for r in rows if keep({k: _number(v) for k, v in r.items()})]
        if not rows:
            raise DataError(f"{path}: no row to tabulate")
        specs = []
        for column in columns:
            name, header, spec = ([*column.split("|"), "", ""])[:3]
            pm = name.endswith("±")
            name = name.rstrip("±")
            for needed in [name] + ([name + "_std"] if pm else []):
                if needed not in rows[0]:
                    raise DataError(f"{path} has no column {needed!r}")
            specs.append((name, header or name, spec or ".4g", pm))
        lines = [
            "| " + " | ".join(h for _, h, _, _ in specs) + " |",
            "|" + "---|" * len(specs),
        ]
        for row in rows:
            cells = []
            for name, _, spec, pm in specs:
                cell = fmt(_number(row[name]), spec)
                if pm:
                    cell += " ± " + fmt(_number(row[name + "_std"]), ".2g")
                cells.append(cell)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def provenance(self, path: str, key: str = "provenance") -> str:
        """A collapsed block with the run's commit, date, machine and command."""
        prov = self.json(path, key)
        machine = prov.get("machine", "")
        if isinstance(machine, dict):
            machine = (
                f"{machine.get('processor', '')}, {machine.get('cpu_count', '?')} CPUs, "
                f"{machine.get('system', '')}"
            )
        command = tidy_command(prov.get("command", ""))
        items = [
            ("Commit", f"`{prov['commit']}`" if prov.get("commit") else ""),
            ("Date (UTC)", prov.get("date_utc") or prov.get("date", "")),
            ("Machine", machine),
            ("Command", f"`{command}`" if command else ""),
            ("Data", f"[{Path(path).name}]({posixpath.relpath(path, self.page_dir or '.')})"),
        ]
        body = "\n".join(f"    - **{k}**: {v}" for k, v in items if v)
        return f'??? note "Provenance"\n\n{body}\n'


def tidy_command(command: str) -> str:
    """A recorded command with its temporary folders reduced to their last name."""
    words = command.split()
    if words == ["rdp"]:  # recorded without its arguments: says nothing
        return ""
    if words and words[0].endswith("main.py"):  # run as a script from a checkout
        words[0] = "rdp"
    return " ".join(re.sub(r"^/(?:tmp|work|home|root)/\S*?([^/]+/?)$", r"\1", w) for w in words)


def span_of(values: Any, spec: str = ".3g") -> str:
    """``min–max`` of numbers computed in the placeholder."""
    values = list(values)
    low, high = fmt(min(values), spec), fmt(max(values), spec)
    return low if low == high else f"{low}–{high}"


def render(
    markdown: str, root: Path, names: dict[str, Any] | None = None, page_dir: str = ""
) -> str:
    """``markdown`` with every placeholder replaced by its value."""
    data = Data(root, page_dir)
    namespace: dict[str, Any] = {
        name: getattr(data, name)
        for name in (
            "csv",
            "values",
            "low",
            "high",
            "span",
            "distinct",
            "count",
            "power_fit",
            "json",
            "table",
            "provenance",
        )
    }
    namespace["figure_grid"] = lambda: figure_grid(Path(root), page_dir)
    builtins = (abs, min, max, zip, sorted, set, round, len, sum)
    namespace.update({f.__name__: f for f in builtins}, span_of=span_of, fmt=fmt)
    namespace.update(names or {})

    def replace(match: re.Match) -> str:
        text = match.group(1)
        spec_match = SPEC.match(text)
        expression, spec = spec_match.groups() if spec_match else (text, ".4g")
        try:
            value = eval(expression, {"__builtins__": {}, **namespace})
        except Exception as exc:
            raise DataError(f"{{{{ {text} }}}}: {exc}") from exc
        return value if isinstance(value, str) else fmt(value, spec)

    return PLACEHOLDER.sub(replace, markdown)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri.startswith("gallery/"):
        return markdown
    names = page.meta.get("data") or {}
    try:
        return render(
            markdown, Path(config["docs_dir"]), names, posixpath.dirname(page.file.src_uri)
        )
    except DataError as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}") from exc


#: The gallery pages that draw the figures of ``rdp reproduce``, each with the test
#: that picks its specs, in the order the page draws them (image k is spec k).
GALLERY_FIGURES: list[tuple[str, Callable[[Any], bool]]] = [
    ("papers/plot_blau_michaeli_bernoulli", lambda s: s.id.startswith("bernoulli-tv-")),
    ("papers/plot_blau_michaeli_gaussian", lambda s: s.id.startswith("gaussian-")),
    ("papers/plot_yan_perfect_perception", lambda s: s.id == "yan-perfect-perception"),
    (
        "papers/plot_freirich_distortion_perception",
        lambda s: s.id == "freirich-distortion-perception",
    ),
    ("papers/plot_finite_families", lambda s: s.group == "discrete"),
    ("papers/plot_neural_results", lambda s: s.id.startswith("neural-")),
    ("papers/plot_learned_codec", lambda s: s.id.startswith("codec-")),
]


def reproduced_figures(root: Path) -> list[dict[str, Any]]:
    """Every figure of ``rdp reproduce`` with its gallery page, thumbnail and data.

    The figures of the committed neural and codec runs included. ``data`` lists the
    CSV files the gallery wrote beside the figure's image (``docs/gallery_conf.py``),
    named as ``rdp reproduce`` names them. Fails when a gallery page draws another
    number of figures than it is listed with here, or a figure has no data file.
    """
    import os

    from rdp.reproduce import all_figures

    saved = {k: os.environ.get(k) for k in ("RDP_NEURAL_RESULTS", "RDP_CODEC_RESULTS")}
    os.environ["RDP_NEURAL_RESULTS"] = str(root / "neural")
    os.environ["RDP_CODEC_RESULTS"] = str(root / "codec")
    try:
        specs = all_figures()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    figures, placed = [], set()
    for page, chosen in GALLERY_FIGURES:
        drawn = [s for s in specs if chosen(s)]
        folder, name = posixpath.split(page)
        images = sorted(
            (root / "gallery" / folder / "images").glob(f"mkd_glr_{name}_[0-9][0-9][0-9].png")
        )
        if len(images) != len(drawn):
            raise DataError(
                f"gallery/{page} drew {len(images)} figures, {len(drawn)} expected "
                f"({', '.join(s.id for s in drawn)})"
            )
        for spec, image in zip(drawn, images, strict=True):
            placed.add(spec.id)
            data = sorted(
                [*image.parent.glob(f"{image.stem}.csv"), *image.parent.glob(f"{image.stem}-*.csv")]
            )
            if not data:
                raise DataError(
                    f"gallery/{page}: no data file beside {image.name} ({spec.id}); the gallery "
                    "writes them when it runs the script (delete docs/gallery/ to rerun it)"
                )
            figures.append(
                {
                    "id": spec.id,
                    "title": spec.title,
                    "paper": spec.paper,
                    "paper_figure": spec.paper_figure,
                    "page": f"gallery/{page}.md",
                    "image": f"gallery/{folder}/images/{image.name}",
                    "data": [
                        (
                            f"gallery/{folder}/images/{path.name}",
                            spec.id + path.name.removeprefix(image.stem),
                        )
                        for path in data
                    ],
                }
            )
    missing = [s.id for s in specs if s.id not in placed]
    if missing:
        raise DataError(f"figures in no gallery page: {', '.join(missing)}")
    return figures


def short_paper(paper: str) -> str:
    """``'Blau & Michaeli 2019'``, ``'Yan et al. 2021'``: a figure spec's paper, cited short.

    The authors are the comma-separated names that open ``paper`` (initials allowed);
    the year is its first four-digit year.
    """
    text = re.sub(r"^Beyond the papers: the views of ", "", paper)
    year = re.search(r"\b(?:19|20)\d\d\b", text)
    chunks = [chunk.strip() for chunk in text.split(",")]
    names = re.split(r" and | & ", chunks[0])
    for chunk in chunks[1:]:
        parts = re.split(r" and | & ", chunk)
        if not all(re.fullmatch(r"(?:[A-Z]\. ?)*[A-Z][\w'’-]+", part.strip()) for part in parts):
            break
        names += parts
    surnames = [name.split()[-1] for name in names]
    if len(surnames) == 2:
        who = " & ".join(surnames)
    else:
        who = surnames[0] + (" et al." if len(surnames) > 2 else "")
    return who + (f" {year.group(0)}" if year else "")


def figure_reference(paper: str, paper_figure: str) -> str:
    """What a figure reproduces, short: the paper and its figure (or theorem)."""
    if paper.startswith("Beyond the papers"):
        view = paper_figure.removeprefix("new example: ")
        return f"New example, in the views of {short_paper(paper)}, Fig. 3: {view}"
    return f"{short_paper(paper)}, {paper_figure}"


def figure_grid(root: Path, page_dir: str) -> str:
    """The landing page's grid: thumbnail, title, paper figure, gallery page, CSV data.

    Each cell links its gallery page (thumbnail and title) and every CSV file of its
    data (saved under ``rdp reproduce``'s name, ``<ID>.csv`` or ``<ID>-<table>.csv``).
    """

    def link(path: str) -> str:
        return posixpath.relpath(path, page_dir or ".")

    cells = []
    for fig in reproduced_figures(root):
        data = ", ".join(
            f'<a class="rdp-data" href="{link(path)}" download="{name}">{name}</a>'
            for path, name in fig["data"]
        )
        page = link(fig["page"]).removesuffix(".md") + "/"
        cells.append(
            f'<figure markdown="span"><a class="rdp-figure" href="{page}"><img '
            f'src="{link(fig["image"])}" alt="{fig["title"]}" loading="lazy"></a><figcaption>'
            f'<a href="{page}"><b>{fig["title"]}</b></a><br><span class="rdp-paper-figure" '
            f'title="{html.escape(fig["paper"])}">'
            f"{html.escape(figure_reference(fig['paper'], fig['paper_figure']))}</span><br>"
            f"Data (CSV): {data}</figcaption></figure>"
        )
    return '<div class="rdp-thumbs" markdown>\n' + "\n".join(cells) + "\n</div>"
