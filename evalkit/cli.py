"""The ``evalkit`` command line: it only parses arguments and calls the package."""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .errors import EvalkitError, InputError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}：参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="evalkit",
        description="evalkit：部门绩效目标管理评估工具（读取部门评估底稿，复核、比对并生成评估结果）。",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    parser.add_argument("--version", action="version", version=_version(), help="显示版本并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, add_help=False)
        p.add_argument("-h", "--help", action="help", help="显示帮助并退出")
        return p

    p = add("template", "生成空白的部门评估底稿（含表头批注和下拉选项）")
    p.add_argument("path", type=Path, metavar="路径", help="输出的 .xlsx 文件")
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件")

    p = add("build", "由 YAML 录入稿生成部门评估底稿（.xlsx）")
    p.add_argument("source", type=Path, metavar="录入稿", help="YAML 录入稿")
    p.add_argument("path", type=Path, metavar="路径", help="输出的 .xlsx 文件")

    p = add("validate", "校验部门评估底稿，一次列出全部问题")
    p.add_argument("workbook", type=Path, metavar="底稿", help="部门评估底稿（.xlsx）")

    p = add("summary", "概览部门评估底稿的内容")
    p.add_argument("workbook", type=Path, metavar="底稿", help="部门评估底稿（.xlsx）")

    p = add("check", "评估一个部门：复核自评、审核目标与监控、跨表比对，输出发现的问题")
    p.add_argument("workbook", type=Path, metavar="底稿", help="部门评估底稿（.xlsx）")
    p.add_argument(
        "--policy",
        type=Path,
        default=None,
        metavar="政策文件",
        help="政策口径文件（YAML），默认使用内置口径",
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="输出格式：table（默认，表格）、json 或 csv",
    )
    p.add_argument("--output", type=Path, default=None, metavar="文件", help="写入文件而非屏幕")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="并行进程数：N 个子进程分读底稿（同时本进程加载规则），规则分两个进程运行"
        "（默认按 CPU 核数，2 至 4，单核时为 1；1 表示全部在本进程完成）",
    )

    p = add("run", "按阶段笔记本评估一个部门，结果归档到新的运行目录")
    p.add_argument(
        "source",
        type=Path,
        metavar="参数文件或底稿",
        help="参数文件（YAML）或部门评估底稿（.xlsx）",
    )
    p.add_argument(
        "--outputs",
        type=Path,
        default=Path("outputs"),
        metavar="目录",
        help="输出根目录（默认 outputs）",
    )
    p.add_argument(
        "--policy",
        type=Path,
        default=None,
        metavar="政策文件",
        help="政策口径文件（仅在直接给出底稿时使用）",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="每个笔记本启动全新内核（较慢；默认每个工作进程复用一个内核，笔记本之间清空）",
    )

    p = add("batch", "批量评估多个部门（并行、可续跑），并生成汇总索引")
    p.add_argument(
        "sources", type=Path, nargs="+", metavar="参数", help="参数文件或包含参数文件的目录"
    )
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="并行工作进程数（默认 2）")
    p.add_argument("--force", action="store_true", help="即使输入未变化也重新评估")
    p.add_argument(
        "--outputs",
        type=Path,
        default=Path("outputs"),
        metavar="目录",
        help="输出根目录（默认 outputs）",
    )
    p.add_argument("--no-progress", action="store_true", help="不显示进度条")
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="每个笔记本启动全新内核（较慢；默认每个工作进程复用一个内核，笔记本之间清空）",
    )
    p.add_argument(
        "--pdf-memory",
        type=float,
        default=None,
        metavar="MB",
        help="同时进行的 PDF 排版按报告大小估计的内存合计上限（MB）；超出时后到的排版"
        "排队等待，超过上限的单份报告在无其他排版时进行。降低内存峰值，但整批耗时更长"
        "（如 800：100 个部门实测峰值约 1.4 GB，耗时约多三分之一）。默认不限",
    )

    p = add("verify", "核验归档的运行目录：哈希一致性，并用全新内核重新执行比对结果")
    p.add_argument(
        "run_dir", type=Path, metavar="运行目录", help="outputs/<年度>/<部门>/<运行编号>"
    )
    p.add_argument("--no-reexecute", action="store_true", help="只核对哈希，不重新执行")

    add("rules", "列出全部评估规则")

    p = add("docs", "由代码生成底稿格式说明（docs/workbook.md）")
    p.add_argument("--output", type=Path, default=None, metavar="文件", help="写入文件而非屏幕")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``evalkit`` command; its exit code."""
    return _dispatch(argv)[0]


#: Commands after which the console script skips the interpreter's teardown: they leave
#: no thread, child process, temporary file or ``atexit`` work behind.
_QUICK_EXIT = frozenset({"check"})


def run() -> None:
    """The ``evalkit`` console script: :func:`main`, then exit.

    After ``check`` the process leaves with ``os._exit`` once its output is flushed:
    Python's teardown would free the loaded department object by object, which takes
    ≈ 0.03–0.04 s at 500 projects for nothing. Other commands exit normally.
    """
    code, command = _dispatch(None)
    if command in _QUICK_EXIT:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: let Python report it as it always does
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


def _dispatch(argv: Sequence[str] | None) -> tuple[int, str | None]:
    """The exit code of the command ``argv`` names, and that command (None if none)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT, None
    return _run_command(args), args.command


