"""MkDocs hook: drop empty sections from the navigation.

mkdocs-gallery puts a gallery's top-level scripts in a section named after the
gallery; rdp's scripts all live in the gallery's sections (``examples/papers``,
``examples/recipes``), so that section is empty and would show in the sidebar
as a second "Gallery" entry with nothing under it.
"""

from __future__ import annotations

from mkdocs.structure.nav import Navigation, Section


def _prune(items: list) -> list:
    kept = []
    for item in items:
        if isinstance(item, Section):
            item.children = _prune(item.children)
            if not item.children:
                continue
        kept.append(item)
    return kept


def on_nav(nav: Navigation, config, files) -> Navigation:
    nav.items = _prune(nav.items)
    return nav
