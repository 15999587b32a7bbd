"""The shop's particulars as the admin set them (one row; none until they save)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storefront.db import TimestampMixin
from storefront.extensions import Model


class ShopSettings(TimestampMixin, Model):
    """What the footer, the e-mails and the shop's pages say about the shop itself.

    An empty value falls back to the environment's setting (``SHOP_NAME``, ``SHOP_EMAIL``,
    ``SHOP_ADDRESS``), so a shop that never opened this page reads as before."""

    __tablename__ = "shop_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # The postal address, one line per line as it is written on an envelope.
    address: Mapped[str] = mapped_column(Text, default="")
