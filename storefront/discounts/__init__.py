"""Discount codes: the rules a code must pass and its usage counter."""
