"""The interface every payment provider implements, and how the app picks one.

The order code never talks to Stripe directly: checkout asks the provider to *start* a
payment (and gets a URL to send the shopper to), the provider's return page or webhook
reports the outcome through ``storefront.orders.services`` (``payment_succeeded``,
``payment_failed``, ``payment_expired``, ``refund_recorded``), and refunds go out through
``refund``. So the demo provider and Stripe drive exactly the same order and stock code.
The interface is the orders' own (they refund through it); the providers that implement it
are in ``storefront.payments``, a layer above, registered by ``create_app``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from flask import current_app

from storefront.errors import DomainError

if TYPE_CHECKING:  # orders.models imports this module: names for type hints only
    from storefront.orders.models import Order, Payment  # types only


class PaymentError(DomainError):
    """The payment could not be started or refunded; the message is for the shopper."""

    status_code = 402


class PaymentUnavailable(PaymentError):
    """The provider could not be reached (down, slow or broken): nothing was charged."""

    status_code = 503


@dataclass(frozen=True)
class PaymentStart:
    """Where to send the shopper, and the provider's reference for this attempt."""

    redirect_url: str
    reference: str


@dataclass(frozen=True)
class RefundResult:
    reference: str
    amount: Decimal


class PaymentProvider(Protocol):
    name: str
    label: str
    # The shortest stock hold this provider's payment page can live with (Stripe's
    # Checkout Sessions last at least 30 minutes); checkout holds stock at least this long.
    min_reservation_minutes: int

    def start(self, order: Order, *, success_url: str, cancel_url: str) -> PaymentStart:
        """Begin paying for ``order`` (its totals and lines are final and reserved)."""

    def refund(self, payment: Payment, amount: Decimal) -> RefundResult:
        """Refund ``amount`` of ``payment``; raises PaymentError or PaymentUnavailable."""


_PROVIDERS: dict[str, type] = {}


def register_provider(name: str):
    """Class decorator: make a provider available under ``name`` (``create_app`` registers
    the shop's own: ``storefront.payments.providers``)."""

    def decorator(cls):
        _PROVIDERS[name] = cls
        return cls

    return decorator


def provider_name() -> str:
    """``stripe`` when a Stripe secret key is configured, else ``demo``."""
    configured = current_app.config.get("PAYMENT_PROVIDER")
    if configured:
        return configured
    return "stripe" if current_app.config.get("STRIPE_SECRET_KEY") else "demo"


def reservation_minutes(name: str | None = None) -> int:
    """How long checkout holds stock: the configured time, or the provider's minimum."""
    configured = current_app.config["RESERVATION_MINUTES"]
    provider = _PROVIDERS.get(name or provider_name())
    return max(configured, getattr(provider, "min_reservation_minutes", 0))


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or provider_name()
    try:
        return _PROVIDERS[name]()
    except KeyError as error:
        raise PaymentUnavailable(f"The payment method {name!r} is not available.") from error
