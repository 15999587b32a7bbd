"""Admin area "orders" (admins): the order list and one order's page with its actions (send,
cancel, refund, note). The rules are in ``storefront.orders.services``."""
