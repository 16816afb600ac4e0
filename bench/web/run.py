"""Web workspace benchmark (on demand, not in CI): server time of every page on the demo data, and of the 企业 list
and search pages at scale under a loopback load generator.

    .venv/bin/python bench/web/run.py                          # demo pages + 100k organizations / 1M items
    .venv/bin/python bench/web/run.py --orgs 2000 --items 20000 --requests 10   # a quick smoke run

Server time is the app's own Server-Timing header (request in → response out, in the real `copark serve`
process); the client's round trip is reported beside it. The large workspace is synthetic and written with bulk
inserts (SQLAlchemy Core executemany), not through the importer, which would take far longer at 1M items; the
organization rows carry the same columns the importer writes, pinyin initials included. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import insert, select

from copark.parsing.initials import initials
from copark.services.accounts import create_user
from copark.storage.tables import Item, Opportunity, Organization, Park, User
from copark.workspace import Workspace

COPARK = str(Path(sys.executable).with_name("copark"))
PASSWORD = "bench-password-1"
COUNTIES = ["430111", "430102", "430104", "430121", "431224", "431202", "431221", "431222", "440305", "320505"]
INDUSTRIES = ["2924", "3581", "3975", "1713", "2927", "3311", "3982", "1495", "2669", "3544"]
HEADS = ["湖南", "长沙", "溆浦", "怀化", "星城", "湘江", "雪峰", "麓山", "芙蓉", "洞庭", "岳麓", "五溪"]
MIDDLES = ["恒通", "瑞康", "华益", "中联", "新材", "精工", "德润", "安泰", "博远", "鑫达", "天成", "宏图", "远航"]
TAILS = ["海绵制品", "医疗器械", "电子科技", "新材料", "机械制造", "纺织", "食品", "包装", "生物科技", "精密模具"]
PRODUCTS = ["过滤海绵", "聚醚多元醇", "制氧机", "医用敷料", "PCB板", "注塑件", "瓦楞纸箱", "不锈钢管", "无纺布", "锂电池",
            "电源模块", "连接器", "橡胶密封圈", "铝合金型材", "环氧树脂", "玻璃纤维", "印刷油墨", "轴承", "电机", "传感器"]
MODIFIERS = ["", "医用", "高效", "工业级", "精密", "环保", "耐高温", "食品级", "定制"]
MODES = ["supply_chain", "supply_chain", "supply_chain", "brand_oem", "hq_base", "channel"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_large(url: str, orgs: int, items: int, opportunities: int = 100_000, seed: int = 7) -> dict:
    """`orgs` organizations and `items` items, spread evenly, and `opportunities` stored opportunities between
    random needs and offers, written in bulk (the database's triggers keep the search index as for any write); a
    park (溆浦县 with 雨花区), an admin and the park's operator to sign in with."""
    rng = random.Random(seed)
    started = time.perf_counter()
    workspace = Workspace(url)
    try:
        with workspace.transaction() as session:
            session.add(Park(name="溆浦-雨花共建园", region_code="431224", partner_region_code="430111", positioning=[],
                             description="", source="bench"))
            session.flush()
            create_user(session=session, username="bench-admin", password=PASSWORD, role="admin")
            create_user(session=session, username="bench-operator", password=PASSWORD, role="operator",
                        park="溆浦-雨花共建园")
        chunk = 20_000
        with workspace.engine.begin() as conn:
            for start in range(0, orgs, chunk):
                rows = []
                for n in range(start, min(orgs, start + chunk)):
                    name = f"{rng.choice(HEADS)}{rng.choice(MIDDLES)}{rng.choice(TAILS)}有限公司{n}"
                    rows.append({"id": n + 1, "kind": "enterprise", "name": name, "norm_name": name, "short_name": "",
                                 "credit_code": None, "region_code": rng.choice(COUNTIES), "park_id": None,
                                 "industry_code": rng.choice(INDUSTRIES), "industry_text": "",
                                 "products": rng.sample(PRODUCTS, 2), "description": "", "contact": "",
                                 "employees": rng.randint(5, 2000), "annual_revenue": None, "annual_revenue_text": "",
                                 "note": "", "source": "bench", "name_initials": initials(name)})
                conn.execute(insert(Organization), rows)
            for start in range(0, items, 50_000):
                rows = []
                for n in range(start, min(items, start + 50_000)):
                    text = f"{rng.choice(MODIFIERS)}{rng.choice(PRODUCTS)}"
                    rows.append({"organization_id": n % orgs + 1, "direction": "offer" if n % 2 else "need",
                                 "kind": "product", "text": text, "quantity": None, "unit": "", "annual_value": None,
                                 "annual_value_text": "", "certifications": "", "valid_until": None, "note": "",
                                 "origin": "declared", "status": None, "confidence": None, "evidence": None,
                                 "source": "bench", "withdrawn_at": None})
                conn.execute(insert(Item), rows)
            # Item ids run 1..items in insertion order: odd ids are needs, even ids offers, of organization
            # (id - 1) % orgs + 1.
            rows = []
            for n in range(opportunities):
                need, offer = 2 * rng.randrange(items // 2) + 1, 2 * rng.randrange(items // 2) + 2
                rows.append({"need_item_id": need, "offer_item_id": offer, "need_org_id": (need - 1) % orgs + 1,
                             "offer_org_id": (offer - 1) % orgs + 1, "score": round(rng.uniform(20, 95), 2),
                             "mode": rng.choice(MODES), "explanation": {"matched_terms": rng.sample(PRODUCTS, 2)}})
                if len(rows) == 50_000 or n == opportunities - 1:
                    conn.execute(insert(Opportunity), rows)
                    rows = []
        if workspace.engine.dialect.name == "sqlite":
            with workspace.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        workspace.close()
    return {"organizations": orgs, "items": items, "opportunities": opportunities,
            "build_seconds": round(time.perf_counter() - started, 1)}


class Server:
    """A real `copark serve` on a free loopback port."""

    def __init__(self, url: str, workers: int = 1) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([COPARK, "-d", url, "serve", "--port", str(self.port), "--workers", str(workers)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        for _ in range(1200):  # readiness poll
            try:
                urllib.request.urlopen(self.base + "/login", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.1)
        raise RuntimeError("copark serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker stuck in a request: end the server's own process group
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def _server_ms(response) -> float:  # noqa: ANN001
    found = re.search(r"dur=([\d.]+)", response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


async def _drive(base: str, username: str, password: str, paths: dict[str, str], requests: int,
                 concurrency: int) -> dict:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        r = await client.post("/login", data={"username": username, "password": password})
        assert r.status_code in (200, 303) and "copark_session" in client.cookies, r.text[:300]
        out = {}
        for name, path in paths.items():
            (await client.get(path)).raise_for_status()  # warm-up, not counted
            server: list[float] = []
            rtt: list[float] = []
            queue = list(range(requests))

            async def worker(client=client, path=path, server=server, rtt=rtt, queue=queue) -> None:  # noqa: ANN001
                while queue:
                    queue.pop()
                    started = time.perf_counter()
                    response = await client.get(path)
                    rtt.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    server.append(_server_ms(response))

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            out[name] = {"path": path, "requests": requests, "server_p50_ms": _pct(server, .5),
                         "server_p95_ms": _pct(server, .95), "roundtrip_p95_ms": _pct(rtt, .95)}
        return out


def bench_large(folder: Path, orgs: int, items: int, opportunities: int, requests: int, concurrency: int,
                workers: int = 1, reuse: bool = False) -> dict:
    url = f"sqlite:///{folder / 'large.sqlite'}"
    if reuse and (folder / "large.sqlite").is_file():
        built = {"organizations": orgs, "items": items, "opportunities": opportunities, "reused": True}
    else:
        built = build_large(url, orgs, items, opportunities)
    admin_paths = {
        "list": "/orgs", "list_page_deep": f"/orgs?after={orgs // 2}", "list_api": "/api/orgs?limit=200",
        "search_name": "/orgs?q=恒通", "search_product_common": "/orgs?q=过滤海绵",
        "search_rare": "/orgs?q=不存在的产品甲乙", "search_pinyin": "/orgs?q=hths",
        "search_one_char": "/orgs?q=绵", "search_page_2": "/orgs?q=过滤海绵&after=500",
        "search_api": "/api/orgs?q=制氧机&limit=200",
        "filter_region": "/orgs?region=溆浦县", "filter_industry": "/orgs?industry=29",
        "search_and_filters": "/orgs?q=制氧机&region=长沙市&industry=3581",
        "opportunities": "/opportunities", "opportunities_filtered": "/opportunities?score=high&region=长沙市",
        "opportunities_api": "/api/opportunities?limit=200",
    }
    operator_paths = {"operator_list": "/orgs", "operator_search": "/orgs?q=过滤海绵",
                      "operator_opportunities": "/opportunities"}
    server = Server(url, workers)
    try:
        figures = asyncio.run(_drive(server.base, "bench-admin", PASSWORD, admin_paths, requests, concurrency))
        figures |= asyncio.run(_drive(server.base, "bench-operator", PASSWORD, operator_paths, requests,
                                      concurrency))
    finally:
        server.stop()
    return {**built, "concurrency": concurrency, "workers": workers, "pages": figures}


def bench_demo(folder: Path, requests: int, workers: int = 1) -> dict:
    from copark import api
    from copark.demo import DEMO_PASSWORD
    from copark.services.access import Actor

    url = f"sqlite:///{folder / 'demo.sqlite'}"
    done = subprocess.run([COPARK, "-d", url, "demo", "--top", "1"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    workspace = Workspace(url)
    try:
        with workspace.transaction() as s:
            org = s.scalar(select(Organization.id).where(Organization.source == "demo").order_by(Organization.id))
            opp = s.scalar(select(Opportunity.id).order_by(Opportunity.score.desc()))
            operator = Actor.of(s.scalar(select(User).where(User.username == "demo-operator")))
        record = api.push_opportunity(workspace=workspace, actor=operator, opportunity_id=opp)
    finally:
        workspace.close()
    paths = {"首页": "/", "企业": "/orgs", "企业搜索": "/orgs?q=海绵", "企业详情": f"/orgs/{org}",
             "清单导入": "/import", "对接机会": "/opportunities", "对接记录": "/docking", "对接记录详情": f"/docking/{record}",
             "产业链": "/chain?q=制氧机", "api_dashboard": "/api/dashboard", "api_orgs": "/api/orgs",
             "api_opportunities": "/api/opportunities"}
    server = Server(url, workers)
    try:
        return asyncio.run(_drive(server.base, "demo-operator", DEMO_PASSWORD, paths, requests, 1))
    finally:
        server.stop()


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per page (after one warm-up)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients for the large workspace")
    parser.add_argument("--workers", type=int, default=2,
                        help="copark serve --workers (2: both cores of the machine the figures were measured on)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="drive the large.sqlite an earlier run left in --folder (same sizes) instead of building it")
    parser.add_argument("--folder", type=Path, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="copark-web-bench-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        result: dict = {"machine": machine()}
        if not args.skip_demo:
            result["demo"] = bench_demo(folder, args.requests, args.workers)
        if not args.skip_large:
            result["large"] = bench_large(folder, args.orgs, args.items, args.opportunities, args.requests,
                                          args.concurrency, args.workers, args.reuse)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


if __name__ == "__main__":
    main()
