"""Checkout steps: e-mail, address, delivery, discount code, review, pay; then confirmation."""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from storefront import addresses
from storefront.accounts import address_book
from storefront.accounts.forms import RegisterForm
from storefront.cart import services as cart_services
from storefront.cart.views import release_stale_holds
from storefront.cart.visitor import visitor_cart
from storefront.checkout import forms, services, state
from storefront.discounts import services as discounts
from storefront.extensions import db, limiter
from storefront.forms import INVALID_FORM_STATUS, attach_error
from storefront.inventory.services import OutOfStock
from storefront.orders import services as orders
from storefront.orders.discount_uses import uses_by_customer
from storefront.orders.links import order_url
from storefront.orders.models import Order, OrderStatus
from storefront.orders.payment_providers import PaymentError, PaymentUnavailable, get_provider
from storefront.security import MAX_ID
from storefront.shipping import services as shipping
from storefront.sqlite import changes_data
from storefront.urls import public_url

bp = Blueprint("checkout", __name__, url_prefix="/checkout")
UNAVAILABLE = ("The payment service is unavailable; your cart is saved. Nothing was charged. "
               "Please try again in a few minutes.")


def _limit(setting: str, **options):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **options)


def _code_refused(response) -> bool:
    """Only refused codes count towards the limit: guessing is what it stops."""
    return response.status_code >= 400


def step(name: str):
    """Run a step only with a cart that can be checked out and the earlier steps answered."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            cart = visitor_cart()
            release_stale_holds(cart)
            problems = cart_services.cart_problems(cart)
            if problems:
                for problem in problems:
                    flash(problem, "warning")
                return redirect(url_for("cart.view_cart"))
            answers = state.load()
            if not state.reached(answers, name):
                return redirect(url_for(f"checkout.{state.first_missing(answers)}"))
            return view(cart, answers, *args, **kwargs)

        # Even a GET may give back stock held too long (``release_stale_holds``).
        return changes_data(wrapped)

    return decorator


def _page(template: str, cart, answers: dict, current: str, status: int = 200, priced=None,
          **context):
    if priced is None:
        priced = services.quote(cart, address=state.address_of(answers),
                                shipping_method=answers.get("shipping"),
                                discount_code=answers.get("discount", ""),
                                email=answers.get("email"), user_id=_user_id())
    html = render_template(template, quote=priced, answers=answers, steps=state.STEPS,
                           current=current, reached=lambda name: state.reached(answers, name),
                           **context)
    return html, status


def _form_page(template: str, form, cart, answers: dict, current: str, **context):
    status = INVALID_FORM_STATUS if request.method == "POST" else 200
    return _page(template, cart, answers, current, status, form=form, **context)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _answer(answers: dict, name: str, value) -> object:
    """Store a step's answer and go on: to the next unanswered step, or back to the review."""
    answers[name] = value
    state.save(answers)
    return redirect(url_for(f"checkout.{state.first_missing(answers)}"))


@bp.get("/")
@step("email")
def start(cart, answers):
    return redirect(url_for(f"checkout.{state.first_missing(answers)}"))


@bp.route("/email", methods=["GET", "POST"])
@step("email")
def email(cart, answers):
    default = answers.get("email") or (current_user.email if current_user.is_authenticated
                                       else "")
    form = forms.EmailForm(data={"email": default})
    if form.validate_on_submit():
        return _answer(answers, "email", form.email.data.strip().lower())
    return _form_page("checkout/email.html", form, cart, answers, "email")


def _first_country(answers: dict, countries: list[tuple[str, str]]) -> str:
    """The country the address form starts with: the one given before, else the shop's
    own when it delivers there, else the first it delivers to."""
    saved = (answers.get("address") or {}).get("country")
    codes = [code for code, _ in countries]
    home = addresses.default_country()
    return saved or (home if home in codes or not codes else codes[0])


def _deliverable(form) -> bool:
    """Whether something reaches the checked address; says why not beside the field."""
    try:
        shipping.check_deliverable(shipping.place_of(form.address))
    except shipping.NotDeliverable as error:
        attach_error(form, error.message, error.field)
        return False
    return True


def _save_address(answers: dict, address: dict):
    """Keep the address; the delivery chosen is forgotten if it doesn't reach it."""
    method = answers.get("shipping")
    if method and shipping.method_for(method, shipping.place_of(address)) is None:
        answers.pop("shipping")
    return _answer(answers, "address", address)


def _saved_addresses() -> list:
    """The logged-in customer's address book (the default first); none for a guest."""
    if not current_user.is_authenticated:
        return []
    return address_book.addresses_of(current_user.id)


def _address_page(form, cart, answers: dict, countries, status: int = 200,
                  saved_error: str | None = None):
    saved = _saved_addresses()
    shipped = {code for code, _ in countries}
    usable = [entry for entry in saved if entry.country in shipped]
    given = answers.get("address")
    chosen = next((entry.id for entry in usable if entry.address == given),
                  usable[0].id if usable else None)
    return _page("checkout/address.html", cart, answers, "address", status, form=form,
                 countries=countries, saved=saved, chosen=chosen, saved_error=saved_error,
                 shipped=shipped, save_checked=request.form.get("save_address") == "y")


