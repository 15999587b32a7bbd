"""Countries we ship to and what their postcodes look like."""

from __future__ import annotations

import re

# (code, name), in the order the country list shows them.
COUNTRIES = [
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("DK", "Denmark"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LU", "Luxembourg"),
    ("NL", "Netherlands"),
    ("PT", "Portugal"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
]
COUNTRY_NAMES = dict(COUNTRIES)



def _as_is(code: str) -> str:
    return code


def _split(at: int):
    return lambda code: f"{code[:at]} {code[at:]}"


def _luxembourg(code: str) -> str:
    return f"L-{code[-4:]}"


def _portugal(code: str) -> str:
    digits = code.replace("-", "")
    return f"{digits[:4]}-{digits[4:]}"


# country: (pattern for the upper-cased postcode without spaces, how to write it, example)
_POSTCODES = {
    "AT": (r"\d{4}", _as_is, "1010"),
    "BE": (r"\d{4}", _as_is, "1000"),
    "DK": (r"\d{4}", _as_is, "2100"),
    "FI": (r"\d{5}", _as_is, "00100"),
    "FR": (r"\d{5}", _as_is, "75001"),
    "DE": (r"\d{5}", _as_is, "10115"),
    "IE": (r"[AC-FHKNPRTV-Y]\d{2}[0-9AC-FHKNPRTV-Y]{4}", _split(3), "D02 X285"),
    "IT": (r"\d{5}", _as_is, "00184"),
    "LU": (r"(?:L-?)?\d{4}", _luxembourg, "L-1009"),
    "NL": (r"[1-9]\d{3}(?!S[ADS])[A-Z]{2}", _split(4), "1012 AB"),
    "PT": (r"\d{4}-?\d{3}", _portugal, "1100-148"),
    "ES": (r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}", _as_is, "28013"),
    "SE": (r"[1-9]\d{4}", _split(3), "113 56"),
}


class PostcodeError(ValueError):
    """The postcode doesn't fit the country; the message shows what one looks like."""


def normalise_postcode(country: str, postcode: str) -> str:
    """The postcode written the usual way for ``country``, or PostcodeError."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    rule = _POSTCODES.get(country)
    if rule is None:
        if not re.fullmatch(r"[A-Z0-9-]{2,10}", compact):
            raise PostcodeError("Enter the postcode.")
        return compact
    pattern, layout, example = rule
    if not re.fullmatch(pattern, compact):
        raise PostcodeError(f"Enter a postcode for {COUNTRY_NAMES[country]} like {example}.")
    return layout(compact)
