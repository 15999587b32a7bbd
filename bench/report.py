"""The benchmark's targets, judged from one run's figures, and results.md written from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import PageFacts
from bench.wrk import Load

PAGES = {
    "home": "Home",
    "list": "Product list (24 per page)",
    "filtered": "Filtered product list",
    "product": "Product page",
    "article": "Article page",
    "condition": "Condition page",
    "search": "Search",
    "search_mix": "Search mix (typos, synonyms)",
    "cart": "Cart with 3 items",
}
# Share of the bare Flask app's requests/s each page must reach (the home page: no target).
RATE_TARGETS = {"list": 0.50, "filtered": 0.50, "product": 0.50, "article": 0.50,
                "condition": 0.50, "search": 0.25, "search_mix": 0.25, "cart": 0.30}
P99_FACTOR = 3.0
SCALING_PAGES = ("list", "search", "search_mix")
# Pages rendered with the page cache off: at most this many times bare Flask's CPU each.
COLD_PAGES = ("home", "list", "product", "article", "condition", "search")
COLD_FACTOR = 10.0
# Served from the page cache at 500 products too (at 5,000: RATE_TARGETS).
SMALL_PAGES = ("list", "filtered", "product", "article", "condition")
MIXED_SHARE = 0.35  # the mixed benchmark (browsing while stock and prices change)
EDGE_SHARE = 0.50  # the product list through prod's nginx, against nginx serving a copy
SIZES = ("5,000", "500")
SCALING_MAX_LOSS = 0.20
# 40 KB until the footer's shop pages and back-in-stock links on sold-out recommendation
# cards (issue 19) came: a benchmark article with 15 product cards is 40.4 KB.
HTML_LIMIT = 42_000
CSS_JS_LIMIT = 30_000
RUN_MARKER = "<!-- bench run -->"
KEEP_RUNS = 10


@dataclass
class Results:
    """Everything one run measured. Loads are keyed by page name (see PAGES)."""

    started: str
    machine: str
    database: str
    cache: str
    settings: str
    seeding: str
    hello: Load | None = None
    nginx: Load | None = None
    floor: Load | None = None  # the shop's /healthz: its middleware, no page
    served: dict[str, Load] = field(default_factory=dict)
    beside: dict[str, Load] = field(default_factory=dict)  # bare Flask run beside each page
    rendered: dict[str, Load] = field(default_factory=dict)
    rendered_beside: dict[str, Load] = field(default_factory=dict)  # bare Flask beside each
    scaling: dict[str, tuple[Load, Load]] = field(default_factory=dict)  # (5,000, 500)
    rendered_scaling: dict[str, tuple[Load, Load]] = field(default_factory=dict)
    facts: dict[str, PageFacts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # At 500 products: pages served and rendered, with bare Flask beside the served ones.
    small_served: dict[str, Load] = field(default_factory=dict)
    small_beside: dict[str, Load] = field(default_factory=dict)
    small_rendered: dict[str, Load] = field(default_factory=dict)
    small_rendered_beside: dict[str, Load] = field(default_factory=dict)
    # By size ("5,000", "500"): the mixed benchmark with bare Flask beside it, and the
    # product list through prod's nginx.
    mixed: dict[str, Load] = field(default_factory=dict)
    mixed_beside: dict[str, Load] = field(default_factory=dict)
    # The mixed benchmark's requests served from the page cache and rendered, by size.
    mixed_cache: dict[str, tuple[int, int]] = field(default_factory=dict)
    edge: dict[str, Load] = field(default_factory=dict)
    # The saved product list served by that same nginx (the same site, TLS and all): what
    # the edge figure is judged against.
    edge_static: dict[str, Load] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    target: str
    figure: str
    passed: bool | None  # None: not measured

    @property
    def word(self) -> str:
        return {True: "PASS", False: "FAIL", None: "not measured"}[self.passed]


def yardstick(results: Results, name: str) -> Load | None:
    """Bare Flask as measured beside ``name`` (else over the whole run)."""
    return results.beside.get(name, results.hello)


def _share_verdict(target: str, load: Load | None, base: Load | None,
                   share: float) -> Verdict:
    """``load``'s requests/s against at least ``share`` of ``base``'s."""
    if load is None or base is None:
        return Verdict(target, "-", None)
    ratio = load.rps / base.rps
    return Verdict(target, f"{ratio:.0%} ({load.rps:,.0f} / {base.rps:,.0f})",
                   ratio >= share)


def _rate_verdicts(results: Results) -> list[Verdict]:
    return [_share_verdict(f"{PAGES[name]}: ≥ {share:.0%} of bare Flask's requests/s",
                           results.served.get(name), yardstick(results, name), share)
            for name, share in RATE_TARGETS.items()]


def _latency_verdicts(results: Results) -> list[Verdict]:
    if results.hello is None or not results.served:
        return [Verdict(f"p99 latency ≤ {P99_FACTOR:g}x bare Flask's", "-", None)]
    verdicts = []
    for name, load in results.served.items():
        limit = yardstick(results, name).p99_ms * P99_FACTOR
        verdicts.append(Verdict(f"{PAGES[name]}: p99 ≤ {P99_FACTOR:g}x bare Flask's",
                                f"{load.p99_ms:.1f} ms (limit {limit:.1f} ms)",
                                load.p99_ms <= limit))
    return verdicts


def _scaling_verdicts(results: Results) -> list[Verdict]:
    verdicts = []
    for name in SCALING_PAGES:
        target = (f"{PAGES[name]}: from 500 to 5,000 products loses ≤ "
                  f"{SCALING_MAX_LOSS:.0%} of requests/s")
        pair = results.scaling.get(name)
        if pair is None:
            verdicts.append(Verdict(target, "-", None))
            continue
        big, small = pair
        loss = 1 - big.rps / small.rps
        verdicts.append(Verdict(target, f"{loss:+.0%} ({small.rps:,.0f} → {big.rps:,.0f})",
                                loss <= SCALING_MAX_LOSS))
    return verdicts


def _weight_verdicts(results: Results) -> list[Verdict]:
    verdicts = []
    for name, facts in results.facts.items():
        verdicts.append(Verdict(f"{PAGES[name]}: HTML < {HTML_LIMIT // 1000} KB",
                                f"{facts.html_bytes / 1000:.1f} KB",
                                facts.status == 200 and facts.html_bytes < HTML_LIMIT))
        verdicts.append(Verdict(f"{PAGES[name]}: CSS + JS < {CSS_JS_LIMIT // 1000} KB",
                                f"{facts.css_js_bytes / 1000:.1f} KB "
                                f"({facts.css_js_gzip_bytes / 1000:.1f} KB gzipped)",
                                facts.css_js_bytes < CSS_JS_LIMIT))
    return verdicts


def _asset_verdict(results: Results) -> list[Verdict]:
    assets = [asset for facts in results.facts.values() for asset in facts.assets]
    if not assets:
        return [Verdict("Static assets hashed, cached a year, gzipped, revalidated", "-", None)]
    bad = sorted({asset.path for asset in assets if not asset.ok})
    assets = {asset.path for asset in assets}
    figure = (f"{len(assets)} file(s) checked" if not bad
              else "not so for: " + ", ".join(bad))
    return [Verdict("Static assets hashed, cached a year, gzipped, revalidated (304)",
                    figure, not bad)]


def _conditional_verdicts(results: Results) -> list[Verdict]:
    return [Verdict(f"{PAGES[name]}: unchanged page answers 304", facts.conditional,
                    facts.conditional == "304")
            for name, facts in results.facts.items() if name != "cart"]


def _small_rate_verdicts(results: Results) -> list[Verdict]:
    return [_share_verdict(f"{PAGES[name]}, 500 products: ≥ {RATE_TARGETS[name]:.0%} of bare "
                           "Flask's requests/s", results.small_served.get(name),
                           results.small_beside.get(name), RATE_TARGETS[name])
            for name in SMALL_PAGES]


def _cold_verdicts(results: Results) -> list[Verdict]:
    """Every page rendered from the database: CPU per request against bare Flask's."""
    verdicts = []
    for size, rendered, beside in (("5,000", results.rendered, results.rendered_beside),
                                   ("500", results.small_rendered,
                                    results.small_rendered_beside)):
        for name in COLD_PAGES:
            load, hello = rendered.get(name), beside.get(name, results.hello)
            target = (f"{PAGES[name]}, {size} products, rendered (cache off): CPU ≤ "
                      f"{COLD_FACTOR:g}x bare Flask's")
            if load is None or load.cpu_ms is None or hello is None or hello.cpu_ms is None:
                verdicts.append(Verdict(target, "-", None))
                continue
            factor = load.cpu_ms / hello.cpu_ms
            verdicts.append(Verdict(target, f"{factor:.1f}x ({load.cpu_ms:.2f} / "
                                    f"{hello.cpu_ms:.2f} ms)", factor <= COLD_FACTOR))
    return verdicts


