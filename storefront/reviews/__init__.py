"""Reviews from verified buyers, by skin type: writing, moderation, the shop's pages."""
