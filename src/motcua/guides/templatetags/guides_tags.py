"""``{% procedure_guides procedure %}``: the centers' guides on a procedure's public page."""

from django import template

from motcua.guides.models import ProcedureGuide

register = template.Library()


@register.inclusion_tag("guides/_guides.html")
def procedure_guides(procedure):
    guides = ProcedureGuide.objects.filter(
        procedure=procedure, is_published=True, center__is_active=True
    ).select_related("center")
    return {"guides": list(guides)}
