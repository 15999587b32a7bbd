"""The demo shop's own pages and particulars, in the practice's words (Markdown).

The shop is the online shop of a Seattle dermatology practice, shipping to the United
States and Canada in dollars. The practice, its address and its numbers are invented; the
".example" addresses can never receive mail. The shipping page's prices and the about
page's financial ties are not written here: those pages show them from the shop's data.
"""

from __future__ import annotations

SETTINGS = {
    "name": "Halden Skin",
    "email": "hello@haldenskin.example",
    "address": "Halden Dermatology PLLC\n2150 Example Avenue, Suite 300\n"
               "Seattle, WA 98101\nUnited States",
}

# key -> (heading, body); ``about`` is signed by the doctor.
PAGES = {
    "about": ("About Halden Skin", """\
I'm Maren Halden, a dermatologist in Seattle. For more than fifteen years my clinic has
seen everything from teenage acne to skin cancer checks, and the same questions come up
every week: *what should I put on my face, and is the expensive one worth it?*

This shop is my answer, written down. Every product in it is one I would recommend to a
patient sitting across from me, and most of them I have watched work on real skin at the
clinic. When something better comes along, or a product changes its formula for the
worse, it leaves the shop.

The articles are the other half. I write them myself, in the plain words I use at the
clinic, and I recommend what the evidence supports whether or not we sell it: sometimes
that is a prescription medicine, a treatment only a doctor can give, or nothing at all.

A shop cannot examine your skin. If a spot is new, changing or worrying you, please see a
doctor in person.

The shop is run by my practice, Halden Dermatology PLLC, from our office in Seattle. A
small team packs every order there."""),

    "contact": ("Contact us", """\
The quickest way to reach us is e-mail. A real person at the practice reads every
message and answers within one working day (Monday to Friday, 9 am to 5 pm Pacific time).

- **About an order:** please give your order number (it starts with HS-), so we can find
  it straight away.
- **About a product:** ask away, from how to use it to what is in it.
- **About your skin:** we can't diagnose or treat anyone by e-mail. For a general question,
  use *Ask a dermatologist*; for anything that worries you, see a doctor in person. In an
  emergency, call 911.

Our postal address is below. Please don't send returns there without writing to us first:
the returns page says how."""),

    "shipping": ("Shipping", """\
We ship from Seattle to every US state and to Canada. The table below shows each way we
ship, how long it takes and what it costs; checkout shows the same for your address before
you pay.

**When your order leaves.** Orders paid by 1 pm Pacific time on a working day leave the
same day; later ones leave the next working day. We e-mail you the carrier and the
tracking number as soon as the parcel is handed over.

**Alaska and Hawaii** have their own rate, because parcels go by air.

**Canada.** Parcels go as international shipping. Canadian sales taxes and any duties are
not included in our prices: the carrier collects them on delivery.

**Heat and cold.** Some products (vitamin C serums, for example) don't like a hot porch.
If you won't be home for a few days, a pickup point or your workplace is a kinder address.

**Lost or damaged parcels.** If your parcel hasn't arrived three working days after its
latest expected date, or arrives damaged, write to us within 14 days. We send a
replacement or refund you in full; you don't need to argue with the carrier."""),

    "returns": ("Returns and refunds", """\
If you change your mind, you can return anything **unopened and unused within 30 days**
of receiving it, for a full refund of the product's price.

**If a product doesn't suit your skin**, tell us within 30 days even if you've opened it.
Skin reacts in ways nobody can promise in advance; we refund an opened product once, and
we'd like to hear what happened so we can help you choose something else.

**How to return something**

1. E-mail us with your order number and what you'd like to return. You don't have to say
   why, but it helps us.
2. We reply with the return address and, if the return is our mistake (a wrong, damaged or
   faulty item), a prepaid label.
3. Send the parcel with tracking. Otherwise the return postage is yours to pay.

**Your refund.** We refund to the card or account you paid with within five working days
of receiving the return (for an opened product that didn't suit you, as soon as we've
agreed it by e-mail). We e-mail you when we do; your bank usually shows it within 5 to 10
working days after that. The original shipping is refunded too if the return is our
mistake.

Cancelling before we ship is always free: write to us and we'll stop the order and refund
it in full."""),

    "privacy": ("Privacy", """\
We keep as little about you as we can, use it only to run the shop, and never sell it.

## What we keep, and why

- **Orders:** your name, e-mail address, delivery address, phone number if you give one,
  and what you bought. We need them to send your order and answer questions about it, and
  we keep them for seven years because tax law says so.
- **Your account**, if you make one: your name, e-mail address, a scrambled form of your
  password, your saved addresses and your cart. It stays until you ask us to delete it.
- **Questions you send** through *Ask a dermatologist*, and **reviews** you write. Any
  skin type or skin concern you tell us may be health data under Washington's *My Health
  My Data Act*: we use it only to answer you or to publish what you asked us to publish,
  and never for advertising.
- **Back-in-stock requests:** your e-mail address and the product. We delete a request
  when you ask, when nobody confirms it within three days, or 90 days after we've told you
  the product is back.

## Who else sees it

- **Stripe** takes card payments. Your card number goes straight to Stripe; we never see
  or store it.
- **Our e-mail provider** sends the shop's e-mails, and **the carrier** gets the name,
  address and phone number on your parcel.

Nobody else. We run no advertising trackers and no analytics that follow you around the
web. Our cookies only keep you logged in, remember your cart and protect our forms.

## What you can ask

E-mail us to get a copy of what we hold about you, to correct it, or to delete it (except
what tax law makes us keep). We answer within 30 days, usually much sooner. Washington
residents have these rights under the *My Health My Data Act* too, and may complain to the
Washington State Attorney General."""),

    "terms": ("Terms and conditions", """\
These terms are the agreement between you and Halden Dermatology PLLC, which runs Halden
Skin, when you buy from the shop. We've kept them as short and plain as we can.

## Your order

When you pay, you offer to buy the products in your order. The contract is made when we
e-mail you that your order is confirmed. If we can't send something after all (a product
sold out at the last moment, for example), we tell you and refund it in full.

## Prices and payment

Prices are in US dollars. Sales tax is added at checkout where we collect it, and you see
the total before you pay. Canadian taxes and duties are charged by the carrier on
delivery. Payment is taken when you place your order.

## Delivery

We ship to the United States and Canada as described on the shipping page. The products
are yours, and at your risk, once they are delivered.

## Returns

You can return products as described on the returns page. Nothing in these terms takes
away rights the law gives you.

## Products and advice

Our products are cosmetics and over-the-counter treatments. Our articles and product pages
explain skin conditions in general terms; they are not a diagnosis and not a substitute
for seeing a doctor. Follow the directions on each product, and stop using it if it
irritates your skin. We do not sell prescription medicines.

## Our responsibility

If something goes wrong because of us, we are responsible for what could be expected to
follow from it, up to the amount you paid for the order. We are not responsible for what
we couldn't have expected or prevented. Nothing here limits our responsibility where the
law doesn't allow it to be limited.

## The law

These terms are governed by the laws of the State of Washington. If we disagree, please
write to us first: almost everything can be settled by e-mail.

## Changes

We may change these terms. Each change is a new version; your order stays under the
version you accepted at checkout, which the shop keeps with your order."""),

    "legal": ("Legal notice", """\
Halden Skin is the online shop of **Halden Dermatology PLLC**, a professional limited
liability company registered in the State of Washington.

- **Responsible for the shop and its content:** Dr. Maren Halden, MD, board-certified
  dermatologist, licensed by the Washington Medical Commission.
- **Washington business licence (UBI):** 604 000 000 (example).

The practice's name, postal address and e-mail address are below. The articles on this
site are written by Dr. Halden and explain skin conditions in general terms; they are not
medical advice for any one person."""),
}
