"""Import benchmark: a generated workbook of 100,000 items (and their organizations) into a fresh SQLite.

Usage: .venv/bin/python bench/import_bench.py [--items 100000] [--orgs 5000] [--keep DIR]
Prints the time of `import_files`, rows per second and the machine it ran on. Target: under 60 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from copark.io.importer import import_files
from copark.io.layouts import ITEMS, ORGS
from copark.parsing.credit_code import CHARSET, check_character
from copark.workspace import Workspace

PRODUCTS = ["医用过滤棉", "无纺布", "医用海绵", "不锈钢管", "电路板", "锂电池", "包装印刷", "注塑件", "铝型材", "竹木家具",
            "柑橘", "茶油", "电机", "传感器", "纺织面料", "环保涂料", "数控机床", "模具", "检测服务", "物流运输"]
UNITS = ["吨", "件", "套", "万只", "米", ""]
KINDS = ["产品", "原材料", "加工", "技术", "人才", "金融", "渠道", "厂房", "服务", ""]
REGIONS = ["长沙市雨花区", "怀化市溆浦县", "430111", "431224"]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def credit_code(n: int) -> str:
    body = "91430111" + "".join(CHARSET[(n // 31**i) % 31] for i in range(9))
    return body + check_character(body)


def generate(path: Path, *, items: int, orgs: int, seed: int = 7) -> None:
    """A template-format workbook: `orgs` organizations, `items` item rows spread over them."""
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    org_sheet = workbook.create_sheet(ORGS.sheet_name)
    org_sheet.append([c.template_header for c in ORGS.columns])
    names = [f"湖南基准测试{n:05d}号制造有限公司" for n in range(orgs)]
    for n, name in enumerate(names):
        org_sheet.append([name, None, "企业", credit_code(n), rng.choice(REGIONS), None, "3581",
                          "、".join(rng.sample(PRODUCTS, 3)), "基准测试企业", None, rng.randint(10, 2000),
                          f"{rng.randint(1, 90)}00万", None, None])
    item_sheet = workbook.create_sheet(ITEMS.sheet_name)
    item_sheet.append([c.template_header for c in ITEMS.columns])
    for n in range(items):
        product = rng.choice(PRODUCTS)
        item_sheet.append([
            names[n % orgs], rng.choice(["资源", "需求"]), rng.choice(KINDS), f"{product}（规格{n}）",
            rng.randint(1, 5000), rng.choice(UNITS), f"{rng.randint(1, 900)}万元", None,
            "2026-12-31", None,
        ])
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=5_000)
    parser.add_argument("--keep", type=Path, help="write the workbook and database here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        book = folder / "bench.xlsx"
        started = time.perf_counter()
        generate(book, items=args.items, orgs=args.orgs)
        print(f"generated {book.name}: {args.orgs} organizations, {args.items} items "
              f"({book.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        database = folder / "bench.sqlite"
        database.unlink(missing_ok=True)
        workspace = Workspace(f"sqlite:///{database}")
        rows = args.items + args.orgs
        for run in ("first import", "re-import (all unchanged)"):
            started, cpu = time.perf_counter(), time.process_time()
            report = import_files(workspace=workspace, paths=[book])
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            # CPU time is reported too: on a shared machine the wall clock also measures the neighbours.
            print(f"{run}: {seconds:.1f} s wall ({cpu:.1f} s CPU), {rows / seconds:,.0f} rows/s "
                  f"({rows / cpu:,.0f} rows per CPU-second); orgs {report.orgs}, items {report.items}")
        workspace.close()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load average {load:.1f}, "
          f"Python {platform.python_version()}")


if __name__ == "__main__":
    main()
