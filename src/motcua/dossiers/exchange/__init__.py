"""Dossier histories in and out: JSON Lines in the vocabulary of Cổng DVCQG's dossier sync.

One line is one dossier, with its applicant, its components and its whole event log
(``docs/exchange.md`` is the reference, with the field table and an example). The field names
are the portal's where the portal has one (MaHoSo, MaTTHC, KenhThucHien, NgayTiepNhan,
NgayHenTra, NgayKetThucXuLy, DuocThanhToanTrucTuyen, TaiLieuNop[].DuocSoHoa…, domain.md §3.3)
and PascalCase Vietnamese where motcua needs more to rebuild a dossier exactly.

- ``export_dossiers`` writes one line per dossier, sorted by receipt time then code, so the same
  database always gives the same bytes.
- ``validate_import`` reads a file once, line by line, checks every line (JSON, fields, types,
  the history against the workflow table) and then every reference against the database, and
  collects every fault as "dòng N, trường X: …". It keeps only codes and references, not the
  dossiers, so a file of any size can be checked.
- ``apply_import`` reads the file a second time and writes it in batches inside the caller's
  ``transaction.atomic()``: dossiers, components, event logs with their hash chain, the day
  counters and the KPI facts. A file with any fault changes nothing.

Internal row ids never leave the database: an officer is written ``username:<tên đăng nhập>``
(``user:<id>`` inside), a unit by its code, so a history moved to another installation keeps
pointing at the same people and units. The applicant's data is personal data (NĐ 13/2023/NĐ-CP):
exporting it is an administrator's explicit act, and nothing here logs it or puts it in an
error message.
"""

from motcua.dossiers.exchange.exporting import dossier_record, export_dossiers
from motcua.dossiers.exchange.format import BATCH, DossierIn, summarize
from motcua.dossiers.exchange.importing import apply_import
from motcua.dossiers.exchange.validation import (
    DossierFileError,
    ImportConflict,
    ImportPlan,
    ImportResult,
    check_line,
    os_error_message,
    validate_import,
)

__all__ = [
    "BATCH",
    "DossierFileError",
    "DossierIn",
    "ImportConflict",
    "ImportPlan",
    "ImportResult",
    "apply_import",
    "check_line",
    "dossier_record",
    "export_dossiers",
    "os_error_message",
    "summarize",
    "validate_import",
]
