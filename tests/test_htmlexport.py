"""Audit HTML copies: the same document nbconvert's HTMLExporter makes, offline."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evalkit import htmlexport

# a 1×1 PNG
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6b1a50000000049454e44ae426082"
    )
).decode()


def _notebook(tmp_path: Path) -> Path:
    cells = [
        new_markdown_cell("# 导入与校验\n\n说明文字 <b>加粗</b>"),
        new_code_cell(
            "df",
            execution_count=1,
            outputs=[
                new_output(
                    "execute_result",
                    data={
                        "text/plain": "   a\n0  1",
                        "text/html": '<table class="dataframe"><tr><td>宁县</td></tr></table>',
                    },
                    execution_count=1,
                )
            ],
        ),
        new_code_cell(
            "chart",
            execution_count=2,
            outputs=[
                new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                new_output(
                    "display_data",
                    data={"text/html": '<img src="x.png" alt="已有说明">'},
                ),
            ],
        ),
        new_code_cell(
            "print('中文')", execution_count=3, outputs=[new_output("stream", text="中文\n")]
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    path = tmp_path / "01_导入与校验.ipynb"
    nbformat.write(nb, path)
    return path


def _reference(path: Path) -> str:
    # nbconvert's own exporter, set up as evalkit sets up its subclass
    exporter = htmlexport.configure(HTMLExporter(template_name="lab"))
    nb = nbformat.read(path, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    return htmlexport.strip_external(body)


def test_same_document_as_nbconvert_html_exporter(tmp_path: Path) -> None:
    path = _notebook(tmp_path)
    ours = htmlexport.notebook_to_html(path)
    assert str(BeautifulSoup(ours, "html.parser")) == str(
        BeautifulSoup(_reference(path), "html.parser")
    )


def test_images_get_alt_text_and_cells_are_focusable(tmp_path: Path) -> None:
    soup = BeautifulSoup(htmlexport.notebook_to_html(_notebook(tmp_path)), "html.parser")
    imgs = soup.find_all("img")
    assert len(imgs) == 2 and all(img.get("alt") for img in imgs)
    assert any(img["alt"] == "已有说明" for img in imgs)  # an existing alt is kept
    for cls in ("jp-Cell-inputWrapper", "jp-OutputArea-output"):
        found = soup.select(f".jp-Notebook div.{cls}")
        assert found and all(el.get("tabindex") == "0" for el in found)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="a">', f'<img alt="{htmlexport.NO_ALT}" src="a">'),
        ('<img alt="x" src="a">', '<img alt="x" src="a">'),
        ('<div class="jp-Cell-inputWrapper">', '<div class="jp-Cell-inputWrapper" tabindex="0">'),
        (
            '<div class="a jp-OutputArea-output b" data-x="1">',
            '<div class="a jp-OutputArea-output b" tabindex="0" data-x="1">',
        ),
        ('<div class="jp-OutputArea-output-x">', '<div class="jp-OutputArea-output-x">'),
        (
            '<div class="jp-Cell-inputWrapper" tabindex="0">',
            '<div class="jp-Cell-inputWrapper" tabindex="0">',
        ),
    ],
)
def test_accessibility_additions(html: str, expected: str) -> None:
    assert htmlexport.add_accessibility(html) == expected


def test_no_external_resources(tmp_path: Path) -> None:
    html = htmlexport.notebook_to_html(_notebook(tmp_path))
    assert "cdn" not in html.lower() and 'src="http' not in html
