"""Full-text search over products, articles and skin conditions."""
