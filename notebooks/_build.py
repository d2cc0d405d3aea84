"""Writes the stage notebooks (``python notebooks/_build.py``).

The notebooks are the product an auditor reads; this script only keeps their source
reviewable. Edit a stage here and rebuild, or edit the notebook in JupyterLab and port
the change back: ``tests/test_notebooks.py`` fails when the two disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

PARAMETERS = """# 参数（papermill 会在本单元格之后注入实际参数）
workbook = "data/ningxian-gxj-2024.xlsx"  # 部门评估底稿
dept_id = "ningxian-gxj"  # 部门编码，须与底稿一致
year = 2024  # 评估年度
policy = None  # 政策口径文件；None 表示内置默认口径
run_dir = None  # 输出目录；None 表示 outputs/interactive/<部门编码>"""

OPEN = """from evalkit import charts, stages, summary

dept, pol = stages.open_department(workbook, policy)
stages.check_identity(dept, dept_id=dept_id, year=year)
out = stages.output_dir(run_dir, dept_id)
print(summary.headline(dept))
print(f"政策口径：{pol.version}")"""


def stage(title: str, intro: str, body: list[tuple[str, str]]) -> nbformat.NotebookNode:
    cells = [new_markdown_cell(f"# {title}\n\n{intro}")]
    cells.append(new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}))
    cells.append(new_code_cell(OPEN))
    for kind, text in body:
        cells.append(new_markdown_cell(text) if kind == "md" else new_code_cell(text))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: rebuilding gives identical files
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def findings_cells(stage_id: str, what: str, extra: str = "None") -> list[tuple[str, str]]:
    return [
        (
            "md",
            f"## 本阶段发现的问题\n\n{what}每条问题注明规则、出处（工作表和行号）、公布值与重算值。",
        ),
        ("code", f'found = stages.run_stage(dept, pol, "{stage_id}")\nstages.findings_view(found)'),
        ("code", f'stages.save_stage(out, "{stage_id}", found, extra={extra})'),
    ]


