"""The catalog: categories, brands, key ingredients, products, variants and images."""
