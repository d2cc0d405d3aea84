"""HTML copies of executed notebooks (with code, for auditors), offline.

One exporter per process is reused. No resource is loaded from a CDN: MathJax,
require.js and mermaid are disabled, and any remaining external ``<script src>`` is
removed, so an archived copy opens the same years later without network.

nbconvert's ``HTMLExporter`` ends by parsing its own output with BeautifulSoup only to
add ``alt`` to images and ``tabindex="0"`` to cell wrappers — more than half of the
export time for a notebook full of tables. :class:`AuditHTMLExporter` makes the same two
additions on the template output directly.
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


_IMG_NO_ALT = re.compile(r"<img(?![^>]*\balt=)")
_FOCUSABLE = re.compile(
    r'(<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?")'
    r"(?![^>]*\btabindex=)"
)
NO_ALT = "No description has been provided for this image"


def _exporter_class() -> type:
    from nbconvert.exporters.html import (
        Highlight2HTML,
        HTMLExporter,
        TemplateExporter,
        WidgetsDataTypeFilter,
    )

    class AuditHTMLExporter(HTMLExporter):  # type: ignore[misc]
        """``HTMLExporter`` without the BeautifulSoup round trip (same additions)."""

        def from_notebook_node(
            self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return add_accessibility(html), resources

    return AuditHTMLExporter


def add_accessibility(html: str) -> str:
    """What nbconvert's HTMLExporter adds after rendering: image ``alt`` and ``tabindex``."""
    html = _IMG_NO_ALT.sub(f'<img alt="{NO_ALT}"', html)
    return _FOCUSABLE.sub(r'\1 tabindex="0"', html)


@lru_cache(maxsize=1)
def _exporter() -> Any:
    return configure(_exporter_class()(template_name="lab"))


def configure(exporter: Any) -> Any:
    """Set an nbconvert ``HTMLExporter`` up for offline audit copies (Chinese, images
    embedded, no CDN scripts) and return it."""
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
