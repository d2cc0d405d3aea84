"""The charts of the stage notebooks and the report (evalkit.charts)."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from evalkit import charts

_PROJECTS = pd.DataFrame(
    {"name": ["项目甲", "项目乙"], "final_budget": [100000.0, 50000.0], "executed": [90000.0, 0.0]}
)
_TOTALS = pd.DataFrame(
    {
        "subject": ["部门整体", "项目甲"],
        "published_total": [91.4, 87.4],
        "recomputed_total": [91.4, 86.0],
    }
)
_FINDINGS = pd.DataFrame({"severity": ["error", "warning"], "dimension": ["完整性", "相关性"]})
_PROGRESS = pd.DataFrame({"对象": ["项目甲", "项目乙"], "进度比": [0.5, 0.9]})

CHARTS = {
    "execution": lambda: charts.execution_chart(_PROJECTS),
    "totals": lambda: charts.totals_chart(_TOTALS),
    "findings": lambda: charts.findings_chart(_FINDINGS),
    "progress": lambda: charts.progress_chart(_PROGRESS, label="对象", ratio="进度比"),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_a_chart_is_not_held_by_pyplot_and_still_draws(name: str) -> None:
    before = plt.get_fignums()
    fig = CHARTS[name]()
    assert plt.get_fignums() == before  # nothing left open for the inline backend to show
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")


def test_a_notebook_cell_shows_a_returned_chart_once() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom evalkit import charts\n"
            "charts.findings_chart(pd.DataFrame({'severity': ['error'], 'dimension': ['完整性']}))"
        )
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    images = [o for o in nb.cells[0].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, [o.get("output_type") for o in nb.cells[0].outputs]
