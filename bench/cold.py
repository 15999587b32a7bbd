"""The cold path in one process: CPU per page rendered with the page cache off, beside bare
Flask, through Flask's test client (no gunicorn, no wrk: quick, and steady on a busy machine).

    python -m bench.cold                       # 5,000 products on SQLite, every page
    python -m bench.cold --products 500 --pages list product
    python -m bench.cold --profile list        # cProfile's top lines for one page
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.cold

The ratio is what matters: ``make bench`` judges the same thing under gunicorn and wrk.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import hello
from bench.run import _pages
from bench.seed import seed
from storefront import create_app
from storefront.config import normalise_database_url

COLD_PAGES = ("home", "list", "filtered", "product", "article", "condition", "search",
              "search_mix")


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=60, help="per page (after warm-up)")
    parser.add_argument("--pages", nargs="*", default=list(COLD_PAGES), choices=COLD_PAGES)
    parser.add_argument("--profile", choices=COLD_PAGES, help="print a profile of one page")
    parser.add_argument("--lines", type=int, default=30, help="profile lines shown")
    return parser.parse_args(argv)


def _database(workdir: Path) -> tuple[str, str | None]:
    """(URL, name of a PostgreSQL database to drop afterwards)."""
    server = os.environ.get("BENCH_DATABASE_URL")
    if not server:
        return f"sqlite:///{workdir / 'cold.db'}", None
    name = f"bench_cold_{secrets.token_hex(4)}"
    engine = create_engine(normalise_database_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}", name


def _drop(name: str) -> None:
    engine = create_engine(normalise_database_url(os.environ["BENCH_DATABASE_URL"]),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _cpu_per_request(client, paths: tuple[str, ...], count: int) -> float:
    """Milliseconds of this process's CPU per request, after one warm-up round."""
    for path in paths:
        assert client.get(path).status_code == 200, path
    started = time.process_time()
    for number in range(count):
        client.get(paths[number % len(paths)])
    return (time.process_time() - started) * 1000 / count


def _paths(address) -> tuple[str, ...]:
    return (address,) if isinstance(address, str) else tuple(address)


def main(argv=None) -> int:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url, dropped = _database(workdir)
        try:
            engine = create_engine(normalise_database_url(url))
            seeded = seed(engine, products=args.products)
            engine.dispose()
            app = create_app({"APP_ENV": "benchmark", "DATABASE_URL": url,
                              "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                              "SECRET_KEY": secrets.token_hex(16), "REDIS_URL": "",
                              "PAGE_CACHE_ENABLED": False, "LOG_FORMAT": "text"})
            app.instance_path = str(workdir / "instance")
            pages = _pages(seeded)
            client = app.test_client()
            # As a gunicorn worker does once it has loaded the app (gunicorn.conf.py): full
            # collections skip the app's long-lived objects. Otherwise a page's figure holds
            # whichever collections the pages measured before it happened to leave over.
            gc.collect()
            gc.freeze()
            bare = _cpu_per_request(hello.app.test_client(), ("/",), args.requests * 20)
            print(f"bare Flask: {bare:.3f} ms CPU per request ({args.products:,} products)")
            if args.profile:
                _profile(client, _paths(pages[args.profile]), args)
                return 0
            for name in args.pages:
                cost = _cpu_per_request(client, _paths(pages[name]), args.requests)
                print(f"{name:12} {cost:7.2f} ms  {cost / bare:6.1f}x bare Flask")
        finally:
            if dropped:
                _drop(dropped)
    return 0


def _profile(client, paths: tuple[str, ...], args) -> None:
    _cpu_per_request(client, paths, 5)
    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(args.requests):
        client.get(paths[number % len(paths)])
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("tottime")
    stats.print_stats(args.lines)
    stats.sort_stats("cumulative").print_stats(args.lines)


if __name__ == "__main__":
    raise SystemExit(main())