def _mixed_verdicts(results: Results) -> list[Verdict]:
    verdicts = []
    for size in SIZES:
        load, hello = results.mixed.get(size), results.mixed_beside.get(size)
        rate = f"Mixed benchmark, {size} products: ≥ {MIXED_SHARE:.0%} of bare Flask's req/s"
        latency = f"Mixed benchmark, {size} products: p99 ≤ {P99_FACTOR:g}x bare Flask's"
        if load is None or hello is None:
            verdicts += [Verdict(rate, "-", None), Verdict(latency, "-", None)]
            continue
        limit = hello.p99_ms * P99_FACTOR
        verdicts += [
            _share_verdict(rate, load, hello, MIXED_SHARE),
            Verdict(latency, f"{load.p99_ms:.1f} ms (limit {limit:.1f} ms)",
                    load.p99_ms <= limit)]
    return verdicts


def _edge_verdicts(results: Results) -> list[Verdict]:
    return [_share_verdict(f"Product list through prod's nginx, {size} products: ≥ "
                           f"{EDGE_SHARE:.0%} of nginx serving a saved copy",
                           results.edge.get(size), results.edge_static.get(size),
                           EDGE_SHARE)
            for size in SIZES]


def evaluate(results: Results) -> list[Verdict]:
    """Every target with the figure it was judged on."""
    return (_rate_verdicts(results) + _small_rate_verdicts(results)
            + _latency_verdicts(results) + _cold_verdicts(results) + _mixed_verdicts(results)
            + _edge_verdicts(results) + _scaling_verdicts(results)
            + _weight_verdicts(results) + _asset_verdict(results)
            + _conditional_verdicts(results))


