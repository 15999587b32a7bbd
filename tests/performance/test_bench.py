"""The benchmark's own logic: reading wrk, judging targets, keeping results, its processes."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from bench import mixed, report, servers, wrk
from bench.measure import AssetFacts, PageFacts, _worst
from bench.run import _arguments, _pages
from bench.seed import BENCH_SEARCH_MIX, Seeded

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000/products
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.49ms    2.11ms  40.12ms   89.12%
    Req/Sec     2.48k   201.33     2.91k    71.50%
  Latency Distribution
     50%  812.00us
     75%    7.01ms
     90%    8.33ms
     99%    1.42s
  49412 requests in 10.01s, 1.23GB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4936.18
Transfer/sec:    125.73MB
"""


def test_wrk_output_is_read_with_its_units():
    load = wrk.parse(WRK_OUTPUT)
    assert load.rps == pytest.approx(4936.18)
    assert load.p50_ms == pytest.approx(0.812)
    assert load.p99_ms == pytest.approx(1420.0)
    assert (load.requests, load.bad_responses, load.socket_errors) == (49412, 3, 0)


def test_wrk_output_without_figures_is_an_error():
    with pytest.raises(wrk.WrkError):
        wrk.parse("unable to connect to 127.0.0.1:8000 Connection refused\n")


@pytest.mark.parametrize("url", ["http://10.0.0.8/", "http://example.com/", "http://[::2]/"])
def test_wrk_only_loads_loopback_addresses(url):
    with pytest.raises(wrk.WrkError, match="loopback"):
        wrk.run(url, duration=1)


def _load(rps: float, p99: float = 10.0, cpu: float | None = None) -> wrk.Load:
    return wrk.Load(rps=rps, p50_ms=p99 / 2, p99_ms=p99, requests=int(rps * 10), cpu_ms=cpu)


def _facts(html: int = 20_000, css: int = 20_000, conditional: str = "304",
           asset_ok: bool = True) -> PageFacts:
    asset = AssetFacts("/assets/css/site.0123456789.css", css, css // 4, asset_ok, True,
                       True, True)
    return PageFacts("/", 200, html, 5, 0, conditional, [asset])


def _results(**changes) -> report.Results:
    results = report.Results(started="now", machine="m", database="d", cache="c",
                             settings="s", seeding="x", hello=_load(1000, p99=10, cpu=0.25),
                             nginx=_load(20_000, p99=2))
    results.served = {name: _load(600, p99=20) for name in report.PAGES}
    results.scaling = {name: (_load(900), _load(1000)) for name in report.SCALING_PAGES}
    results.facts = {name: _facts() for name in report.PAGES}
    results.small_served = {name: _load(600) for name in report.SMALL_PAGES}
    results.small_beside = {name: _load(1000) for name in report.SMALL_PAGES}
    results.rendered = {name: _load(100, cpu=2.4) for name in report.PAGES}
    results.small_rendered = {name: _load(100, cpu=2.0) for name in report.COLD_PAGES}
    results.mixed = {size: _load(400, p99=25) for size in report.SIZES}
    results.mixed_beside = {size: _load(1000, p99=10) for size in report.SIZES}
    results.edge = {size: _load(12_000) for size in report.SIZES}
    results.edge_static = {size: _load(20_000, p99=2) for size in report.SIZES}
    for name, value in changes.items():
        setattr(results, name, value)
    return results


def _verdicts(results) -> dict[str, str]:
    return {verdict.target: verdict.word for verdict in report.evaluate(results)}


def test_figures_within_every_limit_pass():
    verdicts = _verdicts(_results())
    assert set(verdicts.values()) == {"PASS"}
    assert len(verdicts) == (len(report.RATE_TARGETS) + len(report.SMALL_PAGES)
                             + len(report.PAGES) + 2 * len(report.COLD_PAGES)
                             + 3 * len(report.SIZES)
                             + len(report.SCALING_PAGES) + 2 * len(report.PAGES) + 1
                             + len(report.PAGES) - 1)


