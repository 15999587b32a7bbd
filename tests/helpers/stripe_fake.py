"""A fake Stripe for the tests: localstripe plus the Checkout Session routes it lacks.

localstripe (a stateful fake of the Stripe API) serves PaymentIntents, charges and refunds;
this module adds what the shop uses on top, shaped like the real API so that stripe-python
talks to it over HTTP exactly as it would to Stripe:

- ``POST /v1/checkout/sessions`` (validated like Stripe: mode, line items, one currency,
  ``expires_at`` 30 min to 24 h ahead; the ``Idempotency-Key`` header is honoured),
  ``GET /v1/checkout/sessions/{id}``, ``GET .../line_items``, ``POST .../expire``;
- a hosted payment page at ``/_config/checkout/{id}`` (localstripe lets ``/_config/``
  through without a key). Its buttons: *Pay* (card: PaymentIntent created and succeeded,
  session paid), *Pay with a card that is declined* (the page again, with the refusal and
  the session still open, as on Stripe), *Pay by bank transfer* (session complete but
  unpaid, settled later with ``POST /_config/checkout/{id}/settle`` and
  ``outcome=succeeded|failed``) and *Back* (to ``cancel_url``). Pay and bank transfer
  redirect to ``success_url``;
- the events Stripe would send (``checkout.session.*``, ``charge.refunded`` after a refund),
  signed with ``webhook_secret`` and queued in ``events`` for the test to deliver, since the
  app under test runs in the test client rather than on a socket;
- ``trouble``: ``("slow", seconds)`` (then a 504) or ``("status", code[, message])`` for
  every ``/v1/`` call, to play a slow or failing Stripe.

It runs in a background thread with its own event loop on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import asyncio
import html
import json
import socket
import threading
import time
from dataclasses import dataclass

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError
from localstripe.resources import Charge, PaymentIntent, random_id, store
from localstripe.server import app, get_post_data, json_response
from stripe import WebhookSignature

# localstripe pickles its state to /tmp after every write; parallel test runs would share
# (and clobber) that file, so keep each fake's state in memory only.
resources.Store.dump_to_disk = lambda self: None


@dataclass(frozen=True)
class SentEvent:
    type: str
    payload: str
    signature: str  # the Stripe-Signature header value


class FakeStripe:
    def __init__(self, webhook_secret: str = "whsec_fake"):
        self.webhook_secret = webhook_secret
        self.sessions: dict[str, dict] = {}
        self.line_items: dict[str, list[dict]] = {}
        self.idempotency: dict[str, str] = {}
        self.events: list[SentEvent] = []
        self.trouble: tuple | None = None
        self.base_url = ""

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.SockSite(self.runner, sock).start())
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def reset(self) -> None:
        """Forget everything (localstripe's ``DELETE /_config/data`` plus our own state)."""

        async def clear():
            store.clear()
            for state in (self.sessions, self.line_items, self.idempotency):
                state.clear()
            self.events.clear()
            self.trouble = None

        asyncio.run_coroutine_threadsafe(clear(), self.loop).result(10)

    # -- events ------------------------------------------------------------------
    def emit(self, event_type: str, obj: dict) -> None:
        event = {"id": "evt_" + random_id(24), "object": "event", "type": event_type,
                 "created": int(time.time()), "livemode": False, "data": {"object": obj}}
        payload = json.dumps(event)
        signature = WebhookSignature.generate_signature_header(payload, self.webhook_secret)
        self.events.append(SentEvent(event_type, payload, signature))

    # -- helpers -----------------------------------------------------------------
    def session(self, request) -> dict:
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            raise UserError(404, "No such checkout.session", {"code": "resource_missing"})
        return session

    def charge_intent(self, session: dict) -> None:
        """Create and confirm the session's PaymentIntent with a test card."""
        intent = PaymentIntent(
            amount=session["amount_total"], currency=session["currency"],
            payment_method="pm_card_visa", metadata=session["_intent_metadata"])
        intent._confirm(on_failure_now=intent._report_failure)
        session.update(payment_intent=intent.id, payment_status="paid")


fake = FakeStripe()


def public(session: dict) -> dict:
    return {key: value for key, value in session.items() if not key.startswith("_")}


def _line_item(item: dict) -> dict:
    price, quantity = item["price_data"], int(item["quantity"])
    amount = int(price["unit_amount"]) * quantity
    if quantity < 1 or amount < 0 or not price["product_data"]["name"]:
        raise ValueError
    return {"id": "li_" + random_id(14), "object": "item", "quantity": quantity,
            "description": price["product_data"]["name"], "currency": price["currency"],
            "amount_subtotal": amount, "amount_total": amount, "amount_discount": 0,
            "price": {"object": "price", "currency": price["currency"],
                      "unit_amount": int(price["unit_amount"])}}


def _check_session(data: dict, items: list[dict]) -> None:
    now, expires_at = int(time.time()), int(data.get("expires_at") or time.time() + 86400)
    if data.get("mode") != "payment" or not data.get("success_url") or not data.get("cancel_url"):
        raise UserError(400, "mode=payment, success_url and cancel_url are required.")
    if len({item["currency"] for item in items}) != 1:
        raise UserError(400, "line_items are required, all in one currency.")
    if not now + 1800 <= expires_at <= now + 86400:
        raise UserError(400, "expires_at must be 30 minutes to 24 hours from now.",
                        {"param": "expires_at"})


async def create_session(request):
    key = request.headers.get("Idempotency-Key")
    if key in fake.idempotency:  # Stripe replays the first answer for a repeated key
        return json_response(public(fake.sessions[fake.idempotency[key]]))
    data = await get_post_data(request) or {}
    try:
        items = [_line_item(item) for item in data.get("line_items") or []]
    except (KeyError, TypeError, ValueError):
        raise UserError(400, "Invalid line_items.", {"param": "line_items"}) from None
    _check_session(data, items)
    session_id = "cs_test_" + random_id(24)
    session = {
        "id": session_id, "object": "checkout.session", "mode": "payment", "status": "open",
        "payment_status": "unpaid", "payment_intent": None, "created": int(time.time()),
        "amount_total": sum(item["amount_total"] for item in items),
        "amount_subtotal": sum(item["amount_subtotal"] for item in items),
        "currency": items[0]["currency"], "client_reference_id": data.get("client_reference_id"),
        "customer_email": data.get("customer_email"), "metadata": data.get("metadata") or {},
        "expires_at": int(data.get("expires_at") or time.time() + 86400),
        "success_url": data["success_url"], "cancel_url": data["cancel_url"],
        "url": f"{fake.base_url}/_config/checkout/{session_id}", "livemode": False,
        "_intent_metadata": (data.get("payment_intent_data") or {}).get("metadata") or {},
    }
    fake.sessions[session_id], fake.line_items[session_id] = session, items
    if key:
        fake.idempotency[key] = session_id
    return json_response(public(session))


async def retrieve_session(request):
    return json_response(public(fake.session(request)))


async def list_line_items(request):
    items = fake.line_items[fake.session(request)["id"]]
    return json_response({"object": "list", "data": items, "has_more": False,
                          "url": request.path})


async def expire_session(request):
    session = fake.session(request)
    if session["status"] != "open":
        raise UserError(400, "Only Checkout Sessions with a status of open can be expired.")
    session["status"] = "expired"
    fake.emit("checkout.session.expired", public(session))
    return json_response(public(session))


BUTTONS = (("pay", "Pay"), ("decline", "Pay with a card that is declined"),
           ("pay_later", "Pay by bank transfer"), ("back", "Back"))


async def hosted_page(request, note: str = ""):
    session = fake.session(request)
    rows = "".join(f"<li>{html.escape(i['description'])} x{i['quantity']}: {i['amount_total']}"
                   f"</li>" for i in fake.line_items[session["id"]])
    buttons = "".join(f'<button name="action" value="{a}">{label}</button>' for a, label in BUTTONS)
    return web.Response(content_type="text/html", text=(
        f"<h1>Pay {session['amount_total']} {session['currency']}</h1><p>{note}</p>"
        f'<ul>{rows}</ul><form method="post">{buttons}</form>'))


async def hosted_page_submit(request):
    session, action = fake.session(request), (await request.post()).get("action")
    if action == "back":
        raise web.HTTPSeeOther(session["cancel_url"])
    if action == "decline" and session["status"] == "open":  # Stripe keeps the shopper here
        return await hosted_page(request, note="Your card was declined.")
    if session["status"] != "open" or action not in ("pay", "pay_later"):
        raise UserError(400, "This checkout session is no longer open.")
    session["status"] = "complete"
    if action == "pay":
        fake.charge_intent(session)
    fake.emit("checkout.session.completed", public(session))
    raise web.HTTPSeeOther(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))


