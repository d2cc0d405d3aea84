"""The evaluation report: HTML structure, evidence links, escaping, browser, PDF."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from evalkit import charts, pdf, procs
from evalkit.check import check
from evalkit.errors import EvalkitError, InputError
from evalkit.findings import FAMILIES
from evalkit.policy import Policy, load_policy
from evalkit.records import department_from_records
from evalkit.registry import registered_rules
from evalkit.report import (
    SECTION_TITLES,
    build_report,
    evidence_anchor,
    group_findings,
    write_report,
)
from evalkit.testing import P1, clean_records
from evalkit.workbook import load_workbook

ROOT = Path(__file__).resolve().parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"
WHEN = dt.datetime(2025, 6, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
XSS = "<script>alert(1)</script>"
TIMESTAMP = re.compile(r'(<time id="generated-at" datetime=")[^"]*(">)[^<]*(</time>)')

#: The seed report's four problems (五（一）–（四）) and the policy groups that state them.
SEED_PROBLEMS = {
    "coverage": "部门未按规定对实施的所有项目编报绩效目标",
    "relevance": "部门整体年度绩效目标内容不充分，项目年度绩效目标内容与项目本身关联度低",
    "quality": "部分绩效指标和指标值设置不合理",
    "lifecycle": "绩效目标全过程管理机制执行不到位，部分内容存在缺失",
}

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium 未安装（make sysdeps 安装 Debian 软件包 chromium）"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils 未安装（make sysdeps 安装 pdftotext/pdffonts）",
)
needs_pdf_engine = pytest.mark.skipif(
    not pdf._engine_available() or pdf.REQUIRED_FONT not in pdf.cjk_families(),
    reason="WeasyPrint 或 Noto Sans CJK SC 字体未安装（make setup sysdeps）",
)


# ----------------------------------------------------------------------------------------
# an HTML reader: ids, internal links, evidence rows, text by element id
# ----------------------------------------------------------------------------------------
class Page(HTMLParser):
    VOID: ClassVar[frozenset[str]] = frozenset(
        {"meta", "link", "br", "img", "col", "input", "hr", "source", "wbr"}
    )

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: Counter[str] = Counter()
        self.text_of: dict[str, str] = {}
        self.links_of: dict[str, list[str]] = {}
        self.classes_of: dict[str, str] = {}
        self.headings: list[str] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, id)
        self._heading: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] += 1
        if a.get("id"):
            self.ids.append(a["id"])
            self.text_of[a["id"]] = ""
            self.links_of[a["id"]] = []
            self.classes_of[a["id"]] = a.get("class") or ""
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
            for _, open_id in self._open:
                if open_id:
                    self.links_of[open_id].append(a["href"])
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        if tag not in self.VOID:
            self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for _, open_id in self._open:
            if open_id:
                self.text_of[open_id] += data
        if self._heading is not None:
            self._heading.append(data)


# ----------------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def seed(policy: Policy) -> tuple[Any, pd.DataFrame]:
    dept = load_workbook(NINGXIAN)
    return dept, check(dept, policy=policy)


@pytest.fixture(scope="module")
def seed_html(seed: tuple[Any, pd.DataFrame], policy: Policy) -> str:
    dept, findings = seed
    links = {"01_导入与校验": "html/01_导入与校验.html", "05_自评复核": "html/05_自评复核.html"}
    return build_report(dept, findings, policy=policy, audit_links=links, generated_at=WHEN)


@pytest.fixture(scope="module")
def seed_page(seed_html: str) -> Page:
    return Page(seed_html)


def hostile_records(payload: str = XSS) -> dict[str, Any]:
    """The clean department with ``payload`` as an indicator name (in all three tables,
    with a wrong score so that findings quote it), a project description and a note."""
    r = clean_records()
    for sheet in ("目标表指标", "自评指标", "监控指标"):
        for row in r[sheet]:
            if row["三级指标"] == "培训企业人员人次":
                row["三级指标"] = payload
    for row in r["自评指标"]:
        if row["三级指标"] == payload:
            row["得分"] = 15
    for row in r["项目清单"]:
        if row["项目名称"] == P1:
            row["基本情况"] = f"培训{payload}"
    r["评估人意见"] = [{"章节": "三、评估结论", "段落": f"评估人补充：{payload}"}]
    return r


# ----------------------------------------------------------------------------------------
# structure and evidence
# ----------------------------------------------------------------------------------------
def test_every_section_heading_is_present_in_order(seed_page: Page) -> None:
    found = [h for h in seed_page.headings if h in SECTION_TITLES]
    assert found == list(SECTION_TITLES)
    for i in range(1, 8):
        assert f"sec-{i}" in seed_page.ids


def test_ids_are_unique_ascii_and_every_internal_link_resolves(seed_page: Page) -> None:
    ids = seed_page.ids
    assert len(ids) == len(set(ids)), [k for k, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", i) for i in ids)
    internal = [h[1:] for h in seed_page.hrefs if h.startswith("#")]
    missing = sorted(set(internal) - set(ids))
    assert not missing, missing


def test_evidence_anchor_is_stable_and_ascii() -> None:
    assert evidence_anchor("自评指标", 12) == "ev-selfeval-indicators-12"
    assert evidence_anchor("selfeval_indicators", 12) == "ev-selfeval-indicators-12"
    assert evidence_anchor("部门信息", 5) == "ev-info-5"
    assert evidence_anchor("目标表指标") == "ev-targets"
    with pytest.raises(KeyError):
        evidence_anchor("不存在的表", 1)


def test_every_seed_finding_is_in_the_report_with_evidence_links_that_resolve(
    seed: tuple[Any, pd.DataFrame], seed_page: Page, policy: Policy
) -> None:
    dept, findings = seed
    assert len(findings) > 50  # the seed department has many findings
    groups = group_findings(findings, policy, dept=dept)
    anchors = [fv.anchor for g in groups for fv in g.findings]
    assert len(anchors) == len(findings) == len(set(anchors))
    ids = set(seed_page.ids)
    for g in groups:
        for fv in g.findings:
            assert fv.anchor in ids, fv.anchor
            assert fv.message in seed_page.text_of[fv.anchor]
            links = [h[1:] for h in seed_page.links_of[fv.anchor] if h.startswith("#ev-")]
            assert links, f"{fv.anchor} has no evidence link"
            assert set(links) <= ids
            # a source with a row links to exactly that row of the annex
            for s in fv.sources:
                if s.row is not None:
                    assert evidence_anchor(s.sheet, s.row) in links, (fv.anchor, s)
    # each finding with a row in the annex is linked back from that row (review chips)
    hrefs = set(seed_page.hrefs)
    for g in groups:
        for fv in g.findings:
            if any(s.row is not None for s in fv.sources):
                assert f"#{fv.anchor}" in hrefs, f"no back link to {fv.anchor}"


def test_seed_reports_four_problems_in_order(seed_page: Page, seed_html: str) -> None:
    problem_titles = [
        seed_page.text_of[f"problem-{i}"].strip().splitlines()[0] for i in range(1, 5)
    ]
    for i, (key, title) in enumerate(SEED_PROBLEMS.items(), 1):
        cn = "一二三四"[i - 1]
        assert problem_titles[i - 1] == f"（{cn}）{title}", key
        assert f"<strong>{cn}是</strong>" in seed_html  # 三、评估结论 lists them
        assert title in seed_page.text_of["sec-3"]
    coverage = seed_page.text_of["problem-1"]
    for name in (
        "2023年工作实绩考核奖励资金",
        "砖瓦轮窑企业淘汰拆除工作费用",
        "招商专班招商引资工作经费",
    ):
        assert name in coverage
    assert "共计支出1.8万元" in coverage  # the seed report's wording and amounts
    relevance = seed_page.text_of["problem-2"]
    assert "监测和分析工业、信息化产业和生产性服务业运行态势" in relevance
    assert "规模以上工业企业增加值增速" in seed_page.text_of["problem-3"]  # macro indicator (RL002)
    quality = seed_page.text_of["problem-3"]
    for name in ("项目支出预算执行率", "“三公经费”控制率", "在职人员控制率", "产出数量"):
        assert name in quality
    lifecycle = seed_page.text_of["problem-4"]
    assert "MN001" in lifecycle and "PR004" in lifecycle and "PR006" in lifecycle


def test_one_recommendation_per_problem_from_the_policy(seed_page: Page, policy: Policy) -> None:
    problems = [i for i in seed_page.ids if re.fullmatch(r"problem-\d+", i)]
    recs = [i for i in seed_page.ids if re.fullmatch(r"rec-\d+", i)]
    assert len(problems) == len(recs) >= 4
    groups = policy.get("recommendations.groups")
    for i, key in enumerate(SEED_PROBLEMS, 1):
        text = seed_page.text_of[f"rec-{i}"]
        assert groups[key]["title"] in text
        assert f"针对“{SEED_PROBLEMS[key]}”的问题" in text
        assert "， " not in text and "； " not in text  # YAML line folds removed


def test_recommendation_texts_are_editable_in_a_custom_policy(
    seed: tuple[Any, pd.DataFrame], tmp_path: Path
) -> None:
    path = tmp_path / "county.yaml"
    path.write_text(
        'version: "county-2025"\nrecommendations:\n  groups:\n    coverage:\n'
        "      title: 全面编报项目绩效目标\n      text: 针对“{problem}”的问题，建议县财政局督促整改。\n",
        encoding="utf-8",
    )
    custom = load_policy(path)
    dept, findings = seed
    page = Page(build_report(dept, findings, policy=custom, generated_at=WHEN))
    assert "全面编报项目绩效目标" in page.text_of["rec-1"]
    assert "建议县财政局督促整改" in page.text_of["rec-1"]
    assert "优化绩效目标设置" in page.text_of["rec-2"]  # the other groups are inherited


def test_every_rule_and_family_has_a_problem_group(policy: Policy) -> None:
    groups = policy.get("recommendations.groups")
    families = {f for g in groups.values() for f in g.get("families", [])}
    assert set(FAMILIES) <= families
    for g in groups.values():
        assert g["problem"] and g["title"] and "{problem}" in g["text"]
    listed = [r for g in groups.values() for r in g.get("rules", [])]
    assert len(listed) == len(set(listed))
    known = {r.id for r in registered_rules()}
    assert set(listed) <= known


def test_annex_highlights_flagged_cells_and_shows_recomputed_scores(
    seed_page: Page, seed_html: str
) -> None:
    # SC001: 《自评指标》第46行 驻村生活补助按时率 published 13.34, recomputed 12.67
    row = "ev-selfeval-indicators-46"
    assert "flagged" in seed_page.classes_of[row] and "sev-error" in seed_page.classes_of[row]
    assert "13.34" in seed_page.text_of[row] and "12.67" in seed_page.text_of[row]
    m = re.search(rf'<tr id="{row}"[^>]*>(.*?)</tr>', seed_html, re.S)
    assert m
    cells = m.group(1)
    assert "flag sev-error" in cells
    assert 'class="recomputed differs">12.67<' in cells
    assert "13.34 → 12.67" in cells  # the primary evidence row shows published → expected
    # a table the department never filled in still has its anchor (CV001 links to it)
    assert "未编报绩效目标表" in seed_page.text_of["annex-1"]


def test_front_page_has_department_commissioner_evaluator_date_and_audit_links(
    seed_page: Page, seed_html: str
) -> None:
    cover = seed_page.text_of["cover"]
    for text in (
        "宁县工业和信息化局",
        "2024",
        "宁县财政局",
        "国金益通（庆阳）管理咨询有限公司",
        "2025年6月30日",
    ):
        assert text in cover
    assert "html/05_自评复核.html" in seed_page.links_of["cover"]
    assert 'datetime="2025-06-30T09:00:00+08:00"' in seed_html


def test_toc_links_every_section_and_problem(seed_page: Page) -> None:
    toc = set(h[1:] for h in seed_page.links_of["toc"])
    assert {f"sec-{i}" for i in range(1, 8)} <= toc
    assert {i for i in seed_page.ids if re.fullmatch(r"(problem|rec|annex)-\d+", i)} <= toc


# ----------------------------------------------------------------------------------------
# determinism, notes, inputs
# ----------------------------------------------------------------------------------------
def test_report_is_deterministic_except_the_timestamp(
    seed: tuple[Any, pd.DataFrame], seed_html: str, policy: Policy
) -> None:
    dept, findings = seed
    links = {"01_导入与校验": "html/01_导入与校验.html", "05_自评复核": "html/05_自评复核.html"}
    again = build_report(dept, findings, policy=policy, audit_links=links, generated_at=WHEN)
    assert again == seed_html
    later = build_report(dept, findings.sample(frac=1, random_state=1), policy=policy,
                         audit_links=links)  # fmt: skip
    assert later != seed_html
    assert len(TIMESTAMP.findall(later)) == 1
    strip = lambda s: TIMESTAMP.sub(r"\1\2\3", s)  # noqa: E731
    assert strip(later) == strip(seed_html)
    stamp = re.search(r'<time id="generated-at" datetime="([^"]+)"', later)
    assert stamp and dt.datetime.fromisoformat(stamp.group(1)).tzinfo is not None


def test_evaluator_notes_are_placed_in_their_sections_and_marked(policy: Policy) -> None:
    r = clean_records()
    r["评估人意见"] = [
        {"章节": "三、评估结论", "段落": "评估组认为该部门绩效目标管理总体规范。"},
        {"章节": "六、意见与建议", "段落": "建议明年起编报部门整体监控表。\n并按季度报送。"},
    ]
    dept = department_from_records(r)
    page = Page(build_report(dept, check(dept, policy=policy), policy=policy, generated_at=WHEN))
    assert "评估人意见" in page.text_of["sec-3"]
    assert "总体规范" in page.text_of["sec-3"] and "总体规范" not in page.text_of["sec-6"]
    assert "按季度报送" in page.text_of["sec-6"]
    with pytest.raises(InputError, match="章节无法识别"):
        build_report(dept, check(dept, policy=policy), policy=policy,
                     notes=[("八、其他", "x")])  # fmt: skip


@pytest.mark.parametrize("href", ["https://example.com/a.html", "javascript:alert(1)", "/etc/x"])
def test_audit_links_must_be_relative(
    seed: tuple[Any, pd.DataFrame], policy: Policy, href: str
) -> None:
    dept, findings = seed
    with pytest.raises(InputError, match="相对路径"):
        build_report(dept, findings, policy=policy, audit_links={"05": href})


def test_other_departments_render(policy: Policy) -> None:
    """The chaoyang layout (no projects, 年度主要任务) and a department without problems."""
    dept = load_workbook(CHAOYANG)
    findings = check(dept, policy=policy)
    page = Page(build_report(dept, findings, policy=policy, generated_at=WHEN))
    assert len(page.ids) == len(set(page.ids))
    assert set(h[1:] for h in page.hrefs if h.startswith("#")) <= set(page.ids)
    assert "其他提示事项" in page.text_of["sec-5"]  # notice-only groups are not problems
    assert "ev-tasks-2" in page.ids
    clean = department_from_records(clean_records())
    found = check(clean, policy=policy)
    page = Page(build_report(clean, found, policy=policy, generated_at=WHEN))
    if not (found["severity"] != "notice").any():
        assert "未发现需要整改的问题" in page.text_of["sec-3"]
    assert [h for h in page.headings if h in SECTION_TITLES] == list(SECTION_TITLES)


def test_write_report_without_pdf(
    tmp_path: Path, seed: tuple[Any, pd.DataFrame], policy: Policy
) -> None:
    dept, findings = seed
    out = write_report(tmp_path / "run", dept, findings, policy=policy, pdf=False)
    assert set(out) == {"html"} and out["html"].name == "report.html"
    assert out["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ----------------------------------------------------------------------------------------
# escaping and self-containment
# ----------------------------------------------------------------------------------------
def test_text_from_inputs_is_escaped(policy: Policy) -> None:
    dept = department_from_records(hostile_records())
    findings = check(dept, policy=policy)
    assert (findings["indicator"] == XSS).any()  # the payload is quoted by findings too
    html = build_report(dept, findings, policy=policy, generated_at=WHEN,
                        audit_links={XSS: "html/x.html"})  # fmt: skip
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    page = Page(html)
    assert page.tags["script"] == 0
    assert (
        XSS in page.text_of["sec-5"]
        and XSS in page.text_of["sec-7"]
        and XSS in page.text_of["sec-3"]
    )


def test_report_is_self_contained(seed_html: str, seed_page: Page) -> None:
    assert seed_page.tags["script"] == 0 and seed_page.tags["link"] == 0
    assert seed_page.tags["img"] == 0 and seed_page.tags["iframe"] == 0
    assert seed_page.tags["svg"] == 3  # the charts, inline
    assert "@import" not in seed_html and "@font-face" not in seed_html
    assert not re.search(r"\bsrc\s*=", seed_html)
    assert set(re.findall(r"url\(([^)]*)\)", seed_html)) <= {
        u for u in re.findall(r"url\(([^)]*)\)", seed_html) if u.startswith(("#", "attr("))
    }
    external = [h for h in seed_page.hrefs if re.match(r"[a-z]+:", h)]
    assert not external, external
    assert '"Noto Sans CJK SC"' in seed_html
    assert "Content-Security-Policy" in seed_html and "default-src 'none'" in seed_html


def test_every_character_of_the_report_has_a_glyph_in_the_named_font(seed_html: str) -> None:
    """No empty boxes in print: the text uses only characters Noto Sans CJK SC draws."""
    from html import unescape

    ttlib = pytest.importorskip("fontTools.ttLib")
    path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not path.is_file():
        pytest.skip("fonts-noto-cjk 未安装（make sysdeps）")
    with ttlib.TTCollection(str(path), lazy=True) as collection:
        sc = next(f for f in collection.fonts if f["name"].getDebugName(1) == pdf.REQUIRED_FONT)
        cmap = set(sc.getBestCmap())
    text = re.sub(r"<style>.*?</style>", "", seed_html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    missing = sorted({c for c in text if ord(c) > 32 and ord(c) not in cmap})
    assert not missing, missing


def test_missing_font_for_charts_is_a_clear_error(
    seed: tuple[Any, pd.DataFrame], policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_font() -> str:
        raise charts.FontMissingError("未找到中文字体（需要 Noto Sans CJK SC）")

    monkeypatch.setattr(charts, "cjk_font", no_font)
    dept, findings = seed
    with pytest.raises(charts.FontMissingError, match="中文字体"):
        build_report(dept, findings, policy=policy)


# ----------------------------------------------------------------------------------------
# headless Chromium: no script runs, nothing is requested
# ----------------------------------------------------------------------------------------
class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"x")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def decoy() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request made to it."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def dump_dom(page: Path, tmp: Path) -> tuple[str, list[str]]:
    """The DOM after load (``--dump-dom``) and the URLs the *page* requested (NetLog:
    requests whose initiator is the page, not Chromium's own background traffic)."""
    profile = tmp / f"profile-{page.stem}"
    netlog = tmp / f"netlog-{page.stem}.json"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--log-net-log={netlog}",
        "--virtual-time-budget=3000", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] != start_job or "url" not in params:
            continue
        if params.get("initiator") == "not an origin":  # Chromium's own background traffic
            continue
        url = params.get("url", "")
        if url != page.as_uri() and not url.startswith("data:"):
            requested.append(url)
    return proc.stdout, requested


