"""The built documentation site, opened page by page in headless Chromium.

Every HTML page of the site is served from its folder on a loopback HTTP server
and loaded in the system's Chromium (Debian's ``chromium``, driven by Playwright;
requests that leave the loopback server are refused, so the site is checked as it
works offline). A page fails on

- an image that did not load (``naturalWidth`` 0);
- an internal link to a page, file or ``#anchor`` that does not exist;
- a JavaScript error (an uncaught exception or a console error, which includes
  resources that failed to load) or a request to another host;
- math left as TeX or not drawn: an arithmatex element MathJax did not typeset,
  typeset math with no glyph drawn (its CSS lost), a MathJax TeX error, a web font
  that failed to load (MathJax's glyphs), or ``$...$``, ``\\(``, ``\\[`` or a TeX
  command in the text outside code;
- a reStructuredText role, directive or citation in the text (``:class:``,
  ``.. math::``, ``.. [1]``);
- an object's default repr (``<... object at 0x...>``) or a warning
  (``UserWarning: ...``) anywhere on the page, a script's output included;
- content wider than the main column at 1280 px, except inside a box that scrolls
  on its own (code, tables, display math);
- a path of the machine that built the site (``/tmp/...``, ``site-packages``), in
  the prose or in a script's output;
- words about how the project is developed (sessions, issue numbers, developers,
  load averages, commit hashes) in the prose, outside a collapsed provenance block;
- a gallery or results page without a figure;
- a 3-D plot (``.rdp-surface3d``) that plotly did not draw into a WebGL canvas.

Three more checks follow the reader's clicks: every thumbnail of the home page's figure
grid leads to a gallery page that shows the same figure and links its data, and its CSV
links give CSV files that the gallery page links too, with the paper's figure named
(``check_thumbnails``); every old address of a moved page sends the browser on to an
existing page (``check_redirects``); and the 3-D surfaces hold the library's values
(``test_surfaces_hold_the_librarys_values``).

The site is ``$RDP_SITE_DIR`` (``make test`` builds it into ``build/site`` first and
runs this file after the build) or else ``build/site``. Screenshots of the home page,
a gallery page (else the first page with a figure) and the API page are saved
in ``build/``. ``test_checker_finds_broken_pages`` runs the same checker on a small
broken site made here, so it needs no site build.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RDP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)),
        reason=f"no Chromium at {CHROMIUM} (install Debian's: apt-get install chromium; "
        "or set RDP_CHROMIUM); .ci/run installs it",
    ),
]

ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|data|mod|obj|exc|const|math|ref|doc):|\.\. \w+::"
    r"|\.\. \[\d+\]|\[\d+\]_"
)
#: An object's default repr (a script's last expression printed) or a warning shown in a
#: script's output: a gallery page explains a warning in its text instead.
NOISE = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>|\b\w+Warning: ")
#: Paths of the machine that built the site (a script's output, a figure's stamp).
BUILD_PATH = re.compile(r"(?<![\w.])/(?:tmp|work|home|root)/\S+|site-packages")
#: Words about how the project is developed, which the docs never need.
DEV_WORDS = re.compile(
    r"\b(?:sessions?|developers?|helpers?|load averages?|work items?)\b"
    r"|\bissues? #?\d+|\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b",
    re.I,
)
#: Pages that show results: each must show at least one figure.
FIGURE_PAGES = re.compile(r"^(?:gallery/(?!index\.html).+|results/.+)\.html$")

RAW_TEX = re.compile(
    r"\$\$|\\\(|\\\)|\\\[|\\\]|\$[^\s$](?:[^$\n]*[^\s$])?\$"
    r"|\\(?:frac|tfrac|dfrac|sqrt|mathrm|mathbb|hat|sum|int|log|le|ge|sigma|begin|end)\b"
)

# Runs in the page once it has loaded and MathJax (when the page has it) has typeset.
PAGE_REPORT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
  await document.fonts.ready;  // MathJax's glyphs are web fonts: blank until loaded
  const boxes = [...document.querySelectorAll(".rdp-surface3d")];
  for (let i = 0; i < 50 && boxes.some((b) => !b.querySelector("canvas")); i++) {
    await new Promise((done) => setTimeout(done, 100));  // plotly draws after the load
  }
  const text = document.body.cloneNode(true);
  text.querySelectorAll(
    "code, pre, kbd, samp, script, style, noscript, textarea, svg, mjx-container, .arithmatex"
  ).forEach((el) => el.remove());
  const prose = text.cloneNode(true);  // without the collapsed provenance of a result
  prose.querySelectorAll("details").forEach((el) => el.remove());
  // The main column must hold its content: only code, tables and display math may be
  // wider, each inside a box that scrolls on its own.
  const column = document.querySelector(".md-content__inner") || document.body;
  // 8 px of slack: the padding of inline code that wraps at a line end may overhang.
  const right = column.getBoundingClientRect().right + 8;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const overflow = [];
  for (const el of column.querySelectorAll("*")) {
    if (el.closest("mjx-assistive-mml")) continue;  // MathJax's hidden copy for screen readers
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= right) continue;
    let inside = false;
    for (let up = el.parentElement; up && up !== column; up = up.parentElement) {
      if (scrolls(up) && up.getBoundingClientRect().right <= right) { inside = true; break; }
    }
    if (!inside) overflow.push(`${el.tagName.toLowerCase()}: ${
      (el.textContent || el.getAttribute("src") || "").trim().slice(0, 60)} (${
      Math.round(box.right - right)} px)`);
  }
  return {
    overflow: overflow.slice(0, 5),
    all_text: document.body.textContent,
    prose: prose.textContent,
    image_count: column.querySelectorAll("img").length,
    images: [...document.images]
      .filter((img) => !img.complete || img.naturalWidth === 0)
      .map((img) => img.getAttribute("src")),
    links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
    ids: [...document.querySelectorAll("[id]")].map((el) => el.id)
      .concat([...document.querySelectorAll("a[name]")].map((a) => a.name)),
    untypeset: [...document.querySelectorAll(".arithmatex")]
      .filter((el) => !el.querySelector("mjx-container"))
      .map((el) => el.textContent.trim().slice(0, 80)),
    blank_math: [...document.querySelectorAll("mjx-container")]
      .filter((box) => !box.querySelector("mjx-merror"))  // reported as a TeX error
      .filter((box) => ![...box.querySelectorAll("mjx-c")].some((c) => {
        const glyph = getComputedStyle(c, "::before").content;
        return glyph && !["none", "normal", '""'].includes(glyph);
      }))
      .map((box) => (box.closest(".arithmatex") || box).textContent.trim().slice(0, 80)),
    tex_errors: [...document.querySelectorAll("mjx-merror")]
      .map((el) => (el.getAttribute("data-mjx-error") || el.textContent).slice(0, 120)),
    text: text.textContent,
    fonts: [...document.fonts].filter((f) => f.status === "error").map((f) => f.family),
    surfaces: boxes
      .filter((box) => !(box._fullLayout && box.querySelector("canvas")
        && box.querySelector("svg.main-svg") && !/WebGL/.test(box.textContent)))
      .map((box) => box.id || "(no id)"),
  };
}"""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on an ephemeral loopback port; yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to it (``index.html`` first).

    Not ``404.html``: the host serves it at any depth, so its links are absolute
    under ``site_url`` and resolve only where the site is deployed.
    """
    pages = sorted(
        str(p.relative_to(site)).replace(os.sep, "/")
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in ("assets", "javascripts")
        and str(p.relative_to(site)) != "404.html"
        and not is_redirect(p)
    )
    return sorted(pages, key=lambda p: p != "index.html")


#: How a page written by ``tools/mkdocs_redirects.py`` (an old address) marks itself.
REDIRECT_MARKER = '<meta name="rdp-redirect"'


def is_redirect(page: Path) -> bool:
    """Whether ``page`` is an old address that sends the browser on (checked apart)."""
    return REDIRECT_MARKER in page.read_text(errors="replace")[:2000]


def _context_excerpt(text: str, match: re.Match) -> str:
    start, end = max(match.start() - 30, 0), match.end() + 30
    return " ".join(text[start:end].split())


def check_site(
    site: Path, browser, screenshots: dict[str, Path] | None = None
) -> list[tuple[str, str, str]]:
    """Open every page of ``site``; return its problems as ``(page, kind, detail)``.

    ``screenshots`` maps a page (relative path) to the PNG file to save of it.
    """
    problems: list[tuple[str, str, str]] = []
    pages = site_pages(site)
    links: list[tuple[str, str]] = []
    ids: dict[str, set[str]] = {}
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        events: list[tuple[str, str]] = []

        def route(route):
            if route.request.url.startswith(base) or route.request.url.startswith("data:"):
                route.continue_()
            else:
                events.append(("external request", route.request.url))
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda exc: events.append(("javascript error", str(exc))))
        page.on(
            "console",
            lambda msg: events.append(("console error", msg.text)) if msg.type == "error" else None,
        )
        # A load still running when the next page is opened ends as ERR_ABORTED: not a
        # fault (a missing file shows as an HTTP error status instead).
        page.on(
            "requestfailed",
            lambda req: (
                events.append(("failed request", f"{req.url} ({req.failure})"))
                if req.url.startswith(base) and "ERR_ABORTED" not in (req.failure or "")
                else None
            ),
        )
        page.on(
            "response",
            lambda resp: events.append(("missing file", resp.url)) if resp.status >= 400 else None,
        )
        for name in pages:
            events.clear()
            page.goto(base + name, wait_until="load")
            report = page.evaluate(PAGE_REPORT)
            page.wait_for_timeout(50)  # let late console messages arrive
            problems += [(name, kind, detail) for kind, detail in events]
            problems += [(name, "missing image", src) for src in report["images"]]
            problems += [(name, "math not typeset", tex) for tex in report["untypeset"]]
            problems += [(name, "TeX error", err) for err in report["tex_errors"]]
            problems += [(name, "math not drawn", tex) for tex in report["blank_math"]]
            problems += [(name, "font not loaded", family) for family in report["fonts"]]
            text = report["text"]
            problems += [
                (name, "raw TeX", _context_excerpt(text, m)) for m in RAW_TEX.finditer(text)
            ]
            problems += [
                (name, "reStructuredText markup", _context_excerpt(text, m))
                for m in ROLE.finditer(text)
            ]
            problems += [
                (name, "repr or warning in the output", _context_excerpt(report["all_text"], m))
                for m in NOISE.finditer(report["all_text"])
            ]
            problems += [(name, "horizontal overflow", item) for item in report["overflow"]]
            problems += [
                (name, "build path", _context_excerpt(report["all_text"], m))
                for m in BUILD_PATH.finditer(report["all_text"])
            ]
            problems += [
                (name, "development words", _context_excerpt(report["prose"], m))
                for m in DEV_WORDS.finditer(report["prose"])
            ]
            problems += [(name, "3-D plot not drawn", box) for box in report["surfaces"]]
            if FIGURE_PAGES.match(name) and report["image_count"] == 0:
                problems.append((name, "no figure", "a gallery or results page without an image"))
            ids[name] = set(report["ids"])
            links += [(name, href) for href in report["links"]]
            if screenshots and name in screenshots:
                screenshots[name].parent.mkdir(parents=True, exist_ok=True)
                page.evaluate("document.querySelector('article img')?.scrollIntoView()")
                page.screenshot(path=str(screenshots[name]))
        context.close()
    problems += broken_links(site, base, links, ids)
    return problems


def _target_page(site: Path, path: str) -> str | None:
    """The HTML page or file (relative to ``site``) that a URL path names, if it exists."""
    rel = unquote(path).lstrip("/")
    candidates = [rel + "index.html"] if rel.endswith("/") or not rel else [rel]
    if rel and not rel.endswith("/"):
        candidates.append(rel + "/index.html")
    for cand in candidates:
        if (site / cand).is_file():
            return cand
    return None


def broken_links(site: Path, base: str, links, ids) -> list[tuple[str, str, str]]:
    """Internal links whose page, file or anchor does not exist."""
    problems = []
    origin = urlsplit(base).netloc
    for page, href in links:
        url = urlsplit(href)
        if url.scheme not in ("http", "https") or url.netloc != origin:
            continue
        target = _target_page(site, url.path)
        if target is None:
            problems.append((page, "broken link", href))
        elif url.fragment and target.endswith(".html"):
            anchors = ids.get(target)
            if anchors is None:  # a page that was not visited (not expected)
                continue
            if unquote(url.fragment) not in anchors:
                problems.append((page, "broken anchor", href))
    return problems


#: The home page's figure grid, read in the browser: one entry per thumbnail.
THUMBNAILS = """() => [...document.querySelectorAll(".rdp-thumbs figure")].map((fig) => ({
  page: fig.querySelector("a.rdp-figure")?.href || "",
  image: fig.querySelector("img")?.getAttribute("src") || "",
  data: [...fig.querySelectorAll("a.rdp-data")].map((a) => a.href),
  reference: fig.querySelector(".rdp-paper-figure")?.textContent.trim() || "",
}))"""

#: What a thumbnail says it reproduces: a figure, theorem, section or equation.
PAPER_FIGURE = re.compile(r"\b(?:Figs?\.|Theorems?|Thm\.|Eq\.)|§")


def check_thumbnails(site: Path, browser) -> list[tuple[str, str, str]]:
    """Follow the home page's figure grid as a reader does; return its problems.

    Each thumbnail is clicked: it must open a gallery page that shows the same figure
    (loaded) and links the thumbnail's CSV files. Each CSV link must give a CSV file
    (a header and at least one row), and the thumbnail must name what it reproduces.
    """
    problems: list[tuple[str, str, str]] = []
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + "index.html", wait_until="load")
        thumbs = page.evaluate(THUMBNAILS)
        if not thumbs:
            problems.append(("index.html", "no figure grid", "no .rdp-thumbs figure"))
        for k, thumb in enumerate(thumbs):
            label = f"thumbnail {k + 1} ({Path(thumb['image']).name})"
            if not PAPER_FIGURE.search(thumb["reference"]):
                problems.append((label, "no paper figure", thumb["reference"] or "(none)"))
            if not thumb["data"]:
                problems.append((label, "no data link", "no CSV linked"))
            for url in thumb["data"]:
                response = page.request.get(url)
                rows = response.text().splitlines() if response.ok else []
                if not response.ok or not url.endswith(".csv"):
                    problems.append((label, "data link broken", url))
                elif len(rows) < 2 or len(rows[0].split(",")) < 2:
                    problems.append((label, "data not a CSV table", url))
            if k:
                page.goto(base + "index.html", wait_until="load")
            page.locator(".rdp-thumbs figure").nth(k).locator("a.rdp-figure").click()
            page.wait_for_load_state("load")
            opened = urlsplit(page.url).path
            if opened != urlsplit(thumb["page"]).path or _target_page(site, opened) is None:
                problems.append((label, "figure page broken", f"{thumb['page']} → {page.url}"))
                continue
            shown = page.evaluate(
                """(name) => [...document.images].filter((img) =>
                    img.getAttribute("src").split("/").pop() === name
                    && img.complete && img.naturalWidth > 0).length""",
                Path(thumb["image"]).name,
            )
            if not shown:
                problems.append((label, "figure not on its page", page.url))
            linked = set(page.evaluate("() => [...document.links].map((a) => a.href)"))
            for url in thumb["data"]:
                if url not in linked:
                    problems.append((label, "data not linked on the figure page", url))
        context.close()
    return problems


def check_redirects(site: Path, browser, old: list[str]) -> list[tuple[str, str, str]]:
    """Open each old address (``old``, relative); it must lead on to an existing page."""
    problems: list[tuple[str, str, str]] = []
    with serve(site) as base:
        context = browser.new_context()
        page = context.new_page()
        for address in old:
            stub = site / address / "index.html"
            if not stub.is_file() or not is_redirect(stub):
                problems.append((address, "no redirect", "no page sends the browser on"))
                continue
            page.goto(base + address, wait_until="load")
            try:
                page.wait_for_url(
                    lambda url, old="/" + address: urlsplit(url).path != old, timeout=5000
                )
                page.wait_for_load_state("load")
            except Exception:
                problems.append((address, "redirect did not happen", page.url))
                continue
            target = _target_page(site, urlsplit(page.url).path)
            if target is None or is_redirect(site / target):
                problems.append((address, "redirect to a missing page", page.url))
        context.close()
    return problems


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[docs]')"
    )
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def choose_screenshots(site: Path, out: Path) -> dict[str, Path]:
    """Home page, a gallery page (else the first page with a figure) and the API page."""
    pages = site_pages(site)
    gallery = [p for p in pages if "gallery" in p]
    examples = [p for p in gallery if not p.endswith("gallery/index.html")]
    figures = [
        p
        for p in pages
        if re.search(r"<img [^>]*src=\"[^\"]*\.(png|svg|jpg)", (site / p).read_text())
    ]
    api = [p for p in pages if p.startswith("api/")] or pages[:1]
    return {
        "index.html": out / "screenshot-home.png",
        (examples or gallery or figures or pages)[0]: out / "screenshot-gallery.png",
        api[0]: out / "screenshot-api.png",
    }


def test_every_page_of_the_built_site(browser):
    site = built_site()
    shots = choose_screenshots(site, ROOT / "build")
    problems = check_site(site, browser, shots)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(
        f"{page}: {kind}: {detail}" for page, kind, detail in problems
    )
    assert all(path.stat().st_size > 0 for path in shots.values())


def built_site() -> Path:
    site = Path(os.environ.get("RDP_SITE_DIR") or ROOT / "build" / "site")
    if not (site / "index.html").is_file():
        pytest.skip(f"no built site in {site}: run `make docs` (or set RDP_SITE_DIR)")
    return site


def _tool(name: str):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def test_home_page_thumbnails_lead_to_figure_and_data(browser):
    """Two clicks from the home page: each reproduced figure's page and its CSV."""
    site = built_site()
    problems = check_thumbnails(site, browser)
    assert not problems, "\n".join(f"{a}: {b}: {c}" for a, b, c in problems)