def _cell(load: Load | None, attribute: str, pattern: str) -> str:
    return pattern.format(getattr(load, attribute)) if load is not None else "-"


def _ratio(load: Load | None, base: Load | None) -> str:
    return f"{load.rps / base.rps:.0%}" if load is not None and base is not None else "-"


def _cpu(load: Load | None) -> str:
    return f"{load.cpu_ms:.2f}" if load is not None and load.cpu_ms is not None else "-"


def _cpu_ratio(load: Load | None, base: Load | None) -> str:
    if load is None or base is None or not load.cpu_ms or base.cpu_ms is None:
        return "-"
    return f"{base.cpu_ms / load.cpu_ms:.0%}"


def _page_table(results: Results) -> list[str]:
    lines = [
        "| Page | req/s | p50 ms | p99 ms | vs bare Flask | vs nginx | server CPU ms/req "
        "(vs bare Flask) | rendered req/s (CPU ms/req) | SQL served / rendered | HTML KB "
        "| CSS+JS KB (gzip) | If-None-Match |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, label in PAGES.items():
        load, fresh, facts = (results.served.get(name), results.rendered.get(name),
                              results.facts.get(name))
        sql = f"{facts.served_queries} / {facts.render_queries}" if facts else "-"
        html = f"{facts.html_bytes / 1000:.1f}" if facts else "-"
        assets = (f"{facts.css_js_bytes / 1000:.1f} ({facts.css_js_gzip_bytes / 1000:.1f})"
                  if facts else "-")
        rendered = f"{_cell(fresh, 'rps', '{:,.0f}')} ({_cpu(fresh)})" if fresh else "-"
        lines.append(
            f"| {label} | {_cell(load, 'rps', '{:,.0f}')} | {_cell(load, 'p50_ms', '{:.1f}')} "
            f"| {_cell(load, 'p99_ms', '{:.1f}')} | {_ratio(load, yardstick(results, name))} "
            f"| {_ratio(load, results.nginx)} "
            f"| {_cpu(load)} ({_cpu_ratio(load, yardstick(results, name))}) | {rendered} | {sql} "
            f"| {html} | {assets} | {facts.conditional if facts else '-'} |")
    for label, load in (("Bare Flask “hello”", results.hello),
                        ("nginx, saved product list", results.nginx),
                        ("The shop's /healthz (its per-request floor)", results.floor)):
        lines.append(f"| {label} | {_cell(load, 'rps', '{:,.0f}')} "
                     f"| {_cell(load, 'p50_ms', '{:.1f}')} | {_cell(load, 'p99_ms', '{:.1f}')} "
                     f"| {_ratio(load, results.hello)} | {_ratio(load, results.nginx)} "
                     f"| {_cpu(load)} | | | | | |")
    return lines


def _scaling_table(results: Results) -> list[str]:
    if not results.scaling and not results.rendered_scaling:
        return []
    lines = ["", "Scaling, measured back to back (req/s with 500 → 5,000 products):", "",
             "| Page | served 500 | served 5,000 | change | rendered 500 | rendered 5,000 "
             "| change |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in SCALING_PAGES:
        cells = []
        for pairs in (results.scaling, results.rendered_scaling):
            big, small = pairs.get(name, (None, None))
            if big is None or small is None:
                cells += ["-", "-", "-"]
            else:
                cells += [f"{small.rps:,.0f}", f"{big.rps:,.0f}",
                          f"{big.rps / small.rps - 1:+.0%}"]
        lines.append(f"| {PAGES[name]} | " + " | ".join(cells) + " |")
    return lines


def _small_table(results: Results) -> list[str]:
    if not results.small_served and not results.small_rendered:
        return []
    lines = ["", "At 500 products:", "",
             "| Page | served req/s | vs bare Flask | p99 ms | rendered req/s "
             "| rendered CPU ms/req (x bare Flask) |", "|---|---:|---:|---:|---:|---:|"]
    for name in dict.fromkeys((*SMALL_PAGES, *COLD_PAGES)):
        load, fresh = results.small_served.get(name), results.small_rendered.get(name)
        hello = results.small_rendered_beside.get(name, results.hello)
        factor = (f"{fresh.cpu_ms:.2f} ({fresh.cpu_ms / hello.cpu_ms:.1f}x)"
                  if fresh is not None and fresh.cpu_ms is not None and hello
                  and hello.cpu_ms else "-")
        lines.append(f"| {PAGES[name]} | {_cell(load, 'rps', '{:,.0f}')} "
                     f"| {_ratio(load, results.small_beside.get(name))} "
                     f"| {_cell(load, 'p99_ms', '{:.1f}')} | {_cell(fresh, 'rps', '{:,.0f}')} "
                     f"| {factor} |")
    return lines


def _hits(counts: tuple[int, int] | None) -> str:
    """Requests served from the page cache of all that reached a cached page's view."""
    if not counts or not sum(counts):
        return "-"
    hits, misses = counts
    return f"{hits / (hits + misses):.1%} ({misses:,} rendered)"


def _mixed_table(results: Results) -> list[str]:
    if not results.mixed and not results.edge:
        return []
    lines = ["", "Mixed benchmark (browsing while purchases and price edits run) and the "
             "product list through prod's nginx:", "",
             "| Run | req/s | p50 ms | p99 ms | vs bare Flask | bare Flask p99 ms "
             "| server CPU ms/req (bare Flask) | vs nginx static "
             "| served from the page cache |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in SIZES:
        load, hello = results.mixed.get(size), results.mixed_beside.get(size)
        if load is not None:
            lines.append(f"| Mixed, {size} products | {load.rps:,.0f} | {load.p50_ms:.1f} "
                         f"| {load.p99_ms:.1f} | {_ratio(load, hello)} "
                         f"| {_cell(hello, 'p99_ms', '{:.1f}')} "
                         f"| {_cpu(load)} ({_cpu(hello)}) | "
                         f"| {_hits(results.mixed_cache.get(size))} |")
    for size in SIZES:
        load, static = results.edge.get(size), results.edge_static.get(size)
        if load is not None:
            lines.append(f"| Product list via prod's nginx, {size} products | {load.rps:,.0f} "
                         f"| {load.p50_ms:.1f} | {load.p99_ms:.1f} "
                         f"| {_ratio(load, results.hello)} | | "
                         f"| {_ratio(load, static)} | |")
        if static is not None:
            lines.append(f"| The saved product list from prod's nginx (same site, TLS), "
                         f"{size} products | {static.rps:,.0f} | {static.p50_ms:.1f} "
                         f"| {static.p99_ms:.1f} | {_ratio(static, results.hello)} | | "
                         "| 100% | |")
    return lines


def render_run(results: Results) -> str:
    verdicts = evaluate(results)
    passed = sum(v.passed is True for v in verdicts)
    failed = sum(v.passed is False for v in verdicts)
    lines = [
        RUN_MARKER,
        f"## Run of {results.started}",
        "",
        f"- Machine: {results.machine}",
        f"- Database: {results.database}; page cache: {results.cache}",
        f"- Load: {results.settings}",
        f"- Data: {results.seeding}",
        "",
        *_page_table(results),
        "",
        "Server CPU per request is the CPU time gunicorn's processes used during the run "
        "divided by the requests served: it moves far less with the machine's other load "
        "than requests/s do. The shop's /healthz renders nothing and reads no database: it "
        "is what every request of this app costs before a page is looked at.",
        *_small_table(results),
        *_mixed_table(results),
        *_scaling_table(results),
        "",
        f"Targets: {passed} pass, {failed} fail, "
        f"{len(verdicts) - passed - failed} not measured.",
        "",
        "| Target | Figure | Result |",
        "|---|---|---|",
        *[f"| {v.target} | {v.figure} | {v.word} |" for v in verdicts],
    ]
    if results.notes:
        lines += ["", "Notes:", "", *[f"- {note}" for note in results.notes]]
    return "\n".join(lines) + "\n"


HEADER = """\
# Benchmark results

Written by `make bench` (`python -m bench.run`); newest run first, the last {keep} kept.
How the figures are made and what the targets mean: bench/README.md. Ratios compare
figures from the same run only; absolute figures move with whatever else the machine
is doing.

"""


def write(path: Path, run: str, keep: int = KEEP_RUNS) -> None:
    """Put ``run`` first in results.md, keeping the previous runs below it."""
    previous = path.read_text().split(RUN_MARKER)[1:] if path.exists() else []
    runs = [run.removeprefix(RUN_MARKER), *previous[: keep - 1]]
    path.write_text(HEADER.format(keep=keep)
                    + "".join(RUN_MARKER + text.rstrip("\n") + "\n\n" for text in runs))
