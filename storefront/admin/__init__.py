"""The back office at /admin: admins run the shop, editors run the content."""
