"""The back office's front page (admins); its figures come from ``storefront.orders.reports``."""
