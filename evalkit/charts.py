"""Charts with Chinese labels (an explicit CJK font; fail loudly when it is missing)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from .errors import EvalkitError
from .findings import DIMENSIONS, SEVERITIES, SEVERITY_LABELS

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
)
SEVERITY_COLORS = {"error": "#c0392b", "warning": "#e67e22", "notice": "#7f8c8d"}


class FontMissingError(EvalkitError):
    """No CJK font is installed: Chinese text would render as empty boxes."""


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The CJK font family matplotlib will use; raises :class:`FontMissingError` if none."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in names:
            return name
    raise FontMissingError(
        "未找到中文字体（需要 Noto Sans CJK SC），图表中的中文将无法显示。"
        "请安装 Debian 软件包 fonts-noto-cjk（make sysdeps）后重试。"
    )


def setup() -> None:
    """Configure matplotlib for Chinese labels."""
    import matplotlib

    matplotlib.rcParams["font.sans-serif"] = [cjk_font(), "DejaVu Sans"]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"


def _fig(height: float) -> tuple[Any, Any]:
    """A new figure that pyplot does not hold on to.

    A notebook displays the figure a chart function returns; a figure pyplot still held
    would be displayed a second time by the inline backend at the end of the cell (drawn
    twice, shown twice) and kept alive until ``plt.close``.
    """
    import matplotlib.pyplot as plt

    setup()
    fig, ax = plt.subplots(figsize=(8, height), dpi=110)
    plt.close(fig)
    return fig, ax


def execution_chart(projects: pd.DataFrame) -> Any:
    """Budget vs executed per project (万元), from the project list."""
    fig, ax = _fig(max(2.0, 0.5 * len(projects) + 1))
    names = projects["name"].tolist()[::-1]
    budget = (projects["final_budget"] / 10000).tolist()[::-1]
    spent = (projects["executed"] / 10000).tolist()[::-1]
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], budget, height=0.4, label="全年预算数", color="#9dc3e6")
    ax.barh([i - 0.2 for i in y], spent, height=0.4, label="全年执行数", color="#2e75b6")
    for i, (b, s) in enumerate(zip(budget, spent, strict=True)):
        rate = f"{s / b:.0%}" if b else "—"
        ax.text(max(b, s), i, f" {rate}", va="center", fontsize=8)
    ax.set_yticks(list(y), names, fontsize=8)
    ax.set_xlabel("万元")
    ax.set_title("项目预算执行情况")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def totals_chart(
    totals: pd.DataFrame,
    *,
    label: str = "subject",
    published: str = "published_total",
    recomputed: str = "recomputed_total",
) -> Any:
    """Published vs recomputed self-evaluation totals per table."""
    fig, ax = _fig(max(2.0, 0.5 * len(totals) + 1))
    names = totals[label].tolist()[::-1]
    pub = totals[published].astype(float).tolist()[::-1]
    rec = totals[recomputed].astype(float).tolist()[::-1]
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], pub, height=0.4, label="公布总分", color="#a9d18e")
    ax.barh([i - 0.2 for i in y], rec, height=0.4, label="按规则重算", color="#548235")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.set_xlim(min([*pub, *rec, 60]) - 5, 102)
    ax.set_title("自评总分：公布值与重算值")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def findings_chart(findings: pd.DataFrame) -> Any:
    """Findings by review dimension, stacked by severity."""
    fig, ax = _fig(3.2)
    dims = list(DIMENSIONS)
    left = [0] * len(dims)
    for sev in SEVERITIES:
        sub = findings[findings["severity"] == sev] if len(findings) else findings
        n = [int((sub["dimension"] == d).sum()) if len(sub) else 0 for d in dims]
        ax.barh(dims, n, left=left, color=SEVERITY_COLORS[sev], label=SEVERITY_LABELS[sev])
        left = [a + b for a, b in zip(left, n, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("问题数")
    ax.set_title("评估发现：按维度和级别")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def progress_chart(progress: pd.DataFrame, *, label: str, ratio: str) -> Any:
    """Monitoring: execution progress ratio per subject with the green/yellow/red bands."""
    fig, ax = _fig(max(2.0, 0.45 * len(progress) + 1))
    names = progress[label].tolist()[::-1]
    values = progress[ratio].astype(float).fillna(0).tolist()[::-1]
    colors = ["#c0392b" if v < 0.6 else "#f1c40f" if v < 0.8 else "#27ae60" for v in values]
    ax.barh(names, values, color=colors)
    ax.axvline(0.6, color="#999", ls="--", lw=0.8)
    ax.axvline(0.8, color="#999", ls="--", lw=0.8)
    ax.set_xlabel("执行进度 ÷ 时间进度")
    ax.set_title("监控期预算执行进度")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return fig
