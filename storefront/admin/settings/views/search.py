"""Admin pages for search: what people search for, and the synonyms that widen searches.

The report lists the searches made most often and those that found nothing, over a chosen
period; from a search that found nothing, one form adds a synonym for it. The rules and
their audit entries are in ``storefront.search.synonyms``; a saved rule changes searches
at once (see that module).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.admin.common import save_form
from storefront.admin.settings.forms import SynonymForm
from storefront.content.forms import clean_text
from storefront.extensions import db
from storefront.search import counting, synonyms
from storefront.search.models import SearchSynonym
from storefront.security import roles_required, safe_next_url

SYNONYMS_PER_PAGE = 100


def _back(form: SynonymForm) -> str:
    return safe_next_url(form.next.data) or url_for("admin.synonyms")


def _save(form: SynonymForm, synonym: SearchSynonym | None):
    """Validate and save; the form again (422) with the problems, or a redirect."""

    def done(saved: SearchSynonym | None):
        if saved is None:
            return "Nothing was changed.", "info"
        return f"Synonym saved: {synonyms.describe(saved)}. Searches use it now."

    return save_form(
        form, lambda: synonyms.save(form.settings(), synonym, actor=current_user),
        success=done, redirect_to=lambda _saved: _back(form),
        template="admin/search/synonym_form.html", synonym=synonym)


@bp.get("/search/synonyms", endpoint="synonyms")
@roles_required(Role.ADMIN)
def synonyms_list():
    page = db.paginate(select(SearchSynonym).order_by(SearchSynonym.kind, SearchSynonym.terms),
                       per_page=SYNONYMS_PER_PAGE, error_out=False)
    return render_template("admin/search/synonyms.html", page=page)


@bp.route("/search/synonyms/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def synonyms_new():
    form = SynonymForm()
    if request.method == "GET":
        form.terms.data = clean_text(request.args.get("terms", ""))[:synonyms.MAX_LIST_LENGTH]
        form.next.data = safe_next_url(request.args.get("next")) or ""
    return _save(form, None)


@bp.route("/search/synonyms/<int:synonym_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def synonyms_edit(synonym_id: int):
    synonym = db.get_or_404(SearchSynonym, synonym_id)
    form = SynonymForm(data={"kind": synonym.kind.value, "terms": synonym.terms,
                             "targets": synonym.targets})
    return _save(form, synonym)


@bp.post("/search/synonyms/<int:synonym_id>/delete")
@roles_required(Role.ADMIN)
def synonyms_delete(synonym_id: int):
    synonym = db.get_or_404(SearchSynonym, synonym_id)
    described = synonyms.describe(synonym)
    synonyms.delete(synonym, actor=current_user)
    db.session.commit()
    flash(f"Synonym removed: {described}.", "success")
    return redirect(url_for("admin.synonyms"), 303)


def _period() -> counting.Period:
    days = request.args.get("days", type=int)
    return next((period for period in counting.PERIODS if period.days == days),
                counting.DEFAULT_PERIOD)


@bp.get("/search", endpoint="search_report")
@roles_required(Role.ADMIN)
def search_report():
    period = _period()
    counting.counter().write()  # this worker's waiting counts, so the page is current
    made, empty = counting.totals(period)
    return render_template(
        "admin/search/report.html", period=period, periods=counting.PERIODS,
        top=counting.top_searches(period), empty=counting.searches_without_results(period),
        made=made, found_nothing=empty,
        here=url_for("admin.search_report", days=period.days))
