"""Running wrk against a loopback URL and reading its report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", re.MULTILINE)
_BAD = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class Load:
    """What wrk measured: requests per second and latency percentiles in milliseconds."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_responses: int = 0
    socket_errors: int = 0
    cpu_ms: float | None = None  # server CPU per request, when it was measured

    def with_cpu(self, cpu_seconds: float) -> Load:
        return replace(self, cpu_ms=cpu_seconds * 1000 / max(self.requests, 1))


def parse(output: str) -> Load:
    """Read ``wrk --latency`` output; a WrkError when it holds no figures."""
    rate = _RATE.search(output)
    percentiles = {int(p): float(v) * _UNITS[u] for p, v, u in _LATENCY.findall(output)}
    total = _TOTAL.search(output)
    if rate is None or 50 not in percentiles or 99 not in percentiles or total is None:
        raise WrkError(f"wrk printed no figures:\n{output[-2000:]}")
    bad = _BAD.search(output)
    errors = _ERRORS.search(output)
    return Load(
        rps=float(rate.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)),
        bad_responses=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise WrkError(f"the benchmark only loads loopback addresses, not {host!r}")


def rotation_script(paths: list[str] | tuple[str, ...]) -> str:
    """A wrk Lua script that asks for ``paths`` in turn (each thread from its own start)."""
    listed = ", ".join(json.dumps(path, ensure_ascii=True) for path in paths)
    return ("local paths = {" + listed + "}\n"
            "local next_one = 0\n"
            "request = function()\n"
            "  next_one = next_one % #paths + 1\n"
            "  return wrk.format(\"GET\", paths[next_one])\n"
            "end\n")


def run(url: str, *, duration: int = 10, connections: int = 32, threads: int = 2,
        headers: dict[str, str] | None = None,
        paths: list[str] | tuple[str, ...] | None = None) -> Load:
    """``wrk -t2 -c32 -d10s --latency`` on a loopback URL (at most 15 seconds of load);
    with ``paths``, the requests go to each of them in turn on that host."""
    _check_loopback(url)
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkError("wrk is not installed")
    duration = max(1, min(int(duration), 15))
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="storefront-wrk-") as folder:
        if paths:
            script = Path(folder) / "rotation.lua"
            script.write_text(rotation_script(paths))
            command += ["-s", str(script)]
        command.append(url)
        finished = subprocess.run(command, capture_output=True, text=True,  # noqa: S603
                                  timeout=duration + 30, check=False)
    if finished.returncode != 0:
        raise WrkError(f"wrk failed ({finished.returncode}): {finished.stderr[-1000:]}")
    return parse(finished.stdout)
