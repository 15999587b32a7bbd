"""Forms for the shop's inventory: products, sizes, pictures, stock, CSV import."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import current_app
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from storefront.catalog.models import (
    Brand,
    Category,
    FinancialTie,
    Ingredient,
    ProductStatus,
    SkinType,
)
from storefront.extensions import db
from storefront.forms import ShopForm
from storefront.inventory.models import StockReason
from storefront.money import quantize
from storefront.slugs import MAX_LENGTH, is_slug

SKU_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
MAX_PRICE = Decimal("99999999.99")
MAX_RANK = 1_000_000
MAX_THRESHOLD = 100_000
MAX_ADJUSTMENT = 1_000_000
LONG_TEXT = 20_000
# Reasons staff pick by hand; sales and cancellations come from orders, imports from CSV.
MANUAL_REASONS = (StockReason.RECEIVED, StockReason.DAMAGED, StockReason.COUNT_CORRECTION,
                  StockReason.RETURN)


def _strip(value):
    """Surrounding spaces and NUL characters (which no database column takes) removed."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _upper(value):
    return _strip(value).upper() if isinstance(value, str) else value


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes: usable without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def price_problem(price: Decimal | None, compare_at: Decimal | None) -> str | None:
    """Why a price pair is not acceptable, or None."""
    for amount in (price, compare_at):
        if amount is None:
            continue
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
            return "Enter an amount from 0.00 to 99,999,999.99."
        if amount.as_tuple().exponent < -2:
            return "Use at most two decimals, like 12.50."
    if price is not None and compare_at is not None and compare_at <= price:
        return "The compare-at price must be higher than the price, or left empty."
    return None


def _slug(_form, field) -> None:
    if field.data and not is_slug(field.data):
        raise ValidationError("Use lower-case letters, digits and single hyphens, like "
                              "gentle-cream-cleanser.")


class ProductForm(ShopForm):
    name = StringField("Name", filters=[_strip],
                       validators=[InputRequired(), Length(max=160)])
    slug = StringField(
        "Web address (slug)", filters=[_strip],
        validators=[Optional(), Length(max=MAX_LENGTH), _slug],
        description="The end of the product's address. Leave empty to make it from the name. "
                    "Changing it breaks links people have saved.",
    )
    brand = SelectField("Brand", coerce=int)
    category = SelectField("Category", coerce=int)
    short_description = TextAreaField("Short description", filters=[_strip],
                                      validators=[Length(max=300)],
                                      description="One or two sentences for product cards.")
    description = TextAreaField("Description", filters=[_strip],
                                validators=[Length(max=LONG_TEXT)])
    ingredients = CheckboxListField("Key ingredients", coerce=int)
    ingredients_list = TextAreaField("Full ingredient list (INCI)", filters=[_strip],
                                     validators=[Length(max=LONG_TEXT)])
    how_to_use = TextAreaField("How to use", filters=[_strip],
                               validators=[Length(max=LONG_TEXT)])
    skin_types = CheckboxListField(
        "Suits skin types", choices=[SelectChoice(kind.value, kind.label) for kind in SkinType])
    status = SelectField(
        "Status", default=ProductStatus.DRAFT.value,
        choices=[SelectChoice(status.value, status.value.capitalize())
                 for status in ProductStatus])
    prescription_only = BooleanField("Prescription only (shown, never sold online)")
    brand_names = StringField(
        "Brand names it is sold under", filters=[_strip], validators=[Length(max=200)],
        description="For a prescription medicine: the names patients know it by, separated "
                    "by commas, like “Renova, Retin-A”. Shown on its cards and found by search.")
    featured_rank = IntegerField(
        "Featured rank", validators=[Optional(), NumberRange(min=0, max=MAX_RANK)],
        description="Lower numbers come first in the “featured” order; empty for none.")
    spf = IntegerField(
        "Sun protection factor (SPF)", validators=[Optional(), NumberRange(min=1, max=100)],
        description="As printed on a sunscreen's pack; empty for everything else. Routines "
                    "use sunscreens of SPF 30 or more.")

    def load_choices(self) -> ProductForm:
        """Fill the brand, category and ingredient choices from the database."""
        self.brand.choices = [SelectChoice(brand.id, brand.name) for brand in
                              db.session.scalars(select(Brand).order_by(Brand.name))]
        self.category.choices = [SelectChoice(category.id, category.name) for category in
                                 db.session.scalars(select(Category).order_by(
                                     Category.position, Category.name))]
        self.ingredients.choices = [SelectChoice(item.id, item.name) for item in
                                    db.session.scalars(select(Ingredient).order_by(
                                        Ingredient.name))]
        return self

    def fields(self) -> dict:
        """The product's values, as ``inventory_services`` takes them."""
        ingredient_ids = set(self.ingredients.data or [])
        return {
            "name": self.name.data,
            "slug": self.slug.data or "",
            "brand": db.session.get(Brand, self.brand.data),
            "category": db.session.get(Category, self.category.data),
            "short_description": self.short_description.data or "",
            "description": self.description.data or "",
            "ingredients": [item for item in db.session.scalars(
                select(Ingredient).where(Ingredient.id.in_(ingredient_ids)))],
            "ingredients_list": self.ingredients_list.data or "",
            "how_to_use": self.how_to_use.data or "",
            "skin_types": [SkinType(value) for value in self.skin_types.data or []],
            "status": ProductStatus(self.status.data),
            "prescription_only": bool(self.prescription_only.data),
            "brand_names": self.brand_names.data or "",
            "featured_rank": self.featured_rank.data,
            "spf": self.spf.data,
        }

    @classmethod
    def for_product(cls, product) -> ProductForm:
        """The form filled from ``product`` on a GET, or from the request on a POST."""
        data = {name: getattr(product, name) for name in (
            "name", "slug", "short_description", "description", "ingredients_list",
            "how_to_use", "prescription_only", "brand_names", "featured_rank", "spf")}
        data.update(brand=product.brand_id, category=product.category_id,
                    ingredients=[item.id for item in product.ingredients],
                    skin_types=[kind.value for kind in product.skin_types],
                    status=product.status.value)
        return cls(data=data).load_choices()