def test_each_limit_fails_just_past_it():
    results = _results()
    results.served["list"] = _load(499, p99=30.1)  # under 50 %, p99 over 3x 10 ms
    results.served["search"] = _load(249)
    results.served["cart"] = _load(300)  # exactly 30 %: passes
    results.scaling["search"] = (_load(799), _load(1000))  # lost 20.1 %
    results.facts["article"] = _facts(html=report.HTML_LIMIT, css=30_000, conditional="200",
                                      asset_ok=False)
    results.rendered["article"] = _load(100, cpu=2.51)  # over 10x bare Flask's 0.25 ms
    results.small_served["product"] = _load(499)
    results.mixed["500"] = _load(349, p99=30.1)  # under 35 %, p99 over 3x 10 ms
    results.edge["5,000"] = _load(9_999)  # under half of nginx's 20,000
    failed = {target for target, word in _verdicts(results).items() if word == "FAIL"}
    assert failed == {
        "Article page, 5,000 products, rendered (cache off): CPU ≤ 10x bare Flask's",
        "Product page, 500 products: ≥ 50% of bare Flask's requests/s",
        "Mixed benchmark, 500 products: ≥ 35% of bare Flask's req/s",
        "Mixed benchmark, 500 products: p99 ≤ 3x bare Flask's",
        "Product list through prod's nginx, 5,000 products: ≥ 50% of nginx serving a saved copy",
        "Product list (24 per page): ≥ 50% of bare Flask's requests/s",
        "Search: ≥ 25% of bare Flask's requests/s",
        "Product list (24 per page): p99 ≤ 3x bare Flask's",
        "Search: from 500 to 5,000 products loses ≤ 20% of requests/s",
        f"Article page: HTML < {report.HTML_LIMIT // 1000} KB",
        "Article page: CSS + JS < 30 KB",
        "Article page: unchanged page answers 304",
        "Static assets hashed, cached a year, gzipped, revalidated (304)",
    }


def test_each_page_is_judged_against_bare_flask_measured_beside_it():
    results = _results()  # bare Flask at 1,000 req/s over the run, pages at 600
    results.beside["list"] = _load(1300, p99=5)  # but faster just beside the list
    verdicts = _verdicts(results)
    assert verdicts["Product list (24 per page): ≥ 50% of bare Flask's requests/s"] == "FAIL"
    assert verdicts["Product list (24 per page): p99 ≤ 3x bare Flask's"] == "FAIL"
    assert verdicts["Product page: ≥ 50% of bare Flask's requests/s"] == "PASS"


def test_a_rendered_page_is_judged_against_bare_flask_measured_beside_it():
    results = _results()  # rendered pages 2.4 ms of CPU, bare Flask 0.25 over the run
    results.rendered_beside["list"] = _load(1000, cpu=0.2)  # but 0.2 just beside the list
    results.small_rendered_beside["search"] = _load(1000, cpu=0.21)  # and the small search
    verdicts = _verdicts(results)
    cold = "{}, {} products, rendered (cache off): CPU ≤ 10x bare Flask's"
    assert verdicts[cold.format("Product list (24 per page)", "5,000")] == "FAIL"
    assert verdicts[cold.format("Search", "500")] == "PASS"  # 2.0 ms: 9.5x
    assert verdicts[cold.format("Product page", "5,000")] == "PASS"
    assert "| Search | - | - | - | 100 | 2.00 (9.5x) |" in report.render_run(results)


def test_targets_without_figures_are_not_measured():
    verdicts = _verdicts(_results(hello=None, served={}, scaling={}, facts={},
                                  small_served={}, small_rendered={}, rendered={}, mixed={},
                                  edge={}))
    assert set(verdicts.values()) == {"not measured"}


def test_results_keep_earlier_runs_newest_first(tmp_path):
    path = tmp_path / "results.md"
    for number in range(1, 5):
        report.write(path, report.render_run(_results(started=f"run {number}")), keep=3)
    text = path.read_text()
    assert text.startswith("# Benchmark results")
    assert text.index("run 4") < text.index("run 3") < text.index("run 2")
    assert "run 1" not in text
    assert text.count(report.RUN_MARKER) == 3


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return response.read()