def _title(dom: str) -> str:
    m = re.search(r"<title>(.*?)</title>", dom, re.S)
    return m.group(1) if m else ""


@needs_chromium
def test_headless_chromium_runs_no_script_and_requests_nothing(
    tmp_path: Path, policy: Policy, decoy: tuple[str, list[str]]
) -> None:
    base, hits = decoy
    payloads = [
        "<script>document.title='XSS'</script>",
        f'<img src="{base}/img.png" onerror="document.title=\'XSS\'">',
        f'<link rel="stylesheet" href="{base}/style.css">',
    ]
    # positive control: the same payloads, unescaped, are caught by this harness
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head><title>原标题</title></head><body>"
                       f"{''.join(payloads)}</body></html>", encoding="utf-8")  # fmt: skip
    dom, requested = dump_dom(control, tmp_path)
    assert _title(dom) == "XSS"
    assert any(u.startswith(base) for u in requested)
    hits.clear()

    r = hostile_records(payloads[0])
    for row in r["项目清单"]:
        if row["项目名称"] == P1:
            row["基本情况"] = payloads[1] + payloads[2]
    dept = department_from_records(r)
    report = tmp_path / "report.html"
    report.write_text(
        build_report(dept, check(dept, policy=policy), policy=policy,
                     audit_links={"05_自评复核": "html/05_自评复核.html"}),
        encoding="utf-8",
    )  # fmt: skip
    dom, requested = dump_dom(report, tmp_path)
    assert _title(dom) == "2024年度测试县示范产业发展局部门绩效目标管理评估报告"
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    assert "&lt;script&gt;document.title='XSS'&lt;/script&gt;" in dom  # shown as text
    assert requested == []
    assert hits == []


