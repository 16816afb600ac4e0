"""Time `copark match` over every need of the bundled demo (warm), the path `copark demo` runs.

Usage: .venv/bin/python bench/demo_bench.py   — prints one JSON line (median of 5 runs, seconds).
"""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from copark.demo import load_demo
from copark.services import opportunities as service
from copark.workspace import Workspace


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="copark-demo-bench-") as tmp:
        workspace = Workspace(f"sqlite:///{Path(tmp) / 'demo.sqlite'}")
        try:
            load_demo(workspace=workspace)
            times = []
            with workspace.transaction() as session:
                service.match(session=session, org="可孚医疗", regions=workspace.regions)  # warm jieba and the graph
                for _ in range(5):
                    started = time.perf_counter()
                    run = service.match(session=session, regions=workspace.regions)
                    times.append(time.perf_counter() - started)
        finally:
            workspace.close()
    print(json.dumps({"needs": run.needs, "opportunities": len(run.opportunities), "ranker": run.ranker,
                      "median_s": round(statistics.median(times), 3), "python": platform.python_version()}))


if __name__ == "__main__":
    main()
