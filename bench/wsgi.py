"""The shop as gunicorn serves it for the benchmark: production code, bench-only settings.

Settings come from the environment (``DATABASE_URL``, ``SECRET_KEY``), plus
``BENCH_PAGE_CACHE=0`` to measure pages rendered afresh, and ``BENCH_INSTANCE`` so the
page cache's generation file lives in the run's own folder.
"""

import os

from storefront import create_app

app = create_app({
    # Not "production": that would mark cookies Secure, and the benchmark speaks plain HTTP.
    "APP_ENV": "benchmark",
    "PAGE_CACHE_ENABLED": os.environ.get("BENCH_PAGE_CACHE", "1") != "0",
})
app.instance_path = os.environ.get("BENCH_INSTANCE", app.instance_path)
