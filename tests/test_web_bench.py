"""A small smoke run of bench/web/run.py (the full 100k / 1M run is on demand): it builds the synthetic workspace,
starts the real server, drives the list, search and 对接机会 pages (as admin and as the park's operator) and reports
server times."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("web_bench_run", ROOT / "bench" / "web" / "run.py")
web_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(web_bench)


def test_web_bench_smoke(tmp_path) -> None:
    result = web_bench.main(["--orgs", "300", "--items", "3000", "--opportunities", "500", "--requests", "2",
                             "--concurrency", "2", "--workers", "2", "--skip-demo", "--folder", str(tmp_path)])
    large = result["large"]
    assert large["organizations"] == 300 and large["items"] == 3000 and large["opportunities"] == 500
    assert large["workers"] == 2
    assert set(large["pages"]) >= {"list", "search_name", "search_pinyin", "search_rare", "search_one_char",
                                   "filter_region", "opportunities", "operator_opportunities", "operator_search"}
    for figures in large["pages"].values():
        assert figures["requests"] == 2 and 0 < figures["server_p50_ms"] <= figures["server_p95_ms"]
    assert result["machine"]["cores"] >= 1