class BrandForm(ShopForm):
    name = StringField("Name", filters=[_strip], validators=[InputRequired(), Length(max=80)])
    description = TextAreaField("Description", filters=[_strip],
                                validators=[Length(max=LONG_TEXT)])
    financial_tie = SelectField(
        "Financial tie to the shop", default=FinancialTie.NONE.value,
        choices=[SelectChoice(tie.value, tie.label) for tie in FinancialTie],
        description="Anything beyond selling its products: our own brand, a paid "
                    "partnership or affiliate commissions. Every product of a brand with a "
                    "tie says so on its cards and page, and the about page lists it.")

    def fields(self) -> dict:
        return {"name": self.name.data, "description": self.description.data or "",
                "financial_tie": FinancialTie(self.financial_tie.data)}

    @classmethod
    def for_brand(cls, brand: Brand) -> BrandForm:
        return cls(data={"name": brand.name, "description": brand.description,
                         "financial_tie": brand.financial_tie.value})


class VariantForm(ShopForm):
    sku = StringField(
        "SKU", filters=[_strip],
        validators=[InputRequired(), Length(max=64),
                    Regexp(SKU_RE, message="Use letters, digits, dots, hyphens and "
                                           "underscores, like HS-GCC-150.")])
    size_label = StringField("Size", filters=[_strip],
                             validators=[InputRequired(), Length(max=40)],
                             description="As shoppers see it, like 50 ml.")
    price = DecimalField("Price", validators=[InputRequired()])
    compare_at_price = DecimalField(
        "Compare-at price", validators=[Optional()],
        description="The earlier price, shown struck through. Empty when not on sale.")
    currency = StringField("Currency", filters=[_upper],
                           validators=[InputRequired(), Regexp(
                               CURRENCY_RE, message="Use a three-letter code, like EUR.")])
    low_stock_threshold = IntegerField(
        "Low-stock threshold", default=5,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_THRESHOLD)],
        description="Listed under low stock when this many or fewer can be sold.")
    active = BooleanField("On sale", default=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("currency", current_app.config.get("SHOP_CURRENCY", "EUR"))
        super().__init__(*args, **kwargs)

    def validate_price(self, field):
        problem = price_problem(field.data, None)
        if problem:
            raise ValidationError(problem)

    def validate_compare_at_price(self, field):
        if field.data is None or self.price.data is None:
            return
        problem = price_problem(self.price.data, field.data)
        if problem and price_problem(self.price.data, None) is None:
            raise ValidationError(problem)

    def fields(self) -> dict:
        compare_at = self.compare_at_price.data
        return {
            "sku": self.sku.data,
            "size_label": self.size_label.data,
            "price": quantize(self.price.data),
            "compare_at_price": quantize(compare_at) if compare_at is not None else None,
            "currency": self.currency.data,
            "low_stock_threshold": self.low_stock_threshold.data,
            "active": bool(self.active.data),
        }


class StockAdjustmentForm(ShopForm):
    reason = SelectField("Reason", choices=[SelectChoice(reason.value, reason.label)
                                            for reason in MANUAL_REASONS])
    quantity = IntegerField(
        "Change", validators=[InputRequired(message="Enter a whole number, like 12 or -3."),
                              NumberRange(min=-MAX_ADJUSTMENT, max=MAX_ADJUSTMENT)],
        description="Positive to add units (12), negative to remove them (-3).")
    note = StringField("Note (optional)", filters=[_strip], validators=[Length(max=500)],
                       description="A delivery number, what was damaged, who counted.")

    def validate_quantity(self, field):
        if field.data == 0:
            raise ValidationError("Enter a change other than zero, like 12 or -3.")


class ImageUploadForm(ShopForm):
    picture = FileField("Picture", validators=[FileRequired("Choose a picture to upload.")],
                        description="JPEG, PNG or WebP, at most 5 MB.")
    alt_text = StringField(
        "Description for people who cannot see it", filters=[_strip],
        validators=[InputRequired(message="Describe the picture in a few words."),
                    Length(max=200)],
        description="Say what the picture shows, like “Gentle Cream Cleanser in a 150 ml "
                    "tube”.")


class BulkStatusForm(ShopForm):
    """Archive or activate the ticked products of the list."""

    action = SelectField(choices=[SelectChoice("archive", "Archive"),
                                  SelectChoice("activate", "Activate")])
    product_ids = SelectMultipleField(coerce=int, validate_choice=False)


class ImportUploadForm(ShopForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to check.")],
                     description="UTF-8 text with commas between columns, as the export makes.")


class ImportApplyForm(ShopForm):
    token = HiddenField(validators=[InputRequired()])


class ConfirmForm(ShopForm):
    """A button that changes something: only the CSRF token travels."""
