"""How loading a workbook scales, fast reader against openpyxl.

Run on demand, never from the test suite::

    .venv/bin/python benchmarks/load_scaling.py                  # sizes 10 100 500 1000
    .venv/bin/python benchmarks/load_scaling.py --sizes 10 100 --repeat 3

For each size a synthetic department (:func:`evalkit.synth.synth_department`, seed 0,
15 % faults) is written as a real ``.xlsx`` by evalkit (openpyxl: inline strings) and once
more rewritten the way Excel saves a workbook (shared strings, row spans), since the
workbooks people send back have been through Excel or WPS. For each file:

* ``fast`` / ``openpyxl``: reading the cells (``read_raw`` with ``engine="fast"`` and with
  ``engine="openpyxl"``), median of ``--repeat`` runs in this process, and their ratio;
* ``build``: validating and building the Department from the cells (``build_department``);
* ``load``: ``load_workbook`` end to end in a fresh interpreter (imports excluded), median
  of three: what ``evalkit check`` pays, with nothing cached yet.

Then the import floor of the command line: the interpreter alone, ``import pandas``,
``import evalkit.cli``, and ``evalkit check`` on the seed workbook end to end.

The machine is shared and timings vary by ±25 % or more: compare ratios measured in the
same run rather than absolute figures across runs.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from _bench import median_time

from evalkit.records import write_workbook
from evalkit.synth import synth_department
from evalkit.workbook import build_department, read_raw

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "ningxian-gxj-2024.xlsx"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def fresh_load_time(path: Path, repeat: int = 3) -> float:
    """load_workbook once in a new interpreter, imports excluded."""
    code = (
        "import time\nfrom evalkit.workbook import load_workbook\n"
        f"t = time.perf_counter()\nload_workbook({str(path)!r})\n"
        "print(time.perf_counter() - t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    return statistics.median(runs)


def command_time(cmd: list[str], repeat: int) -> float:
    return median_time(lambda: subprocess.run(cmd, check=True, capture_output=True), repeat)


def as_excel_saves(src: Path, dst: Path) -> Path:
    """``src`` (written by openpyxl) rewritten as Excel saves it: every inline string
    becomes a shared string, rows carry ``spans`` and ``x14ac:dyDescent``."""
    strings: dict[str, int] = {}
    cell = re.compile(
        r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t>([^<]*)</t></is></c>'
    )
    row = re.compile(r'<row r="([0-9]+)">')
    x14ac = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"

    def shared(m: re.Match[str]) -> str:
        index = strings.setdefault(m.group(3), len(strings))
        return f'<c r="{m.group(1)}"{m.group(2) or ""} t="s"><v>{index}</v></c>'

    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(src) as zin:
        for name in zin.namelist():
            data = zin.read(name)
            if name.startswith("xl/worksheets/sheet"):
                text = cell.sub(shared, data.decode()).replace(' t="n"><v>', "><v>")
                text = row.sub(r'<row r="\1" spans="1:12" x14ac:dyDescent="0.15">', text)
                text = text.replace(
                    f'<worksheet xmlns="{MAIN_NS}"',
                    f'<worksheet xmlns="{MAIN_NS}" xmlns:x14ac="{x14ac}"',
                    1,
                )
                data = text.encode()
            elif name == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdSST" Type="{REL_NS}/sharedStrings" '
                    'Target="sharedStrings.xml"/></Relationships>'.encode(),
                )
            parts[name] = data
    items = "".join(
        f'<si><t xml:space="preserve">{t}</t></si>' if t != t.strip() else f"<si><t>{t}</t></si>"
        for t in strings
    )
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="读取底稿的耗时随项目数的变化：快速读取器与 openpyxl 对照"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10, 100, 500, 1000], help="项目数档位"
    )
    parser.add_argument("--repeat", type=int, default=5, help="每项计时重复次数（取中位数）")
    args = parser.parse_args(argv)

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}; {os.cpu_count()} cores")
    read_raw(SEED, engine="fast")  # warm up imports and regular expressions
    read_raw(SEED, engine="openpyxl")
    header = (
        f"{'projects':>8} {'written by':>10} {'rows':>6} | {'fast s':>7} {'openpyxl s':>10} "
        f"{'ratio':>6} | {'build s':>7} | {'load s':>6}"
    )
    print()
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="evalkit-load-") as tmp:
        for n in args.sizes:
            records = synth_department(seed=0, n_projects=n, fault_rate=0.15)
            written = write_workbook(Path(tmp) / f"synth-{n}.xlsx", records)
            excel = as_excel_saves(written, Path(tmp) / f"excel-{n}.xlsx")
            for label, path in (("openpyxl", written), ("Excel", excel)):
                raw = read_raw(path, engine="fast")
                rows = sum(len(r) for r in raw.values())
                t_fast = median_time(lambda p=path: read_raw(p, engine="fast"), args.repeat)
                t_slow = median_time(
                    lambda p=path: read_raw(p, engine="openpyxl"), max(1, args.repeat // 2)
                )
                t_build = median_time(
                    lambda r=raw, p=path: build_department(r, path=str(p)), args.repeat
                )
                t_load = fresh_load_time(path)
                print(
                    f"{n:>8} {label:>10} {rows:>6} | {t_fast:>7.3f} {t_slow:>10.3f} "
                    f"{t_slow / t_fast:>5.1f}x | {t_build:>7.3f} | {t_load:>6.3f}",
                    flush=True,
                )
    print()
    py = sys.executable
    exe = str(Path(py).with_name("evalkit"))
    floor = {
        "python -c pass": [py, "-c", "pass"],
        "import pandas": [py, "-c", "import pandas"],
        "import evalkit.cli": [py, "-c", "import evalkit.cli"],
        f"evalkit check {SEED.name}": [
            exe, "check", str(SEED), "--format", "json", "--output", os.devnull
        ],
    }  # fmt: skip
    for label, cmd in floor.items():
        print(f"{label:>40}: {command_time(cmd, args.repeat):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
