"""Processes and databases a benchmark run starts, and always stops or drops again."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from storefront.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                response.read()
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s") from None
            time.sleep(0.2)


class Server:
    """A server we started: its base URL, and the CPU time its processes have used."""

    def __init__(self, base: str, process: subprocess.Popen):
        self.base = base
        self._group = process.pid  # started in a new session: it leads its process group

    def cpu_seconds(self) -> float:
        """User and system CPU of every process in the group (the master and its workers)."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self._group:
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def _stop(process: subprocess.Popen, name: str) -> None:
    """Stop a process we started, with its whole process group (workers included)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    print(f"  stopped {name}", flush=True)


@contextlib.contextmanager
def gunicorn(app: str, name: str, workdir: Path, env: dict[str, str] | None = None,
             health_path: str = "/"):
    """The project's gunicorn.conf.py with bench overrides: 2 sync workers on loopback.

    Yields a ``Server``; the process group is stopped on the way out, whatever happened.
    """
    port = free_port()
    settings = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        # The benchmark writes no access log (both apps alike) and recycles no worker
        # during a 10 s run, which would empty its in-process page cache.
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_MAX_REQUESTS": "0",
        **(env or {}),
    }
    settings.pop("FLASK_DEBUG", None)
    log = (workdir / f"{name}.log").open("w")
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app]
    process = subprocess.Popen(command, cwd=ROOT, env=settings, stdout=log,  # noqa: S603
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + health_path)
        print(f"  started {name} on {base}", flush=True)
        yield Server(base, process)
    finally:
        _stop(process, name)
        log.close()


NGINX_CONF = """\
worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        location / {{ default_type text/html; try_files /page.html =404; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_serving(html: bytes, workdir: Path):
    """nginx on a loopback port serving one saved page (a ``Server``), or None where
    nginx is missing."""
    binary = _nginx_binary()
    if binary is None:
        yield None
        return
    home = workdir / "nginx"
    (home / "www").mkdir(parents=True)
    (home / "www" / "page.html").write_bytes(html)
    for path in (workdir, home, home / "www", home / "www" / "page.html"):
        path.chmod(0o755)  # nginx's workers may run as another user
    port = free_port()
    (home / "nginx.conf").write_text(NGINX_CONF.format(dir=home, port=port))
    log = (workdir / "nginx.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [binary, "-p", str(home), "-c", str(home / "nginx.conf"), "-e", str(home / "error.log")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", seconds=15)
        print(f"  started nginx on {base}", flush=True)
        yield Server(base, process)
    finally:
        _stop(process, "nginx")
        log.close()


FRONT_CONF = """\
{user}worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 512; }}
http {{
    access_log off;
{temp_paths}
{site}
}}
"""


def _nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None)


def _prod_site(home: Path, upstream_port: int, http_port: int, https_port: int) -> str:
    """prod/nginx-site.conf as docs/deploy.md fills it in, on loopback ports, with a
    certificate made for the run; its comments left out."""
    certificate, key = home / "localhost.pem", home / "localhost-key.pem"
    subprocess.run(  # noqa: S603
        [shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "rsa:2048",
         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
         "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True)
    site = "\n".join(line for line in (ROOT / "prod" / "nginx-site.conf").read_text()
                     .splitlines() if not line.lstrip().startswith("#"))
    for placeholder, value in {
        "SERVER_NAME": "localhost", "HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "HTTPS_LISTEN": f"127.0.0.1:{https_port}", "HTTPS_PORT_SUFFIX": f":{https_port}",
        "UPSTREAM_SERVERS": f"server 127.0.0.1:{upstream_port};",
        "CERTIFICATE": str(certificate), "CERTIFICATE_KEY": str(key),
        "CACHE_DIR": str(home / "cache"), "MEDIA_UPSTREAM": "http://storefront_app",
        "MEDIA_HOST": "$http_host",
    }.items():
        site = site.replace(f"@@{placeholder}@@", value)
    return site


SAVED_COPY = "/saved-copy.html"  # where nginx_front serves ``saved_page``


def _with_saved_copy(site: str, home: Path, page: bytes) -> str:
    """The site with one more location in its HTTPS server (before its catch-all): the
    saved ``page`` as a file at SAVED_COPY, over the very same TLS and server settings."""
    www = home / "www"
    www.mkdir()
    (www / SAVED_COPY.lstrip("/")).write_bytes(page)
    for path in (home.parent, home, www, www / SAVED_COPY.lstrip("/")):
        path.chmod(0o755)  # nginx's workers may run as another user
    catch_all = site.rindex("    location / {")
    return (site[:catch_all] + f"    location = {SAVED_COPY} {{\n        root {www};\n"
            "        default_type text/html;\n    }\n\n" + site[catch_all:])


@contextlib.contextmanager
def nginx_front(upstream: str, workdir: Path, label: str, saved_page: bytes | None = None):
    """nginx with the production site (prod/nginx-site.conf: TLS, the page cache) in front
    of the server at ``upstream``; a ``Server`` at https://localhost:<port>, or None where
    nginx is missing. With ``saved_page``, the same server also serves that page as a file
    at SAVED_COPY: the yardstick for the pages it caches, like with like."""
    binary = _nginx_binary()
    if binary is None:
        yield None
        return
    home = workdir / label
    (home / "temp").mkdir(parents=True)
    (home / "cache").mkdir()  # nginx makes static/ and pages/ in it, not the folder itself
    http_port, https_port = free_port(), free_port()
    site = _prod_site(home, int(upstream.rsplit(":", 1)[1]), http_port, https_port)
    if saved_page is not None:
        site = _with_saved_copy(site, home, saved_page)
    temp_paths = "".join(f"    {kind}_temp_path {home}/temp/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (home / "nginx.conf").write_text(FRONT_CONF.format(user=user, dir=home, site=site,
                                                       temp_paths=temp_paths))
    log = (workdir / f"{label}.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [binary, "-p", str(home), "-c", str(home / "nginx.conf"), "-e",
         str(home / "error.log")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"https://localhost:{https_port}"
    try:
        _wait_for_port(https_port)
        print(f"  started nginx ({label}) on {base}", flush=True)
        yield Server(base, process)
    finally:
        _stop(process, f"nginx ({label})")
        log.close()


def _wait_for_port(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered on port {port}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def throwaway_database(label: str, workdir: Path, server_url: str | None):
    """A new empty database: a SQLite file in ``workdir``, or one created on ``server_url``
    (a PostgreSQL server, e.g. BENCH_DATABASE_URL) and dropped at the end."""
    if not server_url:
        yield f"sqlite:///{workdir / (label + '.db')}"
        return
    url = make_url(normalise_database_url(server_url))
    name = f"storefront_bench_{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        print(f"  dropped database {name}", flush=True)
