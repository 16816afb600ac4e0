"""A real `copark serve` on a free localhost port, for the tests that drive it over HTTP or in a browser."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

COPARK = str(Path(sys.executable).with_name("copark"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(database_url: str, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """(the server process, its base URL) once it answers; `options` are extra `copark serve` options."""
    port = free_port()
    process = subprocess.Popen([COPARK, "-d", database_url, "serve", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # readiness poll, not a timing assertion: wait until the server answers
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            time.sleep(0.1)
    return process, base