def _use_saved(cart, answers: dict, countries):
    """Deliver to an address from the customer's book (checked again, as a new one is)."""
    raw = request.form.get("saved_address", "")
    entry = (address_book.address_of(current_user.id, int(raw))
             if current_user.is_authenticated and raw.isdigit() and 0 < int(raw) <= MAX_ID
             else None)
    form = forms.address_form(_first_country(answers, countries), countries)
    if entry is None:
        return _address_page(form, cart, answers, countries, INVALID_FORM_STATUS,
                             "Choose one of your addresses, or enter a new one below.")
    try:
        address = addresses.normalise(entry.address)
        shipping.check_deliverable(shipping.place_of(address))
    except addresses.AddressInvalid:
        return _address_page(form, cart, answers, countries, INVALID_FORM_STATUS,
                             "That address is missing something we need now: please edit "
                             "it in your address book, or enter it below.")
    except shipping.NotDeliverable as error:
        return _address_page(form, cart, answers, countries, INVALID_FORM_STATUS,
                             error.message)
    return _save_address(answers, address)


def _keep_in_address_book(address: dict) -> None:
    """Save a new address for the customer who ticked the box (never fails the step)."""
    if not (current_user.is_authenticated and request.form.get("save_address") == "y"):
        return
    try:
        address_book.add_address(current_user.id, address)
    except (address_book.AddressBookFull, addresses.AddressInvalid) as error:
        db.session.rollback()
        flash(getattr(error, "message", str(error)), "warning")
        return
    db.session.commit()


@bp.route("/address", methods=["GET", "POST"])
@step("address")
def address(cart, answers):
    """The address form of the chosen country, and the customer's saved addresses.
    Choosing another country and pressing "Update the form" (JavaScript does it on
    change) shows that country's fields."""
    countries = shipping.shipped_countries()
    if request.method == "GET":
        country = _first_country(answers, countries)
        form = forms.address_form(country, countries,
                                  data={**(answers.get("address") or {}), "country": country})
        return _address_page(form, cart, answers, countries)
    if request.form.get("action") == "saved":
        return _use_saved(cart, answers, countries)
    form = forms.address_form(request.form.get("country", ""), countries)
    if request.form.get("action") == "country":
        return _address_page(form, cart, answers, countries)
    if form.validate_on_submit() and _deliverable(form):
        _keep_in_address_book(form.address)
        return _save_address(answers, form.address)
    return _address_page(form, cart, answers, countries, INVALID_FORM_STATUS)


@bp.route("/delivery", methods=["GET", "POST"], endpoint="shipping")
@step("shipping")
def shipping_step(cart, answers):
    address = state.address_of(answers)
    options = services.delivery_options(cart, address=address,
                                        discount_code=answers.get("discount", ""),
                                        email=answers.get("email"), user_id=_user_id())
    if not options:
        flash("Sorry, we don't deliver to this address at the moment. Please check it.",
              "warning")
        return redirect(url_for("checkout.address"))
    chosen = answers.get("shipping")
    if chosen not in {str(method.id) for method, _ in options}:
        chosen = str(options[0][0].id)
    form = forms.ShippingForm(data={"method": chosen})
    form.method.choices = [SelectChoice(str(method.id), method.label) for method, _ in options]
    if form.validate_on_submit():
        return _answer(answers, "shipping", form.method.data)
    return _form_page("checkout/shipping.html", form, cart, answers, "shipping",
                      options=options)


@bp.route("/discount", methods=["GET", "POST"])
@_limit("DISCOUNT_RATE_LIMIT", deduct_when=_code_refused)
@step("discount")
def discount(cart, answers):
    form = forms.DiscountForm(data={"code": answers.get("discount", "")})
    if not form.validate_on_submit():
        return _form_page("checkout/discount.html", form, cart, answers, "discount")
    action = request.form.get("action", "apply")
    code = (form.code.data or "").strip()
    if action == "skip" or not code:
        return _answer(answers, "discount", "")
    priced = services.quote(cart)  # the code applies to the goods, wherever they go
    try:
        found = discounts.check_code(
            code, subtotal=priced.totals.subtotal, currency=priced.currency,
            uses_by_customer=uses_by_customer(answers.get("email"), user_id=_user_id()))
    except discounts.DiscountRefused as error:
        form.code.errors = [error.message]
        return _form_page("checkout/discount.html", form, cart, answers, "discount")
    flash(f"The code {found.code} is applied: {found.describe(priced.currency)}.", "success")
    return _answer(answers, "discount", found.code)


