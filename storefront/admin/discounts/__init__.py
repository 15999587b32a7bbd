"""Admin area "discounts" (admins): discount codes. The rules are in
``storefront.discounts.services``."""
