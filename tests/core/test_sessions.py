"""Sessions: Flask's signed cookies, with the signing serializer made once per set of keys."""

from __future__ import annotations

from storefront.sessions import ShopSessionInterface
from tests.factories import ProductFactory, VariantFactory, add_to_cart


def test_one_serializer_per_set_of_keys(app):
    interface = ShopSessionInterface()
    first = interface.get_signing_serializer(app)
    assert first is not None
    assert interface.get_signing_serializer(app) is first
    with app.test_request_context():
        signed = first.dumps({"cart": "token"})
    old_key = app.config["SECRET_KEY"]
    try:
        app.secret_key = "another-secret-key-long-enough-0123456789"
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        assert rotated.loads(signed) == {"cart": "token"}, "the old key still reads cookies"
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []
    assert interface.get_signing_serializer(app) is first


def test_the_session_cookie_still_round_trips(app, client, make):
    assert isinstance(app.session_interface, ShopSessionInterface)
    variant = make(VariantFactory, product=make(ProductFactory, name="Calm Serum",
                                                 variant=False), stock_on_hand=5)
    assert add_to_cart(client, variant.id).status_code == 302
    assert "Calm Serum" in client.get("/cart/").get_data(as_text=True)
    assert "Calm Serum" not in app.test_client().get("/cart/").get_data(as_text=True)
