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
- a gallery or results page without a figure.

The site is ``$RDP_SITE_DIR`` (``make test`` builds it into ``build/site`` first and
runs this file after the build) or else ``build/site``. Screenshots of the home page,
a gallery page (else the first page with a figure) and the API page are saved
in ``build/``. ``test_checker_finds_broken_pages`` runs the same checker on a small
broken site made here, so it needs no site build.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
    )
    return sorted(pages, key=lambda p: p != "index.html")


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
    site = Path(os.environ.get("RDP_SITE_DIR") or ROOT / "build" / "site")
    if not (site / "index.html").is_file():
        pytest.skip(f"no built site in {site}: run `make docs` (or set RDP_SITE_DIR)")
    shots = choose_screenshots(site, ROOT / "build")
    problems = check_site(site, browser, shots)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(
        f"{page}: {kind}: {detail}" for page, kind, detail in problems
    )
    assert all(path.stat().st_size > 0 for path in shots.values())


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
    pages = {
        "index.html": _page(
            "<h1 id='top'>Clean</h1><p>Inline <span class='arithmatex'>\\(x^2\\)</span>,</p>"
            "<div class='arithmatex'>\\[\\frac{1}{2}\\log_2 \\frac{\\sigma^2}{D}\\]</div>"
            "<p><img src='figure.png'> <a href='#top'>top</a> <a href='clean/'>clean</a>"
            " <a href='figure.png'>png</a> <code>$x$ and :class:`X` in code are fine</code></p>"
            "<div style='overflow-x: auto'><pre style='width: 4000px'>a wide code line</pre></div>"
            "<details><summary>Provenance</summary>commit 0123abc4</details>",
            mathjax,
        ),
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