async def settle(request):
    """The bank transfer behind ``pay_later`` arrives (succeeded) or bounces (failed)."""
    session, outcome = fake.session(request), (await request.post()).get("outcome")
    if session["payment_status"] != "unpaid" or outcome not in ("succeeded", "failed"):
        raise UserError(400, "Nothing to settle, or no outcome=succeeded|failed.")
    if session["status"] != "complete":
        raise UserError(400, "The shopper has not chosen to pay by bank transfer.")
    if outcome == "succeeded":
        fake.charge_intent(session)
    fake.emit(f"checkout.session.async_payment_{outcome}", public(session))
    return json_response(public(session))


@web.middleware
async def trouble_and_refund_events(request, handler):
    """Misbehave on demand; after a refund, announce ``charge.refunded`` like Stripe."""
    if fake.trouble and request.path.startswith("/v1/"):
        kind, value, *message = fake.trouble
        if kind == "slow":  # then a gateway timeout: nothing a later test could trip over
            await asyncio.sleep(value)
            value = 504
        error = {"type": "api_error", "message": message[0] if message else "Boom"}
        return json_response({"error": error}, status=int(value))
    response = await handler(request)
    if request.method == "POST" and request.path == "/v1/refunds" and response.status == 200:
        charge = Charge._api_retrieve(json.loads(response.text)["charge"])
        fake.emit("charge.refunded", charge._export())
    return response


app.middlewares.append(trouble_and_refund_events)
app.router.add_post("/v1/checkout/sessions", create_session)
app.router.add_get("/v1/checkout/sessions/{id}", retrieve_session)
app.router.add_get("/v1/checkout/sessions/{id}/line_items", list_line_items)
app.router.add_post("/v1/checkout/sessions/{id}/expire", expire_session)
app.router.add_get("/_config/checkout/{id}", hosted_page)
app.router.add_post("/_config/checkout/{id}", hosted_page_submit)
app.router.add_post("/_config/checkout/{id}/settle", settle)
