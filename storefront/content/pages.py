"""The shop's own pages: which there are, where they live, and when one is shown.

Each is a shop text (``ShopText``) the owner writes in the admin, in Markdown like an
article. Some pages also show what the shop's data says (the contact details, the delivery
zones and prices, the right of withdrawal of an EU shop) and so exist before a word is
written; the others are shown once written.
"""

from __future__ import annotations

from dataclasses import dataclass

TERMS = "terms"


@dataclass(frozen=True)
class ShopPage:
    key: str
    path: str
    label: str  # the footer's link and the admin's name for it
    heading: str  # the page's title until the owner writes their own
    hint: str  # what belongs on it, for the editor
    always: bool = False  # shown before anything is written (it shows data of its own)

    @property
    def endpoint(self) -> str:
        return f"content.{self.key}"


SHOP_PAGES = (
    ShopPage("about", "/about", "About us", "About the shop",
             "Who runs the shop and why. Shown above “How the shop earns money”, which the "
             "shop writes itself from the brands' financial ties.", always=True),
    ShopPage("contact", "/contact", "Contact", "Contact us",
             "How and when to reach you, and how fast you answer. The shop's e-mail and "
             "postal address (Shop settings) are shown below your text.", always=True),
    ShopPage("shipping", "/shipping", "Shipping", "Shipping",
             "Where you send parcels, how they travel and what happens if one is lost. The "
             "delivery zones and prices (Shipping and tax) are shown below your text.",
             always=True),
    ShopPage("returns", "/returns", "Returns", "Returns and refunds",
             "How to send something back, by when, and how the money comes back. An EU "
             "shop (SHOP_PRESET=eu) also shows the customer's legal right of withdrawal "
             "and its model form below your text."),
    ShopPage("privacy", "/privacy", "Privacy", "Privacy",
             "What personal data the shop keeps, why, for how long, who else sees it, and "
             "how a customer can see or delete theirs."),
    ShopPage(TERMS, "/terms", "Terms and conditions", "Terms and conditions",
             "The contract a customer accepts at checkout. Every saved change is a new "
             "version; each order records the version its buyer accepted."),
    ShopPage("legal", "/legal", "Legal notice", "Legal notice",
             "Who is legally responsible for the shop: the business, its registration and "
             "tax numbers. The shop's name, address and e-mail are shown with it."),
)
PAGES = {page.key: page for page in SHOP_PAGES}
PAGE_KEYS = tuple(PAGES)


def withdrawal_applies(preset: str) -> bool:
    """Whether the shop sells under the EU's 14-day right of withdrawal."""
    return preset == "eu"


def is_shown(page: ShopPage, written: bool, preset: str) -> bool:
    """Whether readers see ``page``: written, or showing data of its own."""
    return written or page.always or (page.key == "returns" and withdrawal_applies(preset))
