"""Editorial content: authors, articles, skin conditions, recommendations, questions."""
