"""Admin page for background jobs: the queue, e-mail waiting to go, and jobs that failed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.admin.blueprint import bp
from storefront.extensions import db
from storefront.jobs import services
from storefront.queue import QueueUnavailable
from storefront.queue.models import FailedJob
from storefront.security import roles_required

FAILURES_PER_PAGE = 50


@bp.get("/jobs")
@roles_required(Role.ADMIN)
def jobs():
    resolved = request.args.get("show") == "resolved"
    page = db.paginate(services.failures(resolved=resolved), per_page=FAILURES_PER_PAGE,
                       error_out=False)
    return render_template("admin/jobs.html", page=page, resolved=resolved,
                           queue=services.queue_overview(), outbox=services.outbox_overview(),
                           label=services.label)


@bp.post("/jobs/<int:failure_id>/run-again")
@roles_required(Role.ADMIN)
def jobs_run_again(failure_id: int):
    failed = db.get_or_404(FailedJob, failure_id)
    if failed.resolved_at is not None:
        return redirect(url_for("admin.jobs"), code=303)
    name = services.label(failed.function)
    call = services.run_again(failed, current_user)
    db.session.commit()
    # The job is its own unit of work: it starts only after this request's commit.
    try:
        queued = call.enqueue()
    except QueueUnavailable:
        services.reopen(failed)
        db.session.commit()
        flash("The job queue cannot be reached right now, so the job was not run. "
              "Please try again in a minute.", "error")
        return redirect(url_for("admin.jobs"), code=303)
    if not queued.inline:
        flash(f"“{name}” is on the queue again.", "success")
    elif queued.failed:
        flash(f"“{name}” failed again; see the list below.", "error")
    else:
        flash(f"“{name}” ran again and finished.", "success")
    return redirect(url_for("admin.jobs"), code=303)


@bp.post("/jobs/<int:failure_id>/dismiss")
@roles_required(Role.ADMIN)
def jobs_dismiss(failure_id: int):
    failed = db.get_or_404(FailedJob, failure_id)
    if failed.resolved_at is None:
        services.dismiss(failed, current_user)
        db.session.commit()
        flash(f"“{services.label(failed.function)}” is off the list.", "success")
    return redirect(url_for("admin.jobs"), code=303)
