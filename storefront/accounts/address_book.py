"""A customer's address book: addresses checked as checkout checks them, one the default.

Every function takes the owner's id and looks rows up by it, so nobody reaches another
customer's address by its number. Services flush; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from storefront import addresses
from storefront.accounts.models import SavedAddress
from storefront.errors import DomainError
from storefront.extensions import db

MAX_ADDRESSES = 20


class AddressBookFull(DomainError):
    status_code = 422

    def __init__(self) -> None:
        super().__init__(f"Your address book holds at most {MAX_ADDRESSES} addresses. Delete "
                         "one you no longer use first.")


def addresses_of(user_id: int) -> list[SavedAddress]:
    """The customer's addresses: the default first, then the most recently used."""
    return list(db.session.scalars(
        select(SavedAddress).where(SavedAddress.user_id == user_id)
        .order_by(SavedAddress.is_default.desc(), SavedAddress.updated_at.desc(),
                  SavedAddress.id.desc())))


def address_of(user_id: int, address_id: int) -> SavedAddress | None:
    """The customer's address ``address_id``; None when it is not theirs (or gone)."""
    return db.session.scalar(select(SavedAddress).where(SavedAddress.id == address_id,
                                                        SavedAddress.user_id == user_id))


def as_dict(saved: SavedAddress) -> dict[str, str]:
    """The address with checkout's field names (``storefront.addresses.FIELDS``)."""
    return saved.address


def find_same(user_id: int, address: dict[str, str]) -> SavedAddress | None:
    """The customer's saved address that is exactly ``address`` (checked), if any."""
    return next((saved for saved in addresses_of(user_id) if as_dict(saved) == address),
                None)


def _make_default(saved: SavedAddress) -> None:
    db.session.execute(update(SavedAddress).where(
        SavedAddress.user_id == saved.user_id, SavedAddress.id != saved.id,
        SavedAddress.is_default.is_(True)).values(is_default=False)
        .execution_options(synchronize_session="fetch"))
    saved.is_default = True


def add_address(user_id: int, address: dict[str, str], *,
                make_default: bool = False) -> SavedAddress:
    """Keep ``address`` (checked again: AddressInvalid); the first one is the default. The
    same address twice is kept once."""
    address = addresses.normalise(address)
    saved = find_same(user_id, address)
    if saved is None:
        count = db.session.scalar(select(func.count()).select_from(SavedAddress)
                                  .where(SavedAddress.user_id == user_id)) or 0
        if count >= MAX_ADDRESSES:
            raise AddressBookFull()
        saved = SavedAddress(user_id=user_id, **address)
        db.session.add(saved)
        db.session.flush()
        make_default = make_default or count == 0
    if make_default:
        _make_default(saved)
    db.session.flush()
    return saved


def update_address(saved: SavedAddress, address: dict[str, str], *,
                   make_default: bool = False) -> SavedAddress:
    """Change a saved address (checked again: AddressInvalid)."""
    for name, value in addresses.normalise(address).items():
        setattr(saved, name, value)
    if make_default:
        _make_default(saved)
    db.session.flush()
    return saved


def set_default(saved: SavedAddress) -> None:
    _make_default(saved)
    db.session.flush()


def delete_address(saved: SavedAddress) -> None:
    """Forget the address; when it was the default, the most recent other one becomes it."""
    user_id, was_default = saved.user_id, saved.is_default
    db.session.delete(saved)
    db.session.flush()
    if was_default:
        rest = addresses_of(user_id)
        if rest:
            set_default(rest[0])