def _run_command(args: argparse.Namespace) -> int:
    try:
        return _COMMANDS[args.command](args)
    except InputError as exc:
        print(f"输入有误：\n{exc}", file=sys.stderr)
        return EXIT_INPUT
    except EvalkitError as exc:
        print(f"运行失败：{exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:  # disk full, permission denied...: a message, not a traceback
        where = f"“{exc.filename}”" if exc.filename else ""
        print(f"读写文件失败{where}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


def _version() -> str:
    from . import __version__

    return f"evalkit {__version__}"


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(f"已写入 {output}", file=sys.stderr)


def _cmd_template(args: argparse.Namespace) -> int:
    from .records import write_workbook

    if args.path.exists() and not args.force:
        raise InputError(f"文件“{args.path}”已存在；如需覆盖请加 --force")
    write_workbook(args.path)
    print(f"已生成空白底稿：{args.path}")
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from .records import load_records, write_workbook
    from .workbook import load_workbook

    try:
        records = load_records(args.source)
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取录入稿“{args.source}”：{exc}") from None
    write_workbook(args.path, records)
    dept = load_workbook(args.path)
    print(f"已生成底稿：{args.path}（{dept.name}，{dept.year}年度）")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from .workbook import load_workbook

    dept = load_workbook(args.workbook)
    print(f"校验通过：{args.workbook}（{dept.name}，{dept.year}年度）")
    return EXIT_OK


def _cmd_summary(args: argparse.Namespace) -> int:
    from .summary import headline, project_overview, summarize
    from .workbook import load_workbook

    dept = load_workbook(args.workbook)
    print(headline(dept))
    print()
    print(_table(summarize(dept)))
    if len(dept.projects):
        print()
        print(_table(project_overview(dept)))
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .prefetch import default_processes, prefetch_workbook

    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs 至少为 1")
    # child processes read the workbook while this one imports the rules
    readers = default_processes() if args.jobs is None else (0 if args.jobs == 1 else args.jobs)
    with prefetch_workbook(args.workbook, processes=readers) as pending:
        from .check import check_findings
        from .findings import SEVERITY_LABELS, findings_to_csv, findings_to_json
        from .policy import load_policy
        from .registry import registered_rules

        policy = load_policy(args.policy)
        registered_rules()
        dept = pending.result()
    findings = check_findings(dept, policy=policy, processes=2 if readers else 1)
    if args.format == "json":
        meta = {"id": dept.id, "name": dept.name, "year": dept.year, "workbook_sha256": dept.sha256}
        _emit(findings_to_json(findings, department=meta), args.output)
    elif args.format == "csv":
        _emit(findings_to_csv(findings), args.output)
    else:
        counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_LABELS}
        head = "，".join(f"{SEVERITY_LABELS[s]} {counts[s]} 条" for s in SEVERITY_LABELS)
        lines = [
            f"{dept.name}（{dept.year}年度）评估发现 {len(findings)} 条：{head}（政策口径 {policy.version}）",
            "",
        ]
        if findings:
            lines.append(
                _text_table(
                    ("级别", "维度", "规则", "对象", "指标", "问题"),
                    [
                        (
                            SEVERITY_LABELS[f.severity],
                            f.dimension,
                            f.rule_id,
                            f.subject,
                            f.indicator or "",
                            f.message,
                        )
                        for f in findings
                    ],
                )
            )
        _emit("\n".join(lines), args.output)
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from .params import load_params, params_for_workbook
    from .runner import run_department

    if args.source.suffix.lower() in {".yaml", ".yml"}:
        params = load_params(args.source)
    else:
        params = params_for_workbook(args.source, policy=args.policy)
    print(f"开始评估：{params.dept_id}（{params.year}年度）", flush=True)
    result = run_department(params, outputs=args.outputs, warm_kernel=not args.fresh_kernels)
    for stage in result.manifest.get("stages", []):
        mark = "完成" if stage["status"] == "ok" else "失败"
        print(f"  {stage['stage']}：{mark}（{stage['duration_s']:.1f} 秒）")
    if not result.ok:
        print(f"评估失败：{result.error}", file=sys.stderr)
        print(f"失败的运行已归档（含部分执行的笔记本）：{result.run_dir}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"评估完成：{result.run_dir}")
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch

    if args.jobs < 1:
        raise InputError("--jobs 至少为 1")
    result = run_batch(
        args.sources,
        outputs=args.outputs,
        jobs=args.jobs,
        force=args.force,
        progress=not args.no_progress,
        warm_kernel=not args.fresh_kernels,
        pdf_memory_mb=args.pdf_memory,
    )
    if not result.outcomes:
        raise InputError("没有找到参数文件（*.yaml）")
    print(result.summary())
    if result.index:
        print(f"汇总索引：{result.index}")
    return EXIT_OK if result.ok else EXIT_FAILURE


def _cmd_verify(args: argparse.Namespace) -> int:
    from .verify import verify_run

    result = verify_run(args.run_dir, reexecute=not args.no_reexecute)
    print(result.report())
    return EXIT_OK if result.ok else EXIT_FAILURE


def _cmd_rules(args: argparse.Namespace) -> int:
    import pandas as pd

    from .findings import FAMILIES, SEVERITY_LABELS
    from .registry import registered_rules

    df = pd.DataFrame(
        [
            {
                "规则": r.id,
                "类别": FAMILIES[r.family],
                "级别": SEVERITY_LABELS[r.severity],
                "维度": r.dimension,
                "说明": r.title,
            }
            for r in registered_rules()
        ]
    )
    print(_table(df))
    return EXIT_OK


def _cmd_docs(args: argparse.Namespace) -> int:
    from .docgen import workbook_markdown

    _emit(workbook_markdown(), args.output)
    return EXIT_OK


def _text_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, max_width: int = 80
) -> str:
    """A plain-text table for a terminal: columns aligned by display width (a Chinese
    character takes two columns), cells longer than ``max_width`` cut with "…"."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    def cut(text: str) -> str:
        text = " ".join(str(text).split())
        if width(text) <= max_width:
            return text
        out, used = [], 0
        for c in text:
            w = width(c)
            if used + w > max_width - 1:
                break
            out.append(c)
            used += w
        return "".join(out) + "…"

    cells = [[cut(h) for h in headers], *([cut(v) for v in row] for row in rows)]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(row)).rstrip()
        for row in cells
    ]
    return "\n".join(lines)


def _table(df: object) -> str:
    import pandas as pd

    assert isinstance(df, pd.DataFrame)
    with pd.option_context(
        "display.unicode.east_asian_width",
        True,
        "display.max_colwidth",
        80,
        "display.width",
        250,
        "display.max_rows",
        500,
    ):
        return df.to_string(index=False)


_COMMANDS = {
    "template": _cmd_template,
    "build": _cmd_build,
    "validate": _cmd_validate,
    "summary": _cmd_summary,
    "check": _cmd_check,
    "run": _cmd_run,
    "batch": _cmd_batch,
    "verify": _cmd_verify,
    "rules": _cmd_rules,
    "docs": _cmd_docs,
}

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