NOTEBOOKS = {
    "01_导入与校验": stage(
        "第一阶段：导入与校验",
        "读取部门评估底稿，逐表校验（缺表、缺列、类型、未登记的项目、重复项目、无法识别的指标值），"
        "任何问题都会在此列出其文件、工作表、行和列并停止评估。"
        "校验通过后，原样展示部门的各张表：所有数值按公布原文保存，后续阶段引用的每个数都可追溯到这里的行号。",
        [
            ("md", "## 底稿概览\n\n各工作表的行数和涉及的对象（部门整体或项目）。"),
            ("code", "summary.summarize(dept)"),
            ("md", "## 部门信息\n\n“三定”职能、人员编制、预算、批复与公开情况（原文）。"),
            ("code", "stages.info_view(dept)"),
            ("md", "## 项目清单\n\n本年度实际执行的全部项目，含年中追加项目；金额折算为万元。"),
            ("code", "summary.project_overview(dept)"),
            ("code", "charts.execution_chart(dept.projects) if len(dept.projects) else None"),
            ("md", "## 绩效目标表\n\n部门整体和项目的绩效目标表指标（原文）。"),
            ("code", 'stages.table_view(dept, "targets")'),
            ("md", "## 绩效监控表"),
            ("code", 'stages.table_view(dept, "monitor_funds")'),
            ("code", 'stages.table_view(dept, "monitor_indicators")'),
            ("md", "## 绩效自评表"),
            ("code", 'stages.table_view(dept, "selfeval")'),
            ("code", 'stages.table_view(dept, "selfeval_funds")'),
            ("code", 'stages.table_view(dept, "selfeval_indicators")'),
            ("code", 'stages.table_view(dept, "tasks")'),
            (
                "code",
                'stages.save_stage(out, "01", stages.run_stage(dept, pol, "01"), extra={"headline": summary.headline(dept)})',
            ),
        ],
    ),
    "02_目标设定审核": stage(
        "第二阶段：绩效目标设定审核（完整性、相关性、批复与公开）",
        "依据《中央部门预算绩效目标管理办法》（财预〔2015〕88号）的审核要求：\n\n"
        "- **完整性**：实际执行的每个项目（含年中追加、延续项目）都应编报绩效目标表，部门整体目标表应存在，"
        "项目目标表应包含产出、效益等必需指标类别；\n"
        "- **相关性**：部门整体目标应覆盖“三定”核心职能；项目指标应衡量项目资金本身的产出和效果，"
        "小额奖补或运转类项目不应设置全县宏观指标；\n"
        "- **过程**：“谁批复预算，谁批复目标”，年中追加项目应随预算调整编报目标，目标应随预算公开。",
        [
            ("code", "from evalkit.rules import coverage, relevance"),
            ("md", "## 目标覆盖\n\n每个执行项目是否有目标表、监控表、自评表。"),
            ("code", "stages.evidence_view(coverage.coverage_table(dept))"),
            (
                "md",
                "## 核心职能覆盖（字符 n-gram 重合度）\n\n把核心职能拆成分句，计算每个分句的字符二元组在部门整体目标和指标中出现的比例；"
                "低于政策阈值视为未覆盖。下表列出每个分句匹配到的字符组合，方法完全可复核。",
            ),
            ("code", "stages.evidence_view(relevance.function_coverage(dept, pol))"),
            ("md", "## 项目中的宏观指标\n\n按政策文件中的宏观指标模式匹配项目指标和目标。"),
            ("code", "stages.evidence_view(relevance.macro_indicators(dept, pol))"),
            *findings_cells("02", "目标覆盖、相关性、批复与公开方面的问题。"),
        ],
    ),
    "03_指标质量": stage(
        "第三阶段：绩效指标质量",
        "依据《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》（财预〔2021〕101号）："
        "指标值应具约束性（“≤100%”的执行率、控制率不约束任何行为），三级指标不应只是类别名称（占位词），"
        "计量单位应与指标类别相符（金额属于成本指标，人数户数属于产出数量指标），"
        "定量为主、定性为辅。没有目标表的项目，改用其自评表或监控表中的指标审核。",
        [
            ("code", "from evalkit.rules import quality"),
            ("md", "## 指标清单与质量标记"),
            ("code", "stages.evidence_view(quality.indicator_inventory(dept, pol))"),
            ("md", "## 定性指标占比"),
            ("code", "stages.evidence_view(quality.qualitative_share(dept, pol))"),
            *findings_cells("03", "指标值设置与指标质量方面的问题。"),
        ],
    ),
    "04_绩效监控": stage(
        "第四阶段：绩效运行监控（“双监控”）",
        "监控期的预算执行率与时间进度比较（执行进度 ÷ 时间进度：80%以上绿灯、60%–80%黄灯、60%以下红灯）；"
        "预计不能完成的指标应有偏差原因和改进措施；完成可能性的判断应与监控数据相符；部门整体也应开展监控。",
        [
            ("code", "from evalkit.rules import monitoring"),
            ("md", "## 监控期执行进度"),
            ("code", "stages.evidence_view(monitoring.monitoring_progress(dept, pol))"),
            *findings_cells("04", "绩效监控方面的问题。"),
        ],
    ),
    "05_自评复核": stage(
        "第五阶段：自评复核与跨表比对",
        "依据《项目支出绩效评价管理办法》（财预〔2020〕10号）逐行重算自评得分：预算执行率得分、"
        "定量指标（≥、≤、=）得分、定性指标档次、总分与等级；再把同一个数在项目清单、监控表、自评表之间逐一比对，"
        "并用部门自己的数据重算可计算的指标（执行率、在职人员控制率、成本指标实际值）。"
        "重算值与公布值不一致的行以红色标出。",
        [
            ("code", "from evalkit.rules import consistency, scoring"),
            ("md", "## 指标得分重算"),
            (
                "code",
                'cols = ["subject", "_row", "level3", "target", "actual", "weight", "completion_published",\n'
                '        "completion", "score_published", "score", "formula", "status"]\n'
                "view = scoring.chinese_headers(scoring.rescore_indicators(dept, pol)[cols])\n"
                'stages.highlight_differences(view, "公布得分", "重算得分")',
            ),
            ("md", "## 预算执行率得分重算"),
            (
                "code",
                'cols = ["subject", "_row", "line", "budget", "executed", "rate_published", "rate", "weight",\n'
                '        "score_published", "score", "formula", "status"]\n'
                "view = scoring.chinese_headers(scoring.rescore_funds(dept, pol)[cols])\n"
                'stages.highlight_differences(view, "公布得分", "重算得分")',
            ),
            ("md", "## 总分与等级"),
            ("code", "totals = scoring.rescore_totals(dept, pol)\nscoring.chinese_headers(totals)"),
            (
                "code",
                'charts.totals_chart(totals, published="total_published", recomputed="total_recomputed") if len(totals) else None',
            ),
            ("md", "## 资金数跨表比对"),
            ("code", "stages.evidence_view(consistency.money_crosscheck(dept, pol))"),
            ("md", "## 指标值跨表比对"),
            ("code", "stages.evidence_view(consistency.target_crosscheck(dept, pol))"),
            ("md", "## 可由部门自身数据计算的指标"),
            ("code", "stages.evidence_view(consistency.derived_indicators(dept, pol))"),
            *findings_cells(
                "05",
                "自评得分和跨表一致性方面的问题。",
                '{"totals": stages.totals_summary(totals)}',
            ),
        ],
    ),
    "06_评估报告": stage(
        "第六阶段：汇总评估结论",
        "汇总前五个阶段写入运行目录的评估发现，按报告的维度和级别统计，形成问题清单（findings.json、findings.csv）。",
        [
            ("code", "found = stages.collect(out)\nstages.counts(found)"),
            ("code", "charts.findings_chart(found)"),
            ("md", "## 问题清单"),
            (
                "code",
                'stages.findings_view(found, columns=("severity", "dimension", "rule_id", "subject", "indicator", "message", "published", "expected", "formula", "sources"))',
            ),
            ("code", "stages.finalize(out, dept, found)"),
            (
                "md",
                "## 评估报告\n\n按报告模板生成评估报告（report.html、report.pdf）：七个部分，每个问题链接到附件中的原表证据行，"
                "封面链接到各阶段笔记本的审计副本。",
            ),
            ("code", "stages.write_report(out, dept, pol, found)"),
        ],
    ),
}


def build(folder: Path = HERE) -> list[Path]:
    written = []
    for name, nb in NOTEBOOKS.items():
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