# ----------------------------------------------------------------------------------------
# PDF
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_pdf(seed_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not pdf._engine_available() or pdf.REQUIRED_FONT not in pdf.cjk_families():
        pytest.skip("WeasyPrint 或 Noto Sans CJK SC 字体未安装（make setup sysdeps）")
    folder = tmp_path_factory.mktemp("pdf")
    (folder / "report.html").write_text(seed_html, encoding="utf-8")
    return pdf.html_to_pdf(folder / "report.html", folder / "report.pdf")


def _pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_poppler
@needs_pdf_engine
def test_pdf_has_every_heading_and_problem_title(seed_pdf: Path, seed_page: Page) -> None:
    flat = _flat("".join(_pages(seed_pdf)))
    for title in SECTION_TITLES:
        assert title in flat, title
    problem_ids = [i for i in seed_page.ids if re.fullmatch(r"problem-\d+", i)]
    assert len(problem_ids) >= 4
    for pid in problem_ids:
        heading = seed_page.text_of[pid].strip().splitlines()[0]
        assert _flat(heading) in flat, heading
    for title in SEED_PROBLEMS.values():
        assert title in flat


@needs_poppler
@needs_pdf_engine
def test_pdf_embeds_the_cjk_font(seed_pdf: Path) -> None:
    out = subprocess.run(
        ["pdffonts", str(seed_pdf)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    cjk = [r for r in rows if re.search(r"Noto-?Sans-?CJK", r[0])]
    assert cjk, out
    assert all(r[-5] == "yes" for r in cjk), out  # emb


@needs_poppler
@needs_pdf_engine
def test_pdf_has_page_numbers_and_a_toc_with_the_right_pages(seed_pdf: Path) -> None:
    pages = _pages(seed_pdf)
    assert re.search(r"-\s*3\s*-", pages[2])  # page numbers in the footer
    toc = pages[1]
    for title in ("五、存在的问题", "七、附件"):
        m = re.search(rf"{title}[ .]*?(\d+)\s*$", toc, re.M)
        assert m, title
        number = int(m.group(1))
        assert title in _flat(pages[number - 1]), (title, number)


def test_pdf_missing_font_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = tmp_path / "r.html"
    html.write_text("<html><body>中文</body></html>", encoding="utf-8")
    monkeypatch.setattr(pdf, "cjk_families", lambda: [])
    with pytest.raises(charts.FontMissingError, match="中文字体") as info:
        pdf.html_to_pdf(html, tmp_path / "r.pdf")
    assert isinstance(info.value, EvalkitError)
    assert "fonts-noto-cjk" in str(info.value)
    assert not (tmp_path / "r.pdf").exists()


def test_pdf_missing_engine_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = tmp_path / "r.html"
    html.write_text("<html><body>中文</body></html>", encoding="utf-8")
    monkeypatch.setattr(pdf, "cjk_families", lambda: [pdf.REQUIRED_FONT])
    monkeypatch.setattr(pdf, "_engine_available", lambda: False)
    with pytest.raises(pdf.PdfEngineMissingError, match="WeasyPrint"):
        pdf.html_to_pdf(html, tmp_path / "r.pdf")


@needs_pdf_engine
@pytest.mark.parametrize("mode", ["fork", "process", "inline"])
def test_pdf_timeout_is_a_clear_error_and_leaves_no_file(
    tmp_path: Path, mode: pdf.Mode, monkeypatch: pytest.MonkeyPatch
) -> None:
    # inline, a timer signal can land in a gc or weakref callback, where Python reports
    # the exception as unraisable and goes on; the timer fires again (tested below), so
    # such a report is not a failure of this test
    monkeypatch.setattr("sys.unraisablehook", lambda u: None)
    html = tmp_path / "r.html"
    # long enough that even a warm in-process WeasyPrint needs more than the timeout
    body = "".join(f"<p>第{i}段：中文内容</p>" for i in range(3000))
    html.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    with pytest.raises(pdf.PdfTimeoutError, match="超时"):
        pdf.html_to_pdf(html, tmp_path / "r.pdf", timeout=0.05, mode=mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


@needs_pdf_engine
def test_pdf_timeout_survives_a_swallowed_timer_signal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first timer signals land in a gc callback, where Python ignores the exception
    # they raise; the timer must keep firing until one interrupts the render.
    import gc
    import time

    html = tmp_path / "r.html"
    body = "".join(f"<p>第{i}段：中文内容</p>" for i in range(3000))
    html.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    swallowed: list[str] = []
    monkeypatch.setattr(
        "sys.unraisablehook", lambda u: swallowed.append(type(u.exc_value).__name__)
    )
    slept = [False]

    def slow_callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not slept[0]:
            slept[0] = True
            time.sleep(0.3)  # the 0.05 s timer fires here, more than once

    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(pdf.PdfTimeoutError, match="超时"):
            pdf.html_to_pdf(html, tmp_path / "r.pdf", timeout=0.05, mode="inline")
    finally:
        gc.callbacks.remove(slow_callback)
    assert slept[0] and "_Expired" in swallowed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


@needs_pdf_engine
def test_pdf_in_process_and_child_process_render_the_same_text(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    html.write_text(
        "<html><body style=\"font-family: 'Noto Sans CJK SC'\"><h1>评估报告</h1>"
        "<p>绩效目标管理</p></body></html>",
        encoding="utf-8",
    )
    made = [
        pdf.html_to_pdf(html, tmp_path / f"{mode}.pdf", mode=mode)
        for mode in ("fork", "process", "inline")
    ]
    text = [
        subprocess.run(
            ["pdftotext", str(p), "-"], capture_output=True, text=True, check=True
        ).stdout
        for p in made
    ]
    assert "评估报告" in text[0] and text[0] == text[1] == text[2]


def _fake_engine(monkeypatch: pytest.MonkeyPatch, render: Any) -> None:
    monkeypatch.setattr(pdf, "cjk_families", lambda: [pdf.REQUIRED_FONT])
    monkeypatch.setattr(pdf, "_import_engine", lambda: None)
    monkeypatch.setattr(pdf, "_render", render)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize(("mode", "elsewhere"), [("fork", True), ("inline", False)])
def test_pdf_fork_mode_lays_out_in_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: pdf.Mode, elsewhere: bool
) -> None:
    # a forked child does the layout, so none of its memory stays in a warm kernel
    html = tmp_path / "r.html"
    html.write_text("<html><body>中文</body></html>", encoding="utf-8")
    _fake_engine(monkeypatch, lambda h, p: p.write_text(str(os.getpid()), encoding="utf-8"))
    made = pdf.html_to_pdf(html, tmp_path / "r.pdf", mode=mode)
    assert (made.read_text(encoding="utf-8") != str(os.getpid())) is elsewhere


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_pdf_fork_mode_reports_the_childs_error_and_kills_it_on_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    html = tmp_path / "r.html"
    html.write_text("<html><body>中文</body></html>", encoding="utf-8")

    def broken(h: Path, p: Path) -> None:
        p.write_bytes(b"%PDF-half")
        raise ValueError("排版失败的原因")

    _fake_engine(monkeypatch, broken)
    with pytest.raises(pdf.PdfError, match="ValueError: 排版失败的原因"):
        pdf.html_to_pdf(html, tmp_path / "r.pdf", mode="fork")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]

    pid_file = tmp_path / "child.pid"

    def stuck(h: Path, p: Path) -> None:
        pid_file.write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(60)

    _fake_engine(monkeypatch, stuck)
    started = time.monotonic()
    with pytest.raises(pdf.PdfTimeoutError, match="超时"):
        pdf.html_to_pdf(html, tmp_path / "r.pdf", timeout=1.0, mode="fork")
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):  # killed and reaped: no such process left
        os.kill(child, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.pid", "r.html"]
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)  # timer handler restored


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_pdf_layout_waits_for_the_batch_memory_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``evalkit batch --pdf-memory`` (the environment variable), a layout starts only
    when its estimate fits next to the layouts under way, and holds its share meanwhile."""
    import threading
    import time

    from evalkit import memgate

    html = tmp_path / "r.html"
    html.write_text("<html><body>" + "中文" * 40_000 + "</body></html>", encoding="utf-8")
    need = pdf.layout_estimate_mb(html.stat().st_size)  # 175 + 0.7 × 234 KB ≈ 339 MB
    ledger = tmp_path / "gate" / "ledger"
    ledger.parent.mkdir()
    other = os.getppid()  # a live process holding 700 of the 800 MB
    ledger.write_text(f"running {other} 1 700.0\n", encoding="utf-8")
    monkeypatch.setenv(memgate.ENV_VAR, f"800:{ledger}")
    # the fake layout copies the ledger as it is while it runs
    _fake_engine(monkeypatch, lambda h, p: p.write_text(ledger.read_text(encoding="utf-8")))

    done: list[Path] = []
    worker = threading.Thread(
        target=lambda: done.append(pdf.html_to_pdf(html, tmp_path / "r.pdf", mode="fork"))
    )
    worker.start()
    time.sleep(0.8)
    assert not done and not (tmp_path / "r.pdf").exists()  # 700 + 339 > 800: waiting
    ledger.write_text(
        "".join(f"{line}\n" for line in ledger.read_text().splitlines() if str(other) not in line)
    )
    worker.join(20)
    assert done
    during = done[0].read_text(encoding="utf-8").split()
    assert during[:2] == ["running", str(os.getpid())]
    assert float(during[3]) == pytest.approx(need, abs=0.1)
    assert ledger.read_text(encoding="utf-8") == ""  # released


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pdf_fork_child_does_not_outlive_a_killed_kernel(tmp_path: Path) -> None:
    """A kernel killed mid-layout takes its layout child with it."""
    import time

    pid_file = tmp_path / "child.pid"
    html = tmp_path / "r.html"
    html.write_text("<html><body>中文</body></html>", encoding="utf-8")
    script = (
        "import os, sys, time\nfrom pathlib import Path\nfrom evalkit import pdf\n"
        "pdf.cjk_families = lambda: [pdf.REQUIRED_FONT]\n"
        "pdf._import_engine = lambda: None\n"
        "def stuck(h, p):\n"
        f"    Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        "    time.sleep(120)\n"
        "pdf._render = stuck\n"
        f"pdf.html_to_pdf({str(html)!r}, {str(tmp_path / 'r.pdf')!r}, mode='fork', timeout=300)\n"
    )
    kernel = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and kernel.poll() is None
            time.sleep(0.05)
        child = int(pid_file.read_text())
        os.kill(child, 0)  # laying out
        kernel.kill()
        kernel.wait()
        deadline = time.monotonic() + 10
        while procs.process_exists(child):  # gone, or killed and not yet reaped (a zombie)
            assert time.monotonic() < deadline, "the layout child outlived its kernel"
            time.sleep(0.05)
    finally:
        kernel.kill()


def test_layout_estimate_grows_with_the_report_from_a_fixed_base() -> None:
    """Fitted on real layouts (see ``pdf.LAYOUT_BASE_MB``): the seed report's 329 KB of
    HTML peaked at 353 MB RSS, a 1,040 KB report at 900 MB; the estimate errs high."""
    assert pdf.layout_estimate_mb(0) == pdf.LAYOUT_BASE_MB
    assert 353 <= pdf.layout_estimate_mb(329_286) <= 420
    assert 900 <= pdf.layout_estimate_mb(1_065_000) <= 960
