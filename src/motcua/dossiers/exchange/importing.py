"""``apply_import``: a validated file written in batches inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from motcua.dossiers.documents import document_type_key
from motcua.dossiers.exchange.format import (
    _CODE,
    BATCH,
    IMPORT_KEY_PREFIX,
    SEX_BY_NAME,
    UNITS_BY_NAME,
    USERNAME_PREFIX,
    DocumentIn,
    DossierIn,
    summarize,
)
from motcua.dossiers.exchange.validation import ImportConflict, ImportPlan, ImportResult, _lines
from motcua.dossiers.models import (
    CitizenDocument,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
)
from motcua.dossiers.services import VIETNAM
from motcua.dossiers.states import (
    EventAction,
)
from motcua.reports import rollups

# --- Import: writing --------------------------------------------------------------------


def _local_actor(actor: str, users: dict[str, int]) -> str:
    if actor.startswith(USERNAME_PREFIX):
        return f"user:{users[actor[len(USERNAME_PREFIX) :]]}"
    return actor


def _local_data(
    data: dict, *, users: dict[str, int], units: dict[tuple[str, str], int], center: str
) -> dict:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_user"):
            out[f"{key}_id"] = users[value] if value else None
        elif key.endswith("_unit"):
            out[f"{key}_id"] = units[(center, value)] if value else None
        else:
            out[key] = value
    return out


def apply_import(plan: ImportPlan) -> ImportResult:
    """Write a validated file. Runs inside the caller's ``transaction.atomic()``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_import must run inside transaction.atomic().")
    ids: list[int] = []
    batch: list[DossierIn] = []
    events = documents = reused = 0
    for _number, text in _lines(plan.path, None):
        batch.append(DossierIn.model_validate_json(text))
        if len(batch) == BATCH:
            counts = _write_batch(batch, plan, ids)
            events, documents, reused = (
                events + counts[0],
                documents + counts[1],
                reused + counts[2],
            )
            batch = []
    if batch:
        counts = _write_batch(batch, plan, ids)
        events, documents, reused = events + counts[0], documents + counts[1], reused + counts[2]
    _advance_counters(plan)
    return ImportResult(len(ids), events, documents, reused, ids)


def _write_batch(items: list[DossierIn], plan: ImportPlan, ids: list[int]) -> tuple[int, int, int]:
    dossiers = [_dossier(item, plan) for item in items]
    try:
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers)
    except IntegrityError:
        raise ImportConflict(
            [
                "một mã hồ sơ trong tệp vừa được cấp cho hồ sơ khác trong lúc nhập; chạy lại lệnh nhập"
            ]
        ) from None
    if any(d.pk is None for d in dossiers):
        # Databases that cannot return ids from a bulk insert: read them back by code.
        pks = dict(
            Dossier.objects.filter(code__in=[d.code for d in dossiers]).values_list("code", "pk")
        )
        for dossier in dossiers:
            dossier.pk = pks[dossier.code]
    ids.extend(d.pk for d in dossiers)

    # The citizen's store entries behind reused components (see docs/exchange.md, "Dùng lại").
    stored: dict[tuple[int, int], CitizenDocument] = {}
    for item, dossier in zip(items, dossiers, strict=True):
        for position, doc in enumerate(item.TaiLieuNop, start=1):
            if doc.DuocLayTuKhoDMQG:
                stored[(dossier.pk, position)] = _placeholder(item, doc, plan)
    CitizenDocument.objects.bulk_create(list(stored.values()))

    rows: list[DossierDocument] = []
    events: list[DossierEvent] = []
    for item, dossier in zip(items, dossiers, strict=True):
        for position, doc in enumerate(item.TaiLieuNop, start=1):
            rows.append(_component(item, doc, position, dossier, plan, stored))
        events.extend(_events(item, dossier, plan, stored))
    DossierDocument.objects.bulk_create(rows)
    DossierEvent.objects.bulk_create(events)
    # Bulk inserts bypass record_event, which keeps the KPI facts current: rebuild this batch's.
    rollups.rebuild(dossier_ids=[d.pk for d in dossiers])
    return len(events), len(rows), len(stored)


def _number(code: str) -> int:
    match = _CODE.match(code)
    assert match is not None, "MaHoSo is checked against _CODE when the file is read"
    return int(match["number"])


def _dossier(item: DossierIn, plan: ImportPlan) -> Dossier:
    center = plan.centers[item.MaCoQuan]
    summary = summarize(
        (e.HanhDong, e.DenTrangThai, e.ThoiDiem, e.DuLieu) for e in item.QuaTrinhXuLy
    )
    applicant = item.ChuHoSo
    fee = sum(f.Gia for f in item.DanhSachPhiLePhi) if item.DanhSachPhiLePhi else None
    return Dossier(
        code=item.MaHoSo,
        center=center,
        number=_number(item.MaHoSo),
        procedure_id=plan.procedures[item.MaTTHC],
        applicant_name=applicant.HoTen,
        applicant_id_number=applicant.SoDinhDanh,
        applicant_birth_date=applicant.NgaySinh,
        applicant_sex=SEX_BY_NAME.get(applicant.GioiTinh, ""),
        applicant_address=applicant.DiaChi,
        applicant_phone=applicant.SoDienThoai,
        applicant_email=applicant.Email,
        form_data=item.ToKhai.DuLieu,
        form_version=item.ToKhai.PhienBan,
        channel=item.HinhThucTiepNhan,
        result_delivery=item.NhanKetQuaTai,
        received_at=item.NgayTiepNhan,
        time_limit_value=item.ThoiGianGiaiQuyet,
        time_limit_unit=UNITS_BY_NAME.get(item.DonViTinh, ""),
        due_at=item.NgayHenTra,
        fee_vnd=fee,
        status=item.TrangThaiHoSo,
        unit_id=plan.units[(item.MaCoQuan, item.DonViXuLy)] if item.DonViXuLy else None,
        assignee_id=plan.users[item.CanBoXuLy] if item.CanBoXuLy else None,
        clock_paused_at=summary.clock_paused_at,
        supplement_requests=summary.supplement_requests,
        submitted_by=_local_actor(item.NguoiTiepNhan, plan.users),
        # System-assigned: unique per center like a kiosk's key, never exported.
        idempotency_key=f"{IMPORT_KEY_PREFIX}{item.MaHoSo}",
    )


