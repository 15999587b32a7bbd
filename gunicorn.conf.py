"""gunicorn settings for the storefront; every value can be overridden from the environment.

Run: gunicorn -c gunicorn.conf.py "storefront:create_app()"
"""

import gc
import multiprocessing
import os
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
# A slow client or a stuck payment call must not hold a worker for ever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Metrics (storefront/metrics.py): every worker writes its figures to files in one folder and
# /metrics adds them up, so a scrape sees the whole host, not whichever worker answered. Set
# before the app is imported (prometheus_client reads it then); the workers inherit it.
# systemd: RuntimeDirectory=storefront-metrics and
# PROMETHEUS_MULTIPROC_DIR=/run/storefront-metrics. Without it, a new folder per start.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="storefront-metrics-")


def on_starting(server):
    """A new start counts from zero: the files of the last run's workers go."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)


def post_worker_init(worker):
    """The app is loaded: its modules, templates and settings live as long as the worker.
    Moving them out of the collector's reach saves each full collection walking them all
    (about 200,000 objects: half a second, spread over requests)."""
    gc.freeze()


def child_exit(server, worker):
    """A worker that ended (recycled, killed) keeps its counts; its live gauges go."""
    # Not at the top: prometheus_client picks its way of counting when first imported, so
    # it must come after PROMETHEUS_MULTIPROC_DIR is set above (or the workers forked from
    # the master would keep their counts in memory, where /metrics never sees them).
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    """A worker that stops (recycled, redeployed) writes the search counts it holds."""
    # Imported here, in the worker, not when gunicorn reads this file in the master: the
    # master never loads the app, so the workers a HUP starts load the code afresh.
    from storefront.search.counting import write_everywhere  # noqa: PLC0415

    write_everywhere()
