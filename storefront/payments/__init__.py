"""Payments behind one small interface: a demo provider and Stripe Checkout."""
