"""The shop's own particulars (its name, contact e-mail and postal address), set in the
admin over the environment's defaults (SHOP_NAME, SHOP_EMAIL, SHOP_ADDRESS)."""
