"""The shopping cart: a guest's (found through the signed session) or an account's."""
