"""Column reads on the session's connection (storefront.extensions.read_rows)."""

from sqlalchemy import func, select

from storefront.catalog.models import Brand
from storefront.extensions import read_rows


def test_read_rows_sees_what_the_session_has_not_flushed_yet(app_ctx, db):
    count = select(func.count(Brand.id))
    before = read_rows(count).scalar_one()
    db.session.add(Brand(slug="pending-brand", name="Pending"))
    assert read_rows(count).scalar_one() == before + 1
    assert read_rows(select(Brand.name).where(Brand.slug == "pending-brand")).all() == [
        ("Pending",)]


def test_read_rows_leaves_changes_pending_where_the_session_does(app_ctx, db):
    count = select(func.count(Brand.id))
    before = read_rows(count).scalar_one()
    with db.session.no_autoflush:
        db.session.add(Brand(slug="waiting-brand", name="Waiting"))
        assert read_rows(count).scalar_one() == before
