"""Verifying the tamper-evident event log (issue: "motcua audit verify reports the first
broken link")."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.dossiers.models import Dossier, DossierEvent


@dataclass(frozen=True)
class BrokenLink:
    dossier_code: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"Hồ sơ {self.dossier_code}, sự kiện #{self.seq}: {self.reason}"


@dataclass(frozen=True)
class AuditReport:
    dossiers: int
    events: int
    broken: BrokenLink | None


def verify_chains() -> AuditReport:
    """Walk every dossier's events in order; stop at the first inconsistency."""
    dossiers = events = 0
    for dossier in Dossier.objects.order_by("pk").only("pk", "code").iterator():
        dossiers += 1
        previous_hash = ""
        expected_seq = 1
        for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq").iterator():
            events += 1
            if event.seq != expected_seq:
                return AuditReport(
                    dossiers,
                    events,
                    BrokenLink(dossier.code, expected_seq, "thiếu sự kiện (đã bị xóa?)"),
                )
            if event.prev_hash != previous_hash:
                return AuditReport(
                    dossiers,
                    events,
                    BrokenLink(dossier.code, event.seq, "không khớp mã băm của sự kiện trước"),
                )
            if event.compute_hash(dossier.code) != event.hash:
                return AuditReport(
                    dossiers,
                    events,
                    BrokenLink(dossier.code, event.seq, "nội dung đã bị thay đổi"),
                )
            previous_hash = event.hash
            expected_seq += 1
    return AuditReport(dossiers, events, None)
