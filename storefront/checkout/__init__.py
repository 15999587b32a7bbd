"""Checkout: the steps from cart to payment, and the order totals."""
