"""Admin area "content" (editors and admins): articles, authors, skin conditions and their
recommendations, the shop's own texts, readers' questions, review moderation and the
routine rules.

The rules are in ``storefront.content``, ``storefront.reviews.services`` and
``storefront.routines.editing``.
"""
