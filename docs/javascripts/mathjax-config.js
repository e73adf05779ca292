// MathJax 3 settings for pymdownx.arithmatex (generic mode): typeset only the
// elements arithmatex marks, which hold \( ... \) and \[ ... \]. The MathJax
// script itself is served from the site (tools/mkdocs_mathjax.py), not a CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};
