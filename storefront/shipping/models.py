"""Shipping zones, their delivery methods, and tax rates by destination."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.db import TimestampMixin
from storefront.extensions import Model
from storefront.money import money_column

# A tax rate as a fraction with five decimals: 0.08875 is 8.875 %.
RATE = Numeric(6, 5, asdecimal=True)


class ShippingZone(TimestampMixin, Model):
    """A set of countries, or of states or provinces of a country, delivered alike."""

    __tablename__ = "shipping_zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    areas: Mapped[list[ShippingZoneArea]] = relationship(
        back_populates="zone", cascade="all, delete-orphan",
        order_by=lambda: (ShippingZoneArea.country, ShippingZoneArea.area))
    methods: Mapped[list[ShippingMethod]] = relationship(
        back_populates="zone", cascade="all, delete-orphan",
        order_by=lambda: (ShippingMethod.position, ShippingMethod.id))

    def __repr__(self) -> str:
        return f"<ShippingZone {self.name}>"


class ShippingZoneArea(Model):
    """One country of a zone (``area`` empty), or one of its states (``area`` its code)."""

    __tablename__ = "shipping_zone_area"
    __table_args__ = (
        UniqueConstraint("zone_id", "country", "area", name="uq_shipping_zone_area_place"),
        Index("ix_shipping_zone_area_country_area", "country", "area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("shipping_zone.id", ondelete="CASCADE"),
                                         index=True)
    country: Mapped[str] = mapped_column(String(2))
    area: Mapped[str] = mapped_column(String(100), default="")

    zone: Mapped[ShippingZone] = relationship(back_populates="areas")


class ShippingMethod(TimestampMixin, Model):
    """A way to deliver to a zone: its price, how long it takes, and from what amount of
    goods (after discounts) it is free."""

    __tablename__ = "shipping_method"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("free_from IS NULL OR free_from >= 0", name="free_from_not_negative"),
        CheckConstraint("min_days >= 0 AND max_days >= min_days", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("shipping_zone.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(80))
    price: Mapped[Decimal] = mapped_column(money_column())
    free_from: Mapped[Decimal | None] = mapped_column(money_column())
    min_days: Mapped[int] = mapped_column(default=1)
    max_days: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    zone: Mapped[ShippingZone] = relationship(back_populates="methods")

    @property
    def delivery_time(self) -> str:
        """"3 to 5 working days", "1 working day"."""
        if self.min_days == self.max_days:
            unit = "working day" if self.max_days == 1 else "working days"
            return f"{self.max_days} {unit}"
        joiner = "or" if self.max_days == self.min_days + 1 else "to"
        return f"{self.min_days} {joiner} {self.max_days} working days"

    @property
    def label(self) -> str:
        """What the shopper chooses, and the order keeps: "Standard delivery (3 to 5
        working days)"."""
        return f"{self.name} ({self.delivery_time})"

    def price_for(self, goods: Decimal) -> Decimal:
        """The price for ``goods`` worth of products (after discounts)."""
        if self.free_from is not None and goods >= self.free_from:
            return Decimal("0.00")
        return self.price

    def __repr__(self) -> str:
        return f"<ShippingMethod {self.name} {self.price}>"


class TaxRate(TimestampMixin, Model):
    """The tax of a destination: a country (``area`` empty) or one of its states.

    With prices including tax it is the VAT inside them; otherwise the sales tax added.
    A state's own rate wins over its country's.
    """

    __tablename__ = "tax_rate"
    __table_args__ = (
        UniqueConstraint("country", "area", name="uq_tax_rate_place"),
        CheckConstraint("rate >= 0 AND rate < 1", name="rate_is_a_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    area: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(40))
    rate: Mapped[Decimal] = mapped_column(RATE)
    # Whether delivery is taxed too (VAT: always; US states differ).
    shipping_taxable: Mapped[bool] = mapped_column(default=True)

    @property
    def percent(self) -> str:
        """"6.5%", "21%"."""
        return f"{(self.rate * 100).normalize():f}%"

    def __repr__(self) -> str:
        return f"<TaxRate {self.country}-{self.area} {self.rate}>"
