"""The name RQ ran every job by before the queue moved to ``storefront.queue`` (issue 14).

Jobs put on the queue by a release before that one name ``storefront.jobs.runner
.perform_queued``; this keeps them running on a newer worker. Remove it one release later.
"""

from __future__ import annotations

from storefront.queue.runner import perform_queued

__all__ = ["perform_queued"]
