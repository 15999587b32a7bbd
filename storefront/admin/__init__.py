"""The back office at /admin: admins run the shop, editors run the content.

One blueprint (``blueprint.py``: ``bp``, staff only), filled by one subpackage per area;
``views.py`` imports each area's views, which is what registers their routes. Endpoint
names stay flat (``admin.products_edit``), whatever the area.

Every area has the same shape: ``<area>/views.py`` (or, for an area with several page
groups, a ``views/`` package with one module per group), and ``<area>/forms.py`` for its
forms (shape only). The rules never live here: views call the feature's services, which
check, change, audit and flush; the view commits. A form POST goes through
``common.save_form`` (validate -> service -> commit -> flash -> redirect, or the form
again with the service's message and 422). Form pieces several areas use are in
``forms.py``.

- ``dashboard/``  the front page: sales and what needs looking at (``orders.reports``)
- ``inventory/``  products, sizes, pictures, brands, stock, the product CSV
                  (rules: ``catalog.editing``, ``inventory.editing`` (stock),
                  ``inventory.csv_import``; lists: ``inventory.queries``)
- ``orders/``     the order list, one order and its actions (``orders.services``)
- ``content/``    articles, authors, skin conditions and their picks, the shop's texts,
                  readers' questions, review moderation, the routine rules
                  (``content``, ``reviews.services``, ``routines.editing``)
- ``discounts/``  discount codes (``discounts.services``)
- ``people/``     users and roles, the audit log (``accounts.services``, ``audit``)
- ``jobs/``       the job queue, the mail outbox, failed jobs (``jobs.services``)
- ``settings/``   the shop's particulars, shipping zones and taxes, search synonyms and
                  the search report (``settings``, ``shipping.editing``,
                  ``search.synonyms``)

Feature packages never import ``storefront.admin``.
"""
