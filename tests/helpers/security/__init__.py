"""Helpers for the security and reliability tests: routes from the URL map, markup audits."""
