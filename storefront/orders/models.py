"""Orders snapshot what was bought (names, SKUs, prices): catalog edits never change them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.db import TimestampMixin, enum_column, utcnow
from storefront.extensions import Model
from storefront.money import money_column

# Address fields (storefront.addresses.FIELDS) and the order's columns, shipping_<column>.
ADDRESS_COLUMNS = (("name", "name"), ("line1", "line1"), ("line2", "line2"),
                   ("city_area", "city_area"), ("city", "city"),
                   ("country_area", "country_area"), ("postcode", "postcode"),
                   ("sorting_code", "sorting_code"), ("country", "country"),
                   ("phone", "phone"))


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FULFILLED = "fulfilled"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return {
            "pending_payment": "Waiting for payment",
            "paid": "Paid",
            "payment_failed": "Payment failed",
            "expired": "Expired (not paid in time)",
            "cancelled": "Cancelled",
            "fulfilled": "Sent",
            "partially_refunded": "Partly refunded",
            "refunded": "Refunded",
        }[self.value]

    @property
    def tone(self) -> str:
        """The tag style that goes with the status: ok, warn or danger."""
        if self in (OrderStatus.PAID, OrderStatus.FULFILLED):
            return "ok"
        if self in (OrderStatus.PENDING_PAYMENT, OrderStatus.PARTIALLY_REFUNDED,
                    OrderStatus.REFUNDED):
            return "warn"
        return "danger"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Order(TimestampMixin, Model):
    __tablename__ = "shop_order"
    __table_args__ = (
        Index("ix_shop_order_status_reservation", "status", "reservation_expires_at"),
        Index("ix_shop_order_email_discount", "email", "discount_code_id"),
        # The back office lists orders newest first and sums sales by the day they were paid.
        Index("ix_shop_order_created_at", "created_at"),
        Index("ix_shop_order_paid_at", "paid_at"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("discount_total >= 0 AND discount_total <= subtotal",
                        name="discount_within_subtotal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random code such as HS-7K2M9QXD: no sequence to guess, easy to read out on the phone.
    number: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus), default=OrderStatus.PENDING_PAYMENT
    )
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(money_column())
    discount_total: Mapped[Decimal] = mapped_column(money_column(), default=Decimal("0.00"))
    shipping_total: Mapped[Decimal] = mapped_column(money_column())
    tax_total: Mapped[Decimal] = mapped_column(money_column())
    total: Mapped[Decimal] = mapped_column(money_column())
    prices_include_tax: Mapped[bool]
    # The rate and name of the tax of the destination when the order was placed (each line
    # keeps its own share); later rate changes never touch an order.
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5, asdecimal=True))
    tax_name: Mapped[str] = mapped_column(String(40))
    # The tax in (or on) the delivery price; the rest of ``tax_total`` is in the lines.
    shipping_tax: Mapped[Decimal] = mapped_column(money_column(), default=Decimal("0.00"))
    shipping_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipping_method.id", ondelete="SET NULL"))
    # What the shopper chose, as it was then: "Standard delivery (3 to 5 working days)".
    shipping_method_name: Mapped[str] = mapped_column(String(120))
    discount_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("discount_code.id", ondelete="SET NULL")
    )
    discount_code: Mapped[str | None] = mapped_column(String(40))
    shipping_name: Mapped[str] = mapped_column(String(120))
    shipping_line1: Mapped[str] = mapped_column(String(200))
    shipping_line2: Mapped[str] = mapped_column(String(200), default="")
    shipping_city_area: Mapped[str] = mapped_column(String(100), default="")
    shipping_city: Mapped[str] = mapped_column(String(100))
    # The state, province or prefecture, as the address data's key ("WA", "東京都").
    shipping_country_area: Mapped[str] = mapped_column(String(100), default="")
    shipping_postcode: Mapped[str] = mapped_column(String(20))
    shipping_sorting_code: Mapped[str] = mapped_column(String(20), default="")
    shipping_country: Mapped[str] = mapped_column(String(2))
    # E.164 (+12065550100), or as typed for orders placed before phones were checked.
    shipping_phone: Mapped[str] = mapped_column(String(40), default="")
    reservation_expires_at: Mapped[datetime | None]
    cart_id: Mapped[int | None] = mapped_column(ForeignKey("cart.id", ondelete="SET NULL"),
                                                index=True)
    paid_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    # Filled in when the parcel is handed to the carrier (``services.fulfil``).
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    fulfilled_at: Mapped[datetime | None]
    # The version of the shop's terms the buyer accepted on the review page, and when
    # (None: the shop had no terms then, or the order is older than the question).
    terms_version: Mapped[int | None]
    terms_accepted_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="order", order_by="Refund.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def amount_refunded(self) -> Decimal:
        return sum((refund.amount for refund in self.refunds), Decimal("0.00"))

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def tax_percent(self) -> str:
        """"21%", "6.5%": the rate the order was taxed at."""
        return f"{(self.tax_rate * 100).normalize():f}%"

    @property
    def tax_refunded(self) -> Decimal:
        return sum((refund.tax_amount for refund in self.refunds), Decimal("0.00"))

    @property
    def address(self) -> dict[str, str]:
        """The delivery address with the checkout's field names (``storefront.addresses``)."""
        return {name: getattr(self, f"shipping_{column}") for name, column in ADDRESS_COLUMNS}


class OrderLine(Model):
    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"),
                                          index=True)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variant.id", ondelete="SET NULL"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(160))
    size_label: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[Decimal] = mapped_column(money_column())
    quantity: Mapped[int]
    line_total: Mapped[Decimal] = mapped_column(money_column())
    # This line's share of the order's tax (after its share of any discount), and the rate.
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5, asdecimal=True))
    tax_amount: Mapped[Decimal] = mapped_column(money_column())
    source_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="SET NULL"), index=True
    )
    # The routine the line was put in the cart from (its concerns' slugs), if any.
    source_routine: Mapped[str | None] = mapped_column(String(255))

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(Model):
    """What happened to an order, when, and who did it (None: the shopper or the system)."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


class Payment(TimestampMixin, Model):
    """One attempt to pay through a provider, known there by ``provider_reference``."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("provider", "provider_reference",
                         name="uq_payment_provider_reference"),
        CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount",
                        name="refunded_within_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"),
                                          index=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_reference: Mapped[str] = mapped_column(String(255))
    amount: Mapped[Decimal] = mapped_column(money_column())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus), default=PaymentStatus.PENDING
    )
    amount_refunded: Mapped[Decimal] = mapped_column(money_column(), default=Decimal("0.00"))
    # The provider's own word for the last state it reported, for the operator.
    raw_status: Mapped[str] = mapped_column(String(300), default="")

    order: Mapped[Order] = relationship(back_populates="payments")
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment",
                                                 order_by="Refund.id")


class Refund(Model):
    __tablename__ = "refund"
    __table_args__ = (
        UniqueConstraint("order_id", "reference", name="uq_refund_order_reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"),
                                          index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id", ondelete="CASCADE"),
                                            index=True)
    amount: Mapped[Decimal] = mapped_column(money_column())
    # The tax given back with ``amount``: the order's tax in proportion, so refunding the
    # whole order returns exactly its tax.
    tax_amount: Mapped[Decimal] = mapped_column(money_column(), default=Decimal("0.00"))
    reference: Mapped[str] = mapped_column(String(255))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id",
                                                            ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")
    payment: Mapped[Payment] = relationship(back_populates="refunds")
