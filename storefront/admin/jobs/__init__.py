"""Admin area "jobs" (admins): the queue, e-mail waiting to go, and failed jobs to run
again or dismiss. The rules are in ``storefront.jobs.services``."""
