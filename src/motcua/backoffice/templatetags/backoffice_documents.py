"""The rows of ``backoffice/_documents.html``: each component, its state and what may be reused.

A tag rather than view context so that the dossier page needs one ``{% include %}`` line.
"""

from __future__ import annotations

from django import template

from motcua.dossiers import documents

register = template.Library()


@register.simple_tag
def component_rows(dossier, membership) -> dict:
    from motcua.backoffice import views
    from motcua.backoffice.documents_views import may_digitize

    today = documents.local_day(views.clock())
    editable = may_digitize(membership) and documents.is_open(dossier)
    components = list(
        dossier.documents.select_related("required_document", "reused_from").order_by("position")
    )
    rows = [
        {
            "doc": doc,
            "reusable": documents.reusable_for(doc, today=today) if editable else [],
        }
        for doc in components
    ]
    return {
        "rows": rows,
        "editable": editable,
        "digitized": sum(1 for doc in components if doc.digitized),
        "reused": sum(1 for doc in components if doc.reused_from_id),
        "total": len(components),
        "has_store": bool(documents.store_owner(dossier)),
    }