def test_moved_pages_redirect(browser):
    """Every old address the redirect hook lists sends the browser on (the old /figures/)."""
    site = built_site()
    old = list(_tool("mkdocs_redirects").REDIRECTS)
    assert "figures/" in old
    problems = check_redirects(site, browser, old)
    assert not problems, problems


def test_surfaces_hold_the_librarys_values(browser):
    """The 3-D plots' numbers, read from the page, are Problem.rate at those points."""
    site = built_site()
    surfaces = _tool("mkdocs_surfaces").SURFACES
    with serve(site) as base:
        page = browser.new_page()
        page.goto(base + "explore/", wait_until="load")
        found = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll(
                "script.rdp-surface3d-data")].map((s) => [s.dataset.for,
                JSON.parse(s.textContent).figure.data[0]]))"""
        )
        page.close()
    assert sorted(found) == sorted(f"surface-3d-{name}" for name in surfaces)
    rng = np.random.default_rng(0)
    for name, spec in surfaces.items():
        trace = found[f"surface-3d-{name}"]
        problem = spec.problem()
        z = np.array(trace["z"], dtype=float)  # None (infeasible) reads as nan
        assert z.shape == (len(trace["y"]), len(trace["x"])) and np.isfinite(z).mean() > 0.9
        rows, columns = rng.integers(0, z.shape[0], 12), rng.integers(0, z.shape[1], 12)
        for i, j in zip(rows, columns, strict=True):
            D, P = trace["x"][j], trace["y"][i]
            result = problem.rate(D, P)
            if np.isnan(z[i, j]):
                assert result.status == "infeasible", (name, D, P)
            else:
                # the page holds 6 significant digits of D, P and R
                assert z[i, j] == pytest.approx(result.rate, rel=1e-5, abs=1e-6), (name, D, P)


def _copy_mathjax(dest: Path) -> None:
    """MathJax laid out as ``tools/mkdocs_mathjax.py`` lays it out in the site."""
    mathjax = pytest.importorskip("mathjax", reason="needs django-static-mathjax (docs extra)")
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    fonts = "output/chtml/fonts/woff-v2"
    shutil.copytree(es5 / fonts, dest / fonts)
    shutil.copy(es5 / "tex-chtml-full.js", dest)


def _page(body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


def test_checker_finds_broken_pages(browser, tmp_path):
    """Twin of the site test: each small page below has one kind of fault, and one is clean."""
    site = tmp_path / "site"
    _copy_mathjax(site / "javascripts" / "mathjax")
    shutil.copy(ROOT / "docs" / "javascripts" / "mathjax-config.js", site / "javascripts")
    mathjax = (
        "<script src='/javascripts/mathjax-config.js'></script>"
        "<script src='/javascripts/mathjax/tex-chtml-full.js'></script>"
    )
    png = next((ROOT / "docs").rglob("*.png"))
    shutil.copy(png, site / "figure.png")
    plotly = pytest.importorskip("plotly", reason="needs plotly (docs extra)")
    shutil.copy(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", site)
    shutil.copy(ROOT / "docs" / "javascripts" / "surfaces3d.js", site)
    surface = (  # drawn by the site's loader from its JSON, as tools/mkdocs_surfaces.py does
        "<div class='rdp-surface3d' id='s1' style='height: 300px'></div>"
        "<script type='application/json' class='rdp-surface3d-data' data-for='s1'>"
        '{"figure": {"data": [{"type": "surface", "z": [[1, 2], [2, 3]]}], "layout": {}}}'
        "</script><script src='/plotly.min.js'></script><script src='/surfaces3d.js'></script>"
    )
    pages = {
        "index.html": _page(
            "<h1 id='top'>Clean</h1><p>Inline <span class='arithmatex'>\\(x^2\\)</span>,</p>"
            "<div class='arithmatex'>\\[\\frac{1}{2}\\log_2 \\frac{\\sigma^2}{D}\\]</div>"
            "<p><img src='figure.png'> <a href='#top'>top</a> <a href='clean/'>clean</a>"
            " <a href='figure.png'>png</a> <code>$x$ and :class:`X` in code are fine</code></p>"
            "<div style='overflow-x: auto'><pre style='width: 4000px'>a wide code line</pre></div>"
            "<details><summary>Provenance</summary>commit 0123abc4</details>" + surface,
            mathjax,
        ),
        # a 3-D plot whose library never loaded
        "surface/index.html": _page("<div class='rdp-surface3d' id='s2'></div>"),
        "clean/index.html": _page("<p><a href='../index.html#top'>home</a></p>", ""),
        "image/index.html": _page("<p><img src='missing.png'></p>"),
        "links/index.html": _page(
            "<p><a href='../nowhere/'>a</a> <a href='#nowhere'>b</a>"
            " <a href='../index.html#nowhere'>c</a></p>"
        ),
        "js/index.html": _page("<script>undefinedFunction();</script>"),
        "external/index.html": _page(
            "<script src='https://cdn.example.invalid/mathjax.js'></script>"
        ),
        "tex/index.html": _page(
            "<p>Rate <span class='arithmatex'>\\(R(D)\\)</span> and $D \\le P$.</p>"
        ),
        "texerror/index.html": _page(
            "<p><span class='arithmatex'>\\(\\frac{1}\\)</span></p>", mathjax
        ),
        # What Material's recipe for instant navigation does on a plain page load:
        # clearing MathJax's output cache after the first typeset leaves blank math.
        "blank/index.html": _page(
            "<p><span class='arithmatex'>\\(x^2\\)</span></p><script>window.addEventListener("
            "'load', () => MathJax.startup.promise.then(() => {"
            " MathJax.startup.output.clearCache(); MathJax.typesetClear();"
            " return MathJax.typesetPromise(); }));</script>",
            mathjax,
        ),
        "overflow/index.html": _page(
            "<p style='width: 3000px'>a paragraph wider than the page</p>"
        ),
        "paths/index.html": _page("<pre>Warning in /tmp/build/examples/plot_x.py line 3</pre>"),
        "noise/index.html": _page(
            "<pre>&lt;matplotlib.legend.Legend object at 0x7f196c8c2910&gt;\n"
            "plot_x.py:3: UnconvergedWarning: status bounds</pre>"
        ),
        "words/index.html": _page("<p>As the session found at commit 9ab12cd, issue 11.</p>"),
        "results/empty.html": _page("<p>A results page without its figure.</p>"),
        "role/index.html": _page(
            "<p>See :class:<code>~rdp.Problem</code>.</p><p>.. math:: R(D)</p>"
            "<p>.. [1] Y. Blau and T. Michaeli, ICML 2019.</p>"
        ),
    }
    for name, html in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(html)

    problems = check_site(site, browser, {"index.html": tmp_path / "shot.png"})
    found = {(page, kind) for page, kind, _ in problems}
    expected = {
        ("image/index.html", "missing image"),
        ("image/index.html", "missing file"),
        ("image/index.html", "console error"),
        ("links/index.html", "broken link"),
        ("links/index.html", "broken anchor"),
        ("js/index.html", "javascript error"),
        ("external/index.html", "external request"),
        ("external/index.html", "console error"),
        ("tex/index.html", "math not typeset"),
        ("tex/index.html", "raw TeX"),
        ("texerror/index.html", "TeX error"),
        ("blank/index.html", "math not drawn"),
        ("role/index.html", "reStructuredText markup"),
        ("overflow/index.html", "horizontal overflow"),
        ("paths/index.html", "build path"),
        ("noise/index.html", "repr or warning in the output"),
        ("words/index.html", "development words"),
        ("results/empty.html", "no figure"),
        ("surface/index.html", "3-D plot not drawn"),
    }
    assert found == expected, problems
    links = [d for p, k, d in problems if k in ("broken link", "broken anchor")]
    assert sorted(urlsplit(x).path + "#" + urlsplit(x).fragment for x in links) == [
        "/index.html#nowhere",
        "/links/index.html#nowhere",
        "/nowhere/#",
    ]
    roles = [d for p, k, d in problems if k == "reStructuredText markup"]
    assert len(roles) == 3
    noise = [d for p, k, d in problems if k == "repr or warning in the output"]
    assert len(noise) == 2
    assert (tmp_path / "shot.png").stat().st_size > 0


def test_thumbnail_checker_finds_broken_grids(browser, tmp_path):
    """Twin of the thumbnail test: one good thumbnail, three with one fault each."""
    site = tmp_path / "site"
    for folder in ("good", "other"):
        (site / folder).mkdir(parents=True)
    png = next((ROOT / "docs").rglob("*.png"))
    shutil.copy(png, site / "good" / "figure.png")
    (site / "good" / "data.csv").write_text("D,R\n0.1,0.5\n")
    (site / "good" / "index.html").write_text(
        _page("<img src='figure.png'> <a href='data.csv'>data.csv</a>")
    )
    (site / "other" / "index.html").write_text(_page("<p>A page without the figure.</p>"))

    def thumb(page: str, data: str, reference: str) -> str:
        return (
            f"<figure><a class='rdp-figure' href='{page}'><img src='good/figure.png'></a>"
            f"<figcaption><span class='rdp-paper-figure'>{reference}</span> "
            f"<a class='rdp-data' href='{data}'>CSV</a></figcaption></figure>"
        )

    (site / "index.html").write_text(
        _page(
            "<div class='rdp-thumbs'>"
            + thumb("good/", "good/data.csv", "Blau & Michaeli 2019, Fig. 3")
            + thumb("missing/", "good/data.csv", "Fig. 2")
            + thumb("good/", "good/nothing.csv", "a figure")
            + thumb("other/", "good/data.csv", "Theorem 2")
            + "</div>"
        )
    )
    found = {(where.split(" (")[0], kind) for where, kind, _ in check_thumbnails(site, browser)}
    assert found == {
        ("thumbnail 2", "figure page broken"),
        ("thumbnail 3", "data link broken"),
        ("thumbnail 3", "no paper figure"),
        ("thumbnail 3", "data not linked on the figure page"),
        ("thumbnail 4", "figure not on its page"),
        ("thumbnail 4", "data not linked on the figure page"),
    }


def test_redirect_checker_finds_broken_redirects(browser, tmp_path):
    """Twin of the redirect test: a good old address, one to nowhere, one not written."""
    redirects = _tool("mkdocs_redirects")
    site = tmp_path / "site"
    (site / "gallery").mkdir(parents=True)
    (site / "gallery" / "index.html").write_text(_page("<h1>Gallery</h1>"))
    for old, new in (("figures/", "gallery/"), ("old/", "nowhere/")):
        (site / old).mkdir()
        (site / old / "index.html").write_text(redirects.redirect_page(old, new))
    assert site_pages(site) == ["gallery/index.html"]  # old addresses are not pages
    problems = check_redirects(site, browser, ["figures/", "old/", "none/"])
    assert {(where, kind) for where, kind, _ in problems} == {
        ("old/", "redirect to a missing page"),
        ("none/", "no redirect"),
    }
