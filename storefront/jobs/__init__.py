"""The shop's background jobs: the work the features hand to the queue (``tasks``, picture
sizes, file imports), the periodic ones, ``flask worker`` and what admins see of them.

The queue itself (``enqueue``, the runner, the Redis side, failed jobs) is
``storefront.queue``, below every feature; this package sits above them, as its jobs call
into them.
"""
