"""mkdocs hook: addresses of pages that moved keep working.

For each old address in ``REDIRECTS`` the build writes a small page there that sends
the browser on to the new one (an HTTP-equiv refresh, with a script that keeps the
``#anchor`` and a plain link for browsers that run neither), and tells search engines
where the page now lives (``rel="canonical"``). A redirect to a page the site does not
have stops the build.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path

from mkdocs.exceptions import PluginError

#: Old address → new address, both relative to the site root and ending in "/".
REDIRECTS = {
    "figures/": "gallery/",  # the figures page, merged into the gallery
}

#: Marks a page written here (the site's browser test follows it instead of checking it).
MARKER = '<meta name="rdp-redirect" content="moved">'


def redirect_page(old: str, new: str, site_url: str = "") -> str:
    """The HTML written at ``old`` that sends the browser on to ``new``."""
    target = posixpath.relpath(new, old) + "/"
    canonical = (site_url.rstrip("/") + "/" + new) if site_url else target
    target, canonical = html.escape(target), html.escape(canonical)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>Moved</title>\n{MARKER}\n"
        f'<link rel="canonical" href="{canonical}">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<script>location.replace("{target}" + location.hash);</script>\n'
        f'</head><body><p>This page has moved to <a href="{target}">{target}</a>.</p>'
        "</body></html>\n"
    )


def on_post_build(config) -> None:
    site = Path(config["site_dir"])
    for old, new in REDIRECTS.items():
        if not (site / new / "index.html").is_file():
            raise PluginError(f"redirect {old} → {new}: the site has no page at {new}")
        if (site / old / "index.html").exists():
            raise PluginError(f"redirect {old} → {new}: a page exists at {old}")
        (site / old).mkdir(parents=True, exist_ok=True)
        (site / old / "index.html").write_text(
            redirect_page(old, new, config.get("site_url") or "")
        )