def _delivery_problem(error: shipping.NotDeliverable, answers: dict):
    """Back to the step to change: the address, or the delivery that no longer reaches it."""
    flash(error.message, "warning")
    if error.field == "method":
        answers.pop("shipping", None)
        state.save(answers)
        return redirect(url_for("checkout.shipping"), 303)
    return redirect(url_for("checkout.address"), 303)


def _review_page(cart, answers: dict, status: int = 200, terms_error: str | None = None):
    """The review page, with a Pay form made for exactly what it shows."""
    details = state.details(answers)
    priced = services.quote(cart, address=details.address,
                            shipping_method=details.shipping_method,
                            discount_code=details.discount_code, email=details.email,
                            user_id=_user_id())
    try:
        shipping.check_deliverable(details.address.place)
        if priced.method is None:
            raise shipping.NotDeliverable(services.METHOD_GONE.replace(
                ", so nothing was charged", ""), field="method")
    except shipping.NotDeliverable as error:
        return _delivery_problem(error, answers)
    terms = services.current_terms()
    version = terms.version if terms is not None else None
    form = forms.PayForm(formdata=None, data={
        "reviewed": services.fingerprint(priced, details, version),
        "terms_version": "" if version is None else str(version)})
    if terms_error:
        form.accept_terms.errors = [terms_error]
    return _page("checkout/review.html", cart, answers, "review", status, priced=priced,
                 form=form, details=details, terms=terms)


@bp.get("/review")
@step("review")
def review(cart, answers):
    return _review_page(cart, answers)


@bp.post("/pay")
@_limit("CHECKOUT_RATE_LIMIT")
@step("review")
def pay(cart, answers):
    """Place the order (committed with its stock held), then hand over to the provider."""
    form = forms.PayForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        order = services.place_order(cart, state.details(answers), user_id=_user_id(),
                                     reviewed=form.reviewed.data or "",
                                     accepted_terms=form.accepted_terms())
    except services.TermsNotAccepted as error:
        db.session.rollback()
        return _review_page(cart, answers, error.status_code, terms_error=error.message)
    except (services.ChangedSinceReview, services.TermsChanged) as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("checkout.review"), 303)
    except shipping.NotDeliverable as error:
        db.session.rollback()
        return _delivery_problem(error, answers)
    except (services.CartNotReady, OutOfStock) as error:
        db.session.rollback()
        flash(f"{error.message} Your cart is unchanged; please adjust it and try again.",
              "error")
        return redirect(url_for("cart.view_cart"), 303)
    except discounts.DiscountRefused as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("checkout.discount"), 303)
    # Committed before calling the provider, so no stock row stays locked during the call.
    db.session.commit()
    state.remember_order(order.number)
    return _start_payment(order)


def _start_payment(order: Order):
    try:
        provider = get_provider()
        started = provider.start(
            order,
            success_url=public_url("checkout.confirmation", number=order.number),
            cancel_url=public_url("checkout.payment_cancelled", number=order.number),
        )
        orders.record_payment_started(order, provider=provider.name, reference=started.reference)
    except PaymentError as error:
        db.session.rollback()
        orders.abandon_unstarted(order, reason=error.message)
        db.session.commit()
        message = UNAVAILABLE if isinstance(error, PaymentUnavailable) else (
            f"{error.message} Your cart is saved; nothing was charged.")
        return render_template("checkout/payment_unavailable.html", message=message,
                               order=order), error.status_code
    db.session.commit()
    return redirect(started.redirect_url, 303)


def _visible_order(number: str) -> Order:
    """An order this visitor placed in this browser or owns; 404 for anyone else."""
    order = db.session.scalar(select(Order).where(Order.number == number[:16]))
    mine = order is not None and (
        state.placed_here(order.number)
        or (current_user.is_authenticated and order.user_id == current_user.id)
    )
    if order is None or not mine:
        abort(404)
    return order


@bp.get("/orders/<number>")
def confirmation(number: str):
    order = _visible_order(number)
    if order.status == OrderStatus.PAID:
        state.save({key: value for key, value in state.load().items() if key != "discount"})
    return render_template("checkout/confirmation.html", order=order,
                           failure=orders.failure_reason(order),
                           order_link=order_url(order, external=False),
                           register_form=_register_form(order))


def _register_form(order: Order) -> RegisterForm | None:
    """For a guest: an account with the order's e-mail, name filled in (the orders placed
    with that e-mail join it once the address is confirmed)."""
    if current_user.is_authenticated or order.user_id is not None:
        return None
    return RegisterForm(formdata=None, data={"email": order.email,
                                             "name": order.shipping_name})


@bp.get("/orders/<number>/cancelled")
@changes_data
def payment_cancelled(number: str):
    """Where a provider sends the shopper who gave up paying: back to the review."""
    order = _visible_order(number)
    if orders.payment_failed(order, reason="You cancelled the payment."):
        db.session.commit()
    flash("The payment was cancelled and nothing was charged. Your cart is saved, so you can "
          "try again.", "info")
    return redirect(url_for("checkout.review"))
