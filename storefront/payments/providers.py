"""The payment providers the shop can use, registered by ``create_app``.

``PAYMENT_PROVIDER`` (or, without it, whether a Stripe key is configured) picks one of
them for each payment: ``storefront.orders.payment_providers.provider_name``.
"""

from __future__ import annotations

from storefront.orders.payment_providers import register_provider
from storefront.payments import demo, stripe_provider

PROVIDERS = {
    demo.PROVIDER: demo.DemoProvider,
    stripe_provider.PROVIDER: stripe_provider.StripeProvider,
}


def register_payment_providers() -> None:
    """Make the demo provider and Stripe Checkout available by name."""
    for name, provider in PROVIDERS.items():
        register_provider(name)(provider)
