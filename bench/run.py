"""``make bench``: seed throwaway shops, serve them with gunicorn, load them with wrk, and
write bench/results.md. It reports; it never fails on the figures (exit 0)."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import secrets
import shutil
import sqlite3
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean

from sqlalchemy import create_engine, text

from bench import measure, mixed, report, servers, wrk
from bench.seed import BENCH_SEARCH_MIX, BENCH_SEARCH_WORD, Seeded, seed
from storefront.config import normalise_database_url

HERE = Path(__file__).resolve().parent
SECRET = secrets.token_hex(32)  # one per run: the sessions of a run are its own
METRICS_TOKEN = secrets.token_hex(16)  # the run reads the shops' /metrics with it
# The parts of a run, in the order they run (``--only`` picks some).
# The mixed benchmark's shops keep pages here (a database of its own, emptied by each run).
MIXED_REDIS_URL = "redis://127.0.0.1:6379/11"
PARTS = ("measure", "served", "small", "scaling", "edge", "mixed", "rendered")


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (≤ 15)")
    parser.add_argument("--rendered-duration", type=int, default=5,
                        help="seconds per run with the page cache off (0 skips them)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--small-products", type=int, default=500)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--conditions", type=int, default=30)
    parser.add_argument("--mixed-store", choices=("redis", "local"), default="redis",
                        help="where the mixed benchmark's shops keep pages: Redis shared by "
                        "the workers (BENCH_MIXED_REDIS_URL, default " + MIXED_REDIS_URL
                        + ", emptied at the start), or each worker's memory")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, metavar="PART",
                        help="run only these parts: " + ", ".join(PARTS) + " (then results "
                        "are written only where --results says)")
    parser.add_argument("--results", type=Path, default=None,
                        help="where to write the results (default bench/results.md, "
                        "unless --only is given)")
    args = parser.parse_args(argv)
    if args.results is None and set(args.only) == set(PARTS):
        args.results = HERE / "results.md"
    return args


def _pages(seeded: Seeded) -> dict[str, str | tuple[str, ...]]:
    """Each page's address; the search mix is several, loaded in turn."""
    return {
        "home": "/",
        "list": "/products",
        "filtered": f"/products?category={seeded.category_slug}&skin_type=dry&sort=price_asc",
        "product": f"/products/{seeded.product_slug}",
        "article": f"/articles/{seeded.article_slug}",
        "condition": f"/conditions/{seeded.condition_slug}",
        "search": f"/search?q={BENCH_SEARCH_WORD}",
        "search_mix": tuple(f"/search?{urllib.parse.urlencode({'q': query})}"
                            for query in BENCH_SEARCH_MIX),
        "cart": "/cart/",
    }


def _paths(path: str | tuple[str, ...]) -> tuple[str, ...]:
    return (path,) if isinstance(path, str) else path


def _seed(url: str, products: int, args) -> Seeded:
    engine = create_engine(normalise_database_url(url))
    try:
        seeded = seed(engine, products=products, articles=args.articles,
                      conditions=args.conditions)
    finally:
        engine.dispose()
    print(f"  seeded {seeded.products:,} products ({seeded.variants:,} sizes), "
          f"{seeded.articles:,} articles, {seeded.conditions} conditions, "
          f"{seeded.recommendations} recommendations in {seeded.seconds:.1f} s", flush=True)
    return seeded


def _machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{platform.node()}, {os.cpu_count()} cores ({cpu}), Python "
            f"{platform.python_version()}; load average at the start {load}")


def _database(url: str | None) -> str:
    if not url:
        return f"SQLite {sqlite3.sqlite_version} (a file in a temporary folder)"
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()
    return f"PostgreSQL {version} (throwaway databases, dropped afterwards)"


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.read()


def _warm(base: str, path: str | tuple[str, ...], headers: dict[str, str] | None = None,
          times: int = 10) -> None:
    for one in _paths(path):
        for _ in range(times):
            _get(base + one, headers)


