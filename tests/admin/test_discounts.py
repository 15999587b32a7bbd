"""Admins create, edit and deactivate discount codes; bad settings are explained."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from storefront.audit.models import AuditEntry
from storefront.discounts import services as discounts
from storefront.discounts.models import DiscountCode, DiscountKind
from storefront.extensions import db
from storefront.orders.discount_uses import uses_by_customer
from tests.factories import AdminFactory, DiscountCodeFactory
from tests.helpers import login, submit

NEW = "/admin/discounts/new"
VALID = {"code": "glow10", "description": "Spring newsletter", "kind": "percent",
         "value": "10", "minimum_subtotal": "", "starts_at": "", "ends_at": "",
         "max_uses": "", "max_uses_per_customer": "", "active": "y"}


@pytest.fixture
def admin(client, make):
    user = make(AdminFactory)
    login(client, user.email)
    return user


def codes(app) -> list[DiscountCode]:
    with app.app_context():
        rows = list(db.session.scalars(select(DiscountCode).order_by(DiscountCode.id)))
        db.session.expunge_all()
        return rows


def audit(app, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.target_type == "discountcode")
        if action:
            query = query.where(AuditEntry.action == action)
        rows = list(db.session.scalars(query.order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def edit_url(code) -> str:
    return f"/admin/discounts/{code.id}/edit"


def test_creating_a_percent_code(app, client, admin):
    response = submit(client, NEW, VALID)
    assert response.status_code == 303
    [code] = codes(app)
    assert (code.code, code.kind, code.value, code.active, code.max_uses) == (
        "GLOW10", DiscountKind.PERCENT, Decimal("10.00"), True, None)
    [entry] = audit(app)
    assert (entry.action, entry.actor_id, entry.target_id) == ("discount.created", admin.id,
                                                               str(code.id))
    assert entry.after["code"] == "GLOW10"
    assert entry.after["value"] == "10.00"
    listing = client.get("/admin/discounts").get_data(as_text=True)
    assert "GLOW10" in listing
    assert "10% off" in listing
    assert "0 / no limit" in listing


def test_creating_a_fixed_code_with_every_setting(app, client, admin):
    data = {**VALID, "code": "WELCOME5", "kind": "fixed", "value": "5,00",
            "minimum_subtotal": "30", "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-02-01T00:00", "max_uses": "100", "max_uses_per_customer": "1"}
    assert submit(client, NEW, data).status_code == 303
    [code] = codes(app)
    assert (code.kind, code.value, code.minimum_subtotal) == (
        DiscountKind.FIXED, Decimal("5.00"), Decimal("30.00"))
    assert (code.starts_at, code.ends_at) == (datetime(2030, 1, 1, 9, tzinfo=UTC),
                                              datetime(2030, 2, 1, tzinfo=UTC))
    assert (code.max_uses, code.max_uses_per_customer) == (100, 1)
    listing = client.get("/admin/discounts").get_data(as_text=True)
    assert "€5.00 off" in listing
    assert "Not started" in listing
    # The code works at checkout once its time has come, and not before.
    with app.app_context():
        found = discounts.check_code("welcome5", subtotal=Decimal("40"), currency="EUR",
                                     uses_by_customer=uses_by_customer("a@example.com"),
                                     now=datetime(2030, 1, 2, tzinfo=UTC))
        assert found.code == "WELCOME5"
        with pytest.raises(discounts.DiscountRefused, match="can be used from"):
            discounts.check_code("WELCOME5", subtotal=Decimal("40"), currency="EUR",
                                 uses_by_customer=uses_by_customer("a@example.com"),
                                 now=datetime(2029, 12, 31, tzinfo=UTC))


@pytest.mark.parametrize(("changes", "message"), [
    ({"code": ""}, "Enter the code customers will type."),
    ({"code": "GLOW 10!"}, "Use only letters, digits, dashes and underscores."),
    ({"code": "AB"}, "Use 3 to 40 characters."),
    ({"value": "150"}, "A percentage can be at most 100."),
    ({"value": "0"}, "Enter an amount greater than zero."),
    ({"value": "ten"}, "Enter an amount such as 12.50."),
    ({"value": "9.999"}, "Use at most two decimal places."),
    ({"kind": "bogus"}, "Not a valid choice"),
    ({"kind": "fixed", "value": "100000000"}, "That amount is too large."),
    ({"minimum_subtotal": "-3"}, "Enter an amount greater than zero."),
    ({"starts_at": "next tuesday"}, "Enter a date and time such as 2025-03-31 09:00."),
    ({"starts_at": "2030-02-01T00:00", "ends_at": "2030-01-01T00:00"},
     "The end must be after the start."),
    ({"max_uses": "0"}, "Enter a whole number from 1 to 1,000,000"),
    ({"max_uses": "lots"}, "Not a valid integer value."),
    ({"max_uses": "5", "max_uses_per_customer": "6"},
     "The limit per customer can't be higher than the total limit."),
])
def test_bad_settings_are_explained_and_nothing_is_saved(app, client, admin, changes,
                                                         message):
    response = submit(client, NEW, {**VALID, **changes})
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert codes(app) == []
    assert audit(app) == []


def test_a_code_must_be_unique_whatever_its_case(app, client, admin, make):
    make(DiscountCodeFactory, code="GLOW10")
    response = submit(client, NEW, {**VALID, "code": " Glow10 "})
    assert response.status_code == 422
    assert "There is already a code GLOW10" in response.get_data(as_text=True)
    assert len(codes(app)) == 1
    assert audit(app) == []


def test_editing_a_code_is_audited_with_before_and_after(app, client, admin, make):
    code = make(DiscountCodeFactory, code="SPRING", value=Decimal("10"), max_uses=50)
    form = client.get(edit_url(code)).get_data(as_text=True)
    assert 'value="SPRING"' in form
    assert 'value="10.00"' in form
    assert 'value="50"' in form
    data = {**VALID, "code": "SPRING", "value": "15", "max_uses": "50"}
    assert submit(client, edit_url(code), data).status_code == 303
    [fresh] = codes(app)
    assert fresh.value == Decimal("15.00")
    [entry] = audit(app, "discount.updated")
    assert ("value", "10.00", "15.00") in entry.changes()
    assert entry.actor_id == admin.id


def test_saving_an_unchanged_code_records_nothing(app, client, admin, make):
    code = make(DiscountCodeFactory, code="SAME", value=Decimal("10"))
    data = {**VALID, "code": "SAME", "description": "", "value": "10"}
    response = submit(client, edit_url(code), data, follow_redirects=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert audit(app) == []


def test_the_total_limit_cannot_go_below_the_uses_already_taken(app, client, admin, make):
    code = make(DiscountCodeFactory, code="POPULAR", max_uses=10, times_used=4)
    listing = client.get("/admin/discounts").get_data(as_text=True)
    assert "4 / 10" in listing
    response = submit(client, edit_url(code), {**VALID, "code": "POPULAR", "max_uses": "3"})
    assert response.status_code == 422
    assert "4 orders already hold this code" in response.get_data(as_text=True)
    assert codes(app)[0].max_uses == 10
    assert audit(app) == []


def test_deactivating_a_code_stops_checkout_accepting_it(app, client, admin, make):
    code = make(DiscountCodeFactory, code="BYEBYE")
    response = submit(client, f"/admin/discounts/{code.id}/deactivate", {},
                      form_url="/admin/discounts")
    assert response.status_code == 303
    assert codes(app)[0].active is False
    [entry] = audit(app, "discount.deactivated")
    assert entry.changes() == [("active", True, False)]
    assert entry.actor_id == admin.id
    with app.app_context(), pytest.raises(discounts.DiscountRefused, match="no longer active"):
        discounts.check_code("BYEBYE", subtotal=Decimal("50"), currency="EUR",
                             uses_by_customer=uses_by_customer(None))
    listing = client.get("/admin/discounts").get_data(as_text=True)
    assert "Inactive" in listing

    again = submit(client, f"/admin/discounts/{code.id}/deactivate", {},
                   form_url="/admin/discounts", follow_redirects=True)
    assert "was already inactive" in again.get_data(as_text=True)
    assert len(audit(app)) == 1


def test_an_edit_can_turn_a_code_back_on(app, client, admin, make):
    code = make(DiscountCodeFactory, code="AGAIN", active=False)
    assert submit(client, edit_url(code), {**VALID, "code": "AGAIN"}).status_code == 303
    assert codes(app)[0].active is True
    [entry] = audit(app, "discount.updated")
    assert ("active", False, True) in entry.changes()


def test_unknown_codes_are_404(client, admin):
    assert client.get("/admin/discounts/999999/edit").status_code == 404
    response = submit(client, "/admin/discounts/999999/deactivate", {},
                      form_url="/admin/discounts")
    assert response.status_code == 404


def test_the_list_searches_codes(app, client, admin, make):
    make(DiscountCodeFactory, code="SUMMER")
    make(DiscountCodeFactory, code="WINTER", description="For the cold")
    page = client.get("/admin/discounts?q=summ").get_data(as_text=True)
    assert "SUMMER" in page
    assert "WINTER" not in page
    assert "WINTER" in client.get("/admin/discounts?q=cold").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(DiscountCode.id))) == 2


@pytest.mark.parametrize("url", ["/admin/discounts/99999999999999999999/edit",
                                 "/admin/discounts?q=%00%01bad"])
def test_junk_in_the_address_is_not_a_server_error(client, admin, url):
    assert client.get(url).status_code in (200, 404)


def test_control_characters_in_a_description_are_dropped(app, client, admin):
    assert submit(client, NEW, {**VALID, "description": "Spring\x00 sale"}).status_code == 303
    assert codes(app)[0].description == "Spring sale"