def test_a_benchmark_server_is_stopped_with_its_workers(tmp_path):
    with servers.gunicorn("bench.hello:app", "hello", tmp_path) as server:
        before = server.cpu_seconds()
        for _ in range(200):
            assert _get(server.base + "/") == b"Hello"
        assert server.cpu_seconds() > before  # its workers' CPU time is counted
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.base + "/", timeout=2)  # noqa: S310


def test_a_mix_of_pages_is_loaded_in_turn_by_a_lua_script():
    script = wrk.rotation_script(["/search?q=retinol", "/search?q=sun%20block"])
    assert 'local paths = {"/search?q=retinol", "/search?q=sun%20block"}' in script
    assert "next_one % #paths + 1" in script
    assert 'wrk.format("GET", paths[next_one])' in script


def test_a_mix_of_pages_is_judged_by_its_worst():
    good, bad = _facts(html=10_000), _facts(html=30_000, conditional="200")
    worst = _worst([good, PageFacts("/b", 200, 12_000, 9, 0, "304", []), bad])
    assert (worst.html_bytes, worst.render_queries, worst.conditional) == (30_000, 9, "200")
    assert worst.path == "/ and 2 more"


def test_the_benchmark_loads_a_search_mix_with_typos_and_synonyms():
    mix = _pages(Seeded())["search_mix"]
    assert len(mix) == len(BENCH_SEARCH_MIX) >= 10
    assert {"/search?q=niacinimide", "/search?q=sunblock", "/search?q=Retin-A"} <= set(mix)
    assert "search_mix" in report.SCALING_PAGES
    assert "search_mix" in report.RATE_TARGETS


def test_the_edge_is_judged_against_the_saved_copy_from_the_same_nginx():
    """Like with like: prod's nginx serving the list from its cache over TLS, against the
    saved copy served by that same nginx, not against a plain-HTTP nginx elsewhere."""
    target = "Product list through prod's nginx, 500 products: ≥ 50% of nginx serving a saved copy"
    faster_plain = _results(nginx=_load(90_000, p99=2))
    assert _verdicts(faster_plain)[target] == "PASS"
    slower_tls = _results(edge_static={size: _load(30_000) for size in report.SIZES})
    assert _verdicts(slower_tls)[target] == "FAIL"


def test_the_mixed_benchmark_says_how_many_requests_were_rendered():
    text = report.render_run(_results(mixed_cache={"5,000": (950, 50)}))
    row = next(line for line in text.splitlines() if line.startswith("| Mixed, 5,000"))
    assert row.endswith("| 95.0% (50 rendered) |")
    assert next(line for line in text.splitlines()
                if line.startswith("| Mixed, 500 ")).endswith("| - |")


def test_page_cache_hits_and_misses_are_read_from_the_shops_metrics():
    exposition = (
        "# HELP storefront_page_cache_requests_total Page cache look-ups by a view.\n"
        "# TYPE storefront_page_cache_requests_total counter\n"
        'storefront_page_cache_requests_total{result="hit"} 1200.0\n'
        'storefront_page_cache_requests_total{result="miss"} 30.0\n'
        'storefront_orders_total{outcome="placed"} 4.0\n')
    counts = mixed.counts_in(exposition) - mixed.CacheCounts(200, 10)
    assert (counts.hits, counts.misses) == (1000, 20)
    assert counts.hit_ratio == pytest.approx(1000 / 1020)
    assert mixed.CacheCounts().hit_ratio is None


def test_a_run_of_some_parts_writes_results_only_where_it_is_told(tmp_path):
    assert _arguments([]).results.name == "results.md"
    assert _arguments(["--only", "mixed"]).results is None
    told = _arguments(["--only", "mixed", "--results", str(tmp_path / "r.md")])
    assert (told.only, told.results) == (["mixed"], tmp_path / "r.md")