def _placeholder(item: DossierIn, doc: DocumentIn, plan: ImportPlan) -> CitizenDocument:
    """A store entry recording that the component came from the citizen's store.

    The stored file stays in the other system, so the entry has none; its validity ends on the
    day of the reuse so that it is never offered for a new dossier (``reusable_for``).
    """
    catalog_name = doc.GiayToTheoDanhMuc or doc.TenGiayTo
    moment = doc.ThoiDiemSoHoa or item.NgayTiepNhan
    return CitizenDocument(
        owner_id_number=item.ChuHoSo.SoDinhDanh,
        document_type=document_type_key(catalog_name)[:200],
        name=doc.TenGiayTo,
        file="",
        content_type=doc.LoaiTep,
        size=doc.DungLuong or 0,
        sha256=doc.SHA256,
        valid_until=moment.astimezone(VIETNAM).date(),
        created_at=moment,
        updated_at=moment,
        digitized_by=_local_actor(doc.NguoiSoHoa, plan.users) if doc.NguoiSoHoa else "",
    )


def _component(
    item: DossierIn,
    doc: DocumentIn,
    position: int,
    dossier: Dossier,
    plan: ImportPlan,
    stored: dict[tuple[int, int], CitizenDocument],
) -> DossierDocument:
    catalog = (
        plan.catalog_documents[(item.MaTTHC, doc.GiayToTheoDanhMuc)]
        if doc.GiayToTheoDanhMuc
        else None
    )
    reused_from = stored.get((dossier.pk, position))
    return DossierDocument(
        dossier=dossier,
        position=position,
        name=doc.TenGiayTo,
        required_document_id=catalog,
        requirement=doc.BatBuoc,
        originals=doc.SoBanChinh,
        copies=doc.SoBanSao,
        provided_on_paper=doc.NopBanGiay,
        content_type=doc.LoaiTep,
        size=doc.DungLuong,
        sha256=doc.SHA256,
        digitized=doc.DuocSoHoa,
        digitized_at=doc.ThoiDiemSoHoa,
        digitized_by=_local_actor(doc.NguoiSoHoa, plan.users) if doc.NguoiSoHoa else "",
        reused_from_id=reused_from.pk if reused_from is not None else None,
    )


def _events(
    item: DossierIn,
    dossier: Dossier,
    plan: ImportPlan,
    stored: dict[tuple[int, int], CitizenDocument],
) -> list[DossierEvent]:
    """The log with a fresh hash chain: ``motcua audit verify`` checks imported dossiers too."""
    events = []
    previous = ""
    for seq, event in enumerate(item.QuaTrinhXuLy, start=1):
        data = _local_data(event.DuLieu, users=plan.users, units=plan.units, center=item.MaCoQuan)
        if seq == 1 and "due_at" not in data:
            # The KPI engine reads the first due time from here, else from NgayHenTra, which is
            # the time after any reschedule: written down, lateness cannot move with it.
            due = initial_due(item)
            data["due_at"] = due.isoformat() if isinstance(due, datetime) else due
        if event.HanhDong in (EventAction.DIGITIZE, EventAction.REUSE):
            entry = stored.get((dossier.pk, data.get("position") or 0))
            reused = entry if event.HanhDong == EventAction.REUSE else None
            data["citizen_document_id"] = reused.pk if reused is not None else None
        row = DossierEvent(
            dossier=dossier,
            seq=seq,
            action=event.HanhDong,
            from_status=event.TuTrangThai,
            to_status=event.DenTrangThai,
            actor=_local_actor(event.NguoiXuLy, plan.users),
            at=event.ThoiDiem,
            note=event.NoiDung,
            data=data,
            prev_hash=previous,
        )
        row.hash = row.compute_hash(dossier.code)
        previous = row.hash
        events.append(row)
    return events


def initial_due(item: DossierIn) -> datetime | str | None:
    """The due time set at receipt, for a file whose receive event does not carry DuLieu.due_at.

    NgayHenTra is the due time after every reschedule (Mẫu 04) and supplement: the due time
    before the first of those events (its ``due_before``) is the one the receipt set. Without
    such an event NgayHenTra has never moved.
    """
    for event in item.QuaTrinhXuLy[1:]:
        moves = event.HanhDong in (EventAction.RESCHEDULE, EventAction.SUBMIT_SUPPLEMENT)
        if moves and "due_before" in event.DuLieu:
            return event.DuLieu["due_before"]
    return item.NgayHenTra


def _advance_counters(plan: ImportPlan) -> None:
    """New dossiers of an imported day are numbered after the imported ones."""
    for (center_code, day), number in plan.last_numbers.items():
        center = plan.centers[center_code]
        counter, _ = DossierCounter.objects.get_or_create(center=center, day=day)
        counter = DossierCounter.objects.select_for_update().get(pk=counter.pk)
        if counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])
