"""Customers keep addresses (add, edit, delete, a default) with checkout's own form and
checks; checkout offers them, the default first, and can save a new one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.accounts import address_book
from storefront.accounts.models import SavedAddress
from storefront.extensions import db
from tests.factories import (
    ADDRESS,
    ProductFactory,
    UserFactory,
    VariantFactory,
    add_to_cart,
    delivery_choice,
)
from tests.helpers import csrf_from, login, submit
from tests.helpers.pages import Page, text

BERLIN = {"name": "Jonas Weber", "line1": "Unter den Linden 77", "line2": "",
          "city": "Berlin", "postcode": "10117", "country": "DE", "phone": "030 1234567"}


@pytest.fixture
def customer(app, client, make):
    user = make(UserFactory, name="Maya Rossi")
    login(client, user.email)
    return user


def _book(app, user) -> list[tuple[str, str, bool]]:
    """(first line, postcode, default) of each saved address, the default first."""
    with app.app_context():
        return [(entry.line1, entry.postcode, entry.is_default)
                for entry in address_book.addresses_of(user.id)]


def _saved_id(app, user, line1: str) -> int:
    with app.app_context():
        return db.session.scalar(select(SavedAddress.id).where(
            SavedAddress.user_id == user.id, SavedAddress.line1 == line1))


def _keep(app, user, address: dict, **kwargs) -> int:
    with app.app_context():
        saved = address_book.add_address(user.id, address, **kwargs)
        db.session.commit()
        return saved.id


def _button(client, url: str):
    token = csrf_from(client.get("/account/addresses/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


# --- The address book --------------------------------------------------------------------

def test_add_edit_make_default_and_delete(app, client, customer):
    page = Page(client.get("/account/addresses/").get_data(as_text=True))
    assert "No addresses yet" in page.text_of("main")
    response = submit(client, "/account/addresses/new", ADDRESS)
    assert response.status_code == 303
    # Checked and written as checkout writes it: the Dutch postcode with its space.
    assert _book(app, customer) == [("Keizersgracht 1", "1015 CJ", True)]

    response = submit(client, "/account/addresses/new", {**BERLIN, "make_default": "y"})
    assert response.status_code == 303
    assert _book(app, customer) == [("Unter den Linden 77", "10117", True),
                                    ("Keizersgracht 1", "1015 CJ", False)]
    listing = Page(client.get("/account/addresses/").get_data(as_text=True))
    first_card = text(listing.one("ul.address-book").select("li")[0])
    assert "Default" in first_card
    assert "BERLIN" in first_card  # as Germany writes it
    assert "+49 30 1234567" in first_card

    amsterdam = _saved_id(app, customer, "Keizersgracht 1")
    edit = f"/account/addresses/{amsterdam}/edit"
    form = Page(client.get(edit).get_data(as_text=True))
    assert form.one("input#line1")["value"] == "Keizersgracht 1"
    assert submit(client, edit, {**ADDRESS, "line1": "Prinsengracht 263"}).status_code == 303
    assert ("Prinsengracht 263", "1015 CJ", False) in _book(app, customer)

    assert _button(client, f"/account/addresses/{amsterdam}/default").status_code == 303
    assert _book(app, customer)[0] == ("Prinsengracht 263", "1015 CJ", True)
    assert _button(client, f"/account/addresses/{amsterdam}/delete").status_code == 303
    assert _book(app, customer) == [("Unter den Linden 77", "10117", True)]  # default again


def test_the_form_checks_an_address_as_checkout_does(app, client, customer):
    response = submit(client, "/account/addresses/new", {**ADDRESS, "postcode": "99"})
    assert response.status_code == 422
    checkout_like = Page(response.get_data(as_text=True)).text_of("#postcode-error")
    assert checkout_like == "Enter a postcode like 1234 AB."
    response = submit(client, "/account/addresses/new", {**ADDRESS, "country": "ZZ"})
    assert response.status_code == 422
    assert _book(app, customer) == []


def test_choosing_another_country_shows_its_fields(app, client, customer):
    response = submit(client, "/account/addresses/new",
                      {"country": "DE", "name": "Jonas", "action": "country"})
    assert response.status_code == 200
    form = Page(response.get_data(as_text=True))
    assert form.one("select#country option[selected]")["value"] == "DE"
    assert form.one("input#name")["value"] == "Jonas"
    assert _book(app, customer) == []


def test_nobody_else_reaches_an_address(app, client, customer, make):
    saved = _keep(app, customer, ADDRESS)
    other = app.test_client()
    login(other, make(UserFactory).email)
    assert other.get(f"/account/addresses/{saved}/edit").status_code == 404
    assert submit(other, f"/account/addresses/{saved}/edit", BERLIN,
                  form_url="/account/addresses/").status_code == 404
    for action in ("delete", "default"):
        token = csrf_from(other.get("/account/addresses/").get_data(as_text=True))
        assert other.post(f"/account/addresses/{saved}/{action}",
                          data={"csrf_token": token}).status_code == 404
    assert "Keizersgracht" not in other.get("/account/addresses/").get_data(as_text=True)
    assert app.test_client().get("/account/addresses/").status_code == 302  # log in first
    assert _book(app, customer) == [("Keizersgracht 1", "1015 CJ", True)]
    assert client.get("/account/addresses/99999999999/edit").status_code == 404


def test_the_same_address_is_kept_once_and_the_book_has_a_limit(app, customer):
    first = _keep(app, customer, ADDRESS)
    assert _keep(app, customer, {**ADDRESS, "postcode": "1015 cj"}) == first
    with app.app_context():
        for number in range(address_book.MAX_ADDRESSES - 1):
            address_book.add_address(customer.id,
                                     {**ADDRESS, "line1": f"Keizersgracht {number + 2}"})
        db.session.commit()
        with pytest.raises(address_book.AddressBookFull):
            address_book.add_address(customer.id, BERLIN)
        db.session.rollback()
        count = db.session.scalar(select(func.count()).select_from(SavedAddress))
    assert count == address_book.MAX_ADDRESSES


# --- Checkout ------------------------------------------------------------------------------

@pytest.fixture
def in_cart(client, make):
    product = make(ProductFactory, name="Barrier Cream", variant=False)
    variant = make(VariantFactory, product=product, price=Decimal("24.50"), stock_on_hand=10)
    assert add_to_cart(client, variant.id).status_code == 302
    return variant


def _to_address_step(client):
    assert submit(client, "/checkout/email", {"email": "maya@example.com"}).status_code == 302
    return Page(client.get("/checkout/address").get_data(as_text=True))


def test_checkout_offers_the_saved_addresses_the_default_chosen(app, client, customer,
                                                                in_cart):
    _keep(app, customer, ADDRESS)
    berlin = _keep(app, customer, BERLIN, make_default=True)
    page = _to_address_step(client)
    choices = page.one("fieldset").select('input[type="radio"]')
    assert choices[0]["value"] == str(berlin)
    assert choices[0].has_attr("checked")
    assert not choices[1].has_attr("checked")
    assert "Unter den Linden 77" in page.text_of(f'label[for="saved-address-{berlin}"]')

    amsterdam = _saved_id(app, customer, "Keizersgracht 1")
    response = submit(client, "/checkout/address",
                      {"action": "saved", "saved_address": str(amsterdam)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/delivery")
    choice = delivery_choice(client.get("/checkout/delivery").get_data(as_text=True),
                             "standard")
    submit(client, "/checkout/delivery", {"method": choice})
    submit(client, "/checkout/discount", {"code": "", "action": "skip"})
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Keizersgracht 1" in review
    assert "1015 CJ" in review
    # Back at the address step, the address chosen is the one ticked.
    again = _to_address_step(client)
    ticked = again.one("fieldset").select('input[type="radio"][checked]')
    assert [choice["value"] for choice in ticked] == [str(amsterdam)]


def test_checkout_saves_a_new_address_when_asked(app, client, customer, in_cart):
    page = _to_address_step(client)
    assert not page.has("fieldset")  # nothing saved yet: only the new address form
    assert page.text_of('label[for="save_address"]') == "Save this address in my address book"
    assert submit(client, "/checkout/address", {**BERLIN, "save_address": "y"}
                  ).status_code == 302
    assert _book(app, customer) == [("Unter den Linden 77", "10117", True)]
    assert submit(client, "/checkout/address", ADDRESS).status_code == 302  # not ticked
    assert submit(client, "/checkout/address", {**BERLIN, "save_address": "y"}
                  ).status_code == 302  # already there
    assert _book(app, customer) == [("Unter den Linden 77", "10117", True)]


def test_guests_have_no_address_book_at_checkout(app, client, in_cart):
    page = _to_address_step(client)
    assert not page.has("input#save_address")
    response = submit(client, "/checkout/address", {**ADDRESS, "save_address": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SavedAddress)) == 0


def test_an_address_not_delivered_to_or_not_ones_own_is_refused(app, client, customer,
                                                                 in_cart, make):
    japan = _keep(app, customer, {"name": "Ken Sato", "line1": "26-1 Sakuragaoka-cho",
                                  "city": "", "country_area": "Tokyo",
                                  "postcode": "150-8512", "country": "JP"})
    page = _to_address_step(client)
    radio = page.one(f"input#saved-address-{japan}")
    assert radio.has_attr("disabled")
    assert not radio.has_attr("checked")
    assert "we don't deliver there" in page.text_of(f'label[for="saved-address-{japan}"]')
    response = submit(client, "/checkout/address",
                      {"action": "saved", "saved_address": str(japan)})
    assert response.status_code == 422
    assert "deliver to this country (Japan)" in response.get_data(as_text=True)

    someone = make(UserFactory)
    theirs = _keep(app, someone, ADDRESS)
    response = submit(client, "/checkout/address",
                      {"action": "saved", "saved_address": str(theirs)})
    assert response.status_code == 422
    assert "Choose one of your addresses" in response.get_data(as_text=True)
    assert "Keizersgracht" not in response.get_data(as_text=True)
