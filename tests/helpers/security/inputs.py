"""Building requests from arbitrary bytes, and the field names the app's forms use."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

# Field and query parameter names used across the app, to aim junk where views read.
KNOWN_FIELDS = ["email", "password", "confirm", "current_password", "name", "remember",
                "next", "quantity", "variant_id", "line_id", "source_article", "code",
                "action", "method", "line1", "line2", "city", "postcode", "country", "phone",
                "question", "skin_type", "website", "role", "q", "page", "sort", "category",
                "condition", "ingredient", "price_min", "price_max", "in_stock", "variant",
                "article", "session_id", "status", "from", "to", "user", "per_page"]


def encode(value: str | bytes) -> str:
    """Percent-encode every byte, so invalid UTF-8 and lone surrogates travel as they are."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe="")


def query(pairs) -> str:
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)
