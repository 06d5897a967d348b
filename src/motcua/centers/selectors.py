from __future__ import annotations

from motcua.catalog.models import Procedure
from motcua.centers.models import Center, Unit


def responsible_unit(center: Center, procedure: Procedure) -> Unit | None:
    """The unit of the center that handles the procedure's field, if one is configured."""
    return center.units.filter(sectors=procedure.sector_id).order_by("name").first()