def _cart_cookie(base: str, product_path: str, variant_ids: list[int]) -> str:
    """A session cookie whose cart holds ``variant_ids``, made through the real forms."""
    opener = urllib.request.build_opener(_NoRedirect)
    cookie = ""
    for variant_id in variant_ids:
        page = urllib.request.Request(base + product_path,  # noqa: S310 (loopback)
                                      headers={"Cookie": cookie} if cookie else {})
        with opener.open(page, timeout=30) as response:
            cookie = _session_cookie(response.headers.get_all("Set-Cookie")) or cookie
            response.read()
        # Adding to the cart is checked by where the form comes from, as a browser says.
        form = urllib.parse.urlencode({"variant_id": variant_id, "quantity": 1}).encode()
        post = urllib.request.Request(base + "/cart/add", data=form,  # noqa: S310
                                      headers={"Cookie": cookie, "Origin": base,
                                               "Sec-Fetch-Site": "same-origin"})
        try:
            opener.open(post, timeout=30)
        except urllib.error.HTTPError as redirect:  # the 302 back, with the cart in the cookie
            if redirect.code != 302:
                raise
            cookie = _session_cookie(redirect.headers.get_all("Set-Cookie")) or cookie
    # Follow the last redirect, as a browser does: the cart page shows (and so clears)
    # the "Added ..." message, which would otherwise be shown on every request of the run.
    cart = urllib.request.Request(base + "/cart/", headers={"Cookie": cookie})  # noqa: S310
    with opener.open(cart, timeout=30) as response:
        return _session_cookie(response.headers.get_all("Set-Cookie")) or cookie


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _session_cookie(headers: list[str] | None) -> str | None:
    for header in headers or []:
        first = header.split(";", 1)[0]
        if first.startswith("session="):
            return first
    return None


def _load(label: str, server: servers.Server, path: str | tuple[str, ...], args,
          duration: int | None = None, headers: dict[str, str] | None = None) -> wrk.Load:
    """wrk on one page (or several in turn), with the CPU time the server spent per
    request meanwhile."""
    paths = _paths(path)
    before = server.cpu_seconds()
    load = wrk.run(server.base + paths[0], duration=duration or args.duration,
                   connections=args.connections, threads=args.threads, headers=headers,
                   paths=paths if len(paths) > 1 else None)
    load = load.with_cpu(server.cpu_seconds() - before)
    flag = f", {load.bad_responses} bad responses" if load.bad_responses else ""
    print(f"  {label:34} {load.rps:9,.0f} req/s  p50 {load.p50_ms:6.1f} ms  "
          f"p99 {load.p99_ms:6.1f} ms  {load.cpu_ms:5.2f} ms CPU/req{flag}", flush=True)
    return load


