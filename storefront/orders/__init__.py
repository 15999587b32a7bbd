"""Orders: what was bought, its payments and refunds, and the status it is in."""
