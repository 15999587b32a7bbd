"""Tests in a real browser (Chromium via Playwright) against the demo shop on a socket."""