def _served_runs(results, shop, hello, first_hello, pages, cookie, args) -> list[wrk.Load]:
    """Each page, with bare Flask loaded again right after it: each page is compared with
    the bare Flask runs on either side of it, so a change in the machine's other load
    during the run moves both alike."""
    hellos, previous = [first_hello], first_hello
    for name, path in pages.items():
        headers = {"Cookie": cookie} if name == "cart" else None
        _warm(shop.base, path, headers)
        results.served[name] = _load(f"{name} (served)", shop, path, args, headers=headers)
        after = _load("bare Flask hello", hello, "/", args, max(3, args.duration // 2))
        results.beside[name] = _mean([previous, after])
        hellos.append(after)
        previous = after
    return hellos


def _small_served_runs(results, small, hello, pages, args) -> None:
    """The pages at 500 products, each with bare Flask loaded right after it."""
    previous = results.hello
    for name in report.SMALL_PAGES:
        _warm(small.base, pages[name])
        results.small_served[name] = _load(f"{name}, 500 products (served)", small,
                                           pages[name], args)
        after = _load("bare Flask hello", hello, "/", args, max(3, args.duration // 2))
        results.small_beside[name] = _mean([previous, after])
        previous = after


def _rendered_runs(target: dict, beside: dict, shop, hello, pages, cookie, args, names=None,
                   label="") -> None:
    """Each page rendered afresh, with bare Flask loaded again right after it, as the
    served pages are: the machine's speed moves within a run (by up to a half within an
    hour here), and a page's CPU is judged against bare Flask's measured beside it."""
    previous = _load("bare Flask hello", hello, "/", args, max(3, args.duration // 2))
    for name, path in pages.items():
        if names is not None and name not in names:
            continue
        headers = {"Cookie": cookie} if name == "cart" else None
        _warm(shop.base, path, headers, times=3)
        target[name] = _load(f"{name}{label} (rendered)", shop, path, args,
                             args.rendered_duration, headers)
        after = _load("bare Flask hello", hello, "/", args, max(3, args.duration // 2))
        beside[name] = _mean([previous, after])
        previous = after


def _mixed_runs(results, sites, hello, workdir, args) -> None:
    """Browsing a skewed mix while purchases and price edits run (bench/mixed.py), on a shop
    of its own in production's shape: pages and tags in Redis, shared by both workers
    (``--mixed-store local``: each worker's memory, as without Redis)."""
    redis_url = _mixed_redis(results, args)
    for size, (url, label, seeded) in zip(report.SIZES, sites, strict=True):
        env = {**_shop_env(url, workdir, f"mixed-{label}", True), "REDIS_URL": redis_url}
        with servers.gunicorn("bench.wsgi:app", f"shop-mixed-{label}", workdir, env,
                              "/healthz") as server:
            writer = mixed.Writer(_writer_settings(url, redis_url),
                                  str(workdir / f"mixed-{label}"), seeded.sold_variant_ids)
            _mixed_run(results, size, (server, url, writer), hello, args)


def _mixed_redis(results, args) -> str:
    """The Redis database the mixed benchmark's shops keep pages in, emptied ("" for
    each worker's memory)."""
    if args.mixed_store == "local":
        return ""
    url = os.environ.get("BENCH_MIXED_REDIS_URL", MIXED_REDIS_URL)
    if not mixed.empty_redis(url):
        results.notes.append(f"Redis did not answer at {url}: the mixed benchmark kept "
                             "pages in each worker's memory instead.")
        return ""
    return url


def _mixed_run(results, size, shop, hello, args) -> None:
    server, url, writer = shop
    paths = mixed.browsing_paths(url)
    started = time.monotonic()
    warmed = mixed.warm_up(server.base, paths)
    warming = time.monotonic() - started
    before = mixed.cache_counts(server.base, METRICS_TOKEN)
    writer.start()
    try:
        results.mixed[size] = _load(f"mixed, {size} products", server, tuple(paths), args)
    finally:
        changes = writer.stop()
    counts = mixed.cache_counts(server.base, METRICS_TOKEN) - before
    results.mixed_cache[size] = (counts.hits, counts.misses)
    print(f"  {'':34} {counts.hits:,} served from the page cache, {counts.misses:,} "
          f"rendered ({counts.hit_ratio or 0:.1%} hits)", flush=True)
    after = _load("bare Flask hello", hello, "/", args, max(3, args.duration // 2))
    results.mixed_beside[size] = _mean([results.hello, after])
    results.notes.append(
        f"Mixed benchmark at {size} products: {changes.purchases} purchases "
        f"({changes.refused} refused for want of stock) and {changes.price_edits} price "
        f"edits during the {args.duration} s run, over {len(paths):,} addresses in turn "
        f"({warmed:,} different pages, each asked for once before, in {warming:.0f} s); "
        f"{counts.hits:,} requests served from the page cache, {counts.misses:,} rendered.")


def _edge_runs(results, stack, shops, workdir, pages, args) -> None:
    """The product list through nginx with prod/nginx-site.conf in front of each shop,
    against a saved copy of it served as a file by that same nginx (the same server block,
    TLS and all), loaded in alternating halves."""
    for size, (server, label) in zip(report.SIZES, shops, strict=True):
        front = stack.enter_context(servers.nginx_front(
            server.base, workdir, f"front-{label}", _get(server.base + pages["list"])))
        if front is None:
            return
        for _ in range(3):
            _get_insecure(front.base + pages["list"])
        half = max(2, args.duration // 2)
        runs: dict[str, list[wrk.Load]] = {"edge": [], "static": []}
        for _ in range(2):
            runs["static"].append(_load(f"saved list from prod's nginx, {size}", front,
                                        servers.SAVED_COPY, args, half))
            runs["edge"].append(_load(f"list via prod's nginx, {size} products", front,
                                      pages["list"], args, half))
        results.edge[size] = _mean(runs["edge"])
        results.edge_static[size] = _mean(runs["static"])


def _get_insecure(url: str) -> None:
    """A GET over TLS to our own loopback nginx (its certificate is the run's own)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url, timeout=30, context=context) as response:  # noqa: S310
        response.read()


def _writer_settings(url: str, redis_url: str) -> dict:
    """The shop's settings (bench/wsgi.py with _shop_env), for the mixed benchmark's writer."""
    return {"APP_ENV": "benchmark", "DATABASE_URL": url,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": SECRET,
            "REDIS_URL": redis_url, "LOG_FORMAT": "text"}


def _scaling_runs(target: dict, shops, pages, args, duration) -> None:
    """Each page on both shops, in alternating halves (big, small, big, small)."""
    big, small = shops
    half = max(2, duration // 2)
    for name in report.SCALING_PAGES:
        path = pages[name]
        _warm(big.base, path)
        _warm(small.base, path)
        runs = {"big": [], "small": []}
        for _ in range(2):
            runs["big"].append(_load(f"{name}, 5,000 products", big, path, args, half))
            runs["small"].append(_load(f"{name}, 500 products", small, path, args, half))
        target[name] = (_mean(runs["big"]), _mean(runs["small"]))


def _check_problems(results) -> None:
    for group, loads in (("served", results.served), ("rendered", results.rendered)):
        for name, load in loads.items():
            if load.bad_responses or load.socket_errors:
                results.notes.append(
                    f"{report.PAGES[name]} ({group}): {load.bad_responses} responses other "
                    f"than 2xx/3xx and {load.socket_errors} socket errors under load.")


def _shop_env(url: str, workdir: Path, label: str, cached: bool) -> dict[str, str]:
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "BENCH_INSTANCE": str(workdir / label),
           "BENCH_PAGE_CACHE": "1" if cached else "0", "REDIS_URL": "",
           "METRICS_TOKEN": METRICS_TOKEN, "LOG_FORMAT": "text"}
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def _cache_label() -> str:
    if not os.environ.get("BENCH_REDIS_URL"):
        return "in-process (SimpleCache), one per worker"
    if os.environ.get("PAGE_CACHE_STORE") == "local":
        return "in-process pages per worker, generation in Redis (PAGE_CACHE_STORE=local)"
    return "Redis (BENCH_REDIS_URL)"


def _load_everything(results, stack, workdir, urls, seeds, pages, args) -> None:
    big_url, small_url = urls
    seeded, small_seeded = seeds
    parts = set(args.only)
    shop = stack.enter_context(servers.gunicorn(
        "bench.wsgi:app", "shop", workdir, _shop_env(big_url, workdir, "shop", True),
        "/healthz"))
    small = stack.enter_context(servers.gunicorn(
        "bench.wsgi:app", "shop-500", workdir, _shop_env(small_url, workdir, "small", True),
        "/healthz"))
    hello = stack.enter_context(servers.gunicorn("bench.hello:app", "hello", workdir))
    _warm(hello.base, "/")
    results.hello = _load("bare Flask hello", hello, "/", args)
    if parts & {"served", "edge"}:
        _nginx_run(results, stack, shop, workdir, pages, args)
    if "served" in parts:
        _page_runs(results, shop, hello, pages, seeded, args)
    if "small" in parts:
        _small_served_runs(results, small, hello, _pages(small_seeded), args)
    if "scaling" in parts:
        _scaling_runs(results.scaling, (shop, small), pages, args, args.duration)
    if "edge" in parts:
        _edge_runs(results, stack, ((shop, "shop"), (small, "small")), workdir, pages, args)
    if "mixed" in parts:
        _mixed_runs(results, ((big_url, "shop", seeded), (small_url, "small", small_seeded)),
                    hello, workdir, args)
    if "rendered" in parts and args.rendered_duration > 0:
        _all_rendered_runs(results, stack, workdir, urls, seeds, pages, hello, args)


def _nginx_run(results, stack, shop, workdir, pages, args) -> None:
    """nginx serving a saved copy of the product list: the physical limit."""
    nginx = stack.enter_context(servers.nginx_serving(_get(shop.base + pages["list"]),
                                                      workdir))
    if nginx is None:
        results.notes.append("nginx is not installed: no comparison with a static file.")
    else:
        results.nginx = _load("nginx, saved product list", nginx, "/", args)


def _page_runs(results, shop, hello, pages, seeded, args) -> None:
    """Every page served, bare Flask beside each, and the shop's /healthz."""
    cookie = _cart_cookie(shop.base, pages["product"], seeded.sold_variant_ids)
    hellos = _served_runs(results, shop, hello, results.hello, pages, cookie, args)
    results.floor = _load("the shop's /healthz", shop, "/healthz", args)
    results.hello = _mean(hellos)
    results.notes.append(
        "Bare Flask was loaded before the pages and after each of them: "
        + ", ".join(f"{load.rps:,.0f}" for load in hellos) + " req/s. Each page is compared "
        "with the two runs beside it; the bare Flask row shows the mean of all.")


def _all_rendered_runs(results, stack, workdir, urls, seeds, pages, hello, args) -> None:
    """Every page with the page cache off, on both shops, bare Flask beside each."""
    big_url, small_url = urls
    seeded, small_seeded = seeds
    fresh = stack.enter_context(servers.gunicorn(
        "bench.wsgi:app", "shop-uncached", workdir,
        _shop_env(big_url, workdir, "fresh", False), "/healthz"))
    fresh_small = stack.enter_context(servers.gunicorn(
        "bench.wsgi:app", "shop-500-uncached", workdir,
        _shop_env(small_url, workdir, "fresh-small", False), "/healthz"))
    _rendered_runs(results.rendered, results.rendered_beside, fresh, hello, pages,
                   _cart_cookie(fresh.base, pages["product"], seeded.sold_variant_ids), args)
    _rendered_runs(results.small_rendered, results.small_rendered_beside, fresh_small, hello,
                   _pages(small_seeded), "", args, report.COLD_PAGES, ", 500 products")
    _scaling_runs(results.rendered_scaling, (fresh, fresh_small), pages, args,
                  args.rendered_duration)
    beside = [load.cpu_ms for runs in (results.rendered_beside, results.small_rendered_beside)
              for load in runs.values() if load.cpu_ms is not None]
    if beside:
        results.notes.append(
            "Each page rendered afresh is judged against bare Flask loaded right before and "
            f"after it: from {min(beside):.2f} to {max(beside):.2f} ms of CPU a request over that "
            "part of the run.")


def _mean(loads: list[wrk.Load]) -> wrk.Load:
    """The mean of several runs of the same thing (counts are added up)."""
    cpus = [load.cpu_ms for load in loads if load.cpu_ms is not None]
    return wrk.Load(rps=fmean(load.rps for load in loads),
                    p50_ms=fmean(load.p50_ms for load in loads),
                    p99_ms=fmean(load.p99_ms for load in loads),
                    requests=sum(load.requests for load in loads),
                    bad_responses=sum(load.bad_responses for load in loads),
                    socket_errors=sum(load.socket_errors for load in loads),
                    cpu_ms=fmean(cpus) if len(cpus) == len(loads) else None)


def main(argv=None) -> int:
    args = _arguments(argv)
    server_url = os.environ.get("BENCH_DATABASE_URL") or None
    started = time.monotonic()
    results = report.Results(
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), machine=_machine(),
        database=_database(server_url),
        cache=_cache_label() + ("; mixed benchmark: Redis, shared by the workers"
                                if args.mixed_store == "redis" else ""),
        settings=(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
                  f"(rendered: -d{args.rendered_duration}s); gunicorn.conf.py with 2 sync "
                  "workers, no access log, no worker recycling"),
        seeding="")
    with contextlib.ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        print(f"Working in {workdir}", flush=True)
        big_url = stack.enter_context(servers.throwaway_database("big", workdir, server_url))
        small_url = stack.enter_context(servers.throwaway_database("small", workdir,
                                                                   server_url))
        seeded = _seed(big_url, args.products, args)
        small_seeded = _seed(small_url, args.small_products, args)
        results.seeding = (
            f"{seeded.products:,} products ({seeded.variants:,} sizes), {seeded.articles:,} "
            f"articles, {seeded.conditions} conditions, {seeded.recommendations} "
            f"recommendations, seeded in {seeded.seconds:.1f} s; the 500-product shop in "
            f"{small_seeded.seconds:.1f} s")
        pages = _pages(seeded)
        if "measure" in args.only:
            print("Measuring SQL, weights and headers in-process", flush=True)
            results.facts = measure.measure_pages(
                big_url, pages, (pages["product"], seeded.sold_variant_ids),
                workdir / "measure")
        if shutil.which("wrk") is None:
            results.notes.append("wrk is not installed (make bench installs it as root): "
                                 "no load figures.")
        else:
            print("Loading the servers", flush=True)
            _load_everything(results, stack, workdir, (big_url, small_url),
                             (seeded, small_seeded), pages, args)
            _check_problems(results)
    results.notes.append(f"The whole run took {time.monotonic() - started:.0f} s; load "
                         "average at the end " +
                         " / ".join(f"{value:.1f}" for value in os.getloadavg()) + ".")
    if args.results is not None:
        report.write(args.results, report.render_run(results))
        print(f"Wrote {args.results}", flush=True)
    for verdict in report.evaluate(results):
        if verdict.passed is not None or set(args.only) == set(PARTS):
            print(f"  {verdict.word:12} {verdict.target}: {verdict.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
