"""mkdocs hook: serve MathJax from the site itself, so the math renders offline.

The renderer comes from PyPI (``django-static-mathjax``, a copy of MathJax 3.2.2
with no dependencies, in the ``docs`` extra). Its single-file TeX → CommonHTML
build (every TeX extension included, so nothing is loaded on demand), the web
fonts that build asks for and MathJax's license are added to the site as
``javascripts/mathjax/...``; ``mkdocs.yml`` loads them after
``javascripts/mathjax-config.js``. No network at build time or in the browser.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

DEST = "javascripts/mathjax"
SCRIPT = "tex-chtml-full.js"
FONTS = "output/chtml/fonts/woff-v2"


def mathjax_dir() -> Path:
    """The MathJax distribution installed by ``django-static-mathjax``."""
    try:
        import mathjax
    except ImportError as exc:
        raise PluginError(
            "MathJax is bundled from the 'django-static-mathjax' package: pip install -e '.[docs]'"
        ) from exc
    return Path(mathjax.__file__).parent / "static" / "mathjax"


def on_files(files: Files, config) -> Files:
    root = mathjax_dir()
    es5 = root / "es5"
    sources = {f"{DEST}/{SCRIPT}": es5 / SCRIPT, f"{DEST}/LICENSE": root / "LICENSE"}
    for font in sorted((es5 / FONTS).glob("*.woff")):
        sources[f"{DEST}/{FONTS}/{font.name}"] = font
    for uri, path in sources.items():
        if not path.is_file():
            raise PluginError(f"MathJax file missing from the installed package: {path}")
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
