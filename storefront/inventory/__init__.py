"""Stock: reservations for checkouts in progress, sales, adjustments and their ledger."""
