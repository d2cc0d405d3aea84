"""HTML copies of executed notebooks (with code, for auditors), offline.

One exporter per process is reused. No resource is loaded from a CDN: MathJax,
require.js and mermaid are disabled, and any remaining external ``<script src>`` is
removed, so an archived copy opens the same years later without network.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

_EXTERNAL_SCRIPT = re.compile(
    r"<script[^>]+src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.IGNORECASE
)
_EXTERNAL_LINK = re.compile(r"<link[^>]+href=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)


@lru_cache(maxsize=1)
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.language_code = "zh"
    exporter.embed_images = True
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    for name in (
        "mermaid_js_url",
        "mermaid_layout_elk_js_url",
        "jquery_url",
        "widget_renderer_url",
    ):
        if exporter.has_trait(name):
            setattr(exporter, name, "")
    return exporter


def notebook_to_html(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    return strip_external(body)


def strip_external(html: str) -> str:
    html = _EXTERNAL_SCRIPT.sub("", html)
    return _EXTERNAL_LINK.sub("", html)
