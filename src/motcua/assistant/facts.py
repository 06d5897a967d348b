"""Retrieval: one procedure's catalog facts, the only material an answer may state.

Read from the database's published procedures; before the catalog is loaded (a fresh install,
or ``motcua ask`` run without a database) from the bundled national catalog, as the finder does.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError

from motcua.catalog.states import Channel


@dataclass(frozen=True)
class ChannelFacts:
    channel: str
    time_value: Decimal | None
    time_unit: str
    fee_vnd: int | None
    fee_note: str
    time_note: str
    # A fee per copy of the result (bản sao trích lục) and a fee counted per unit (trang):
    # the catalog's wording of the fee needs both (catalog.fees).
    copy_fee_vnd: int | None = None
    fee_unit: str = ""


@dataclass(frozen=True)
class DocumentFacts:
    name: str
    required: bool
    originals: int
    copies: int
    form_name: str


@dataclass(frozen=True)
class ProcedureFacts:
    code: str
    name: str
    sector: str
    level: str
    agency: str
    steps: list[str] = field(default_factory=list)
    conditions: str = ""
    result: str = ""
    legal_basis: list[dict] = field(default_factory=list)
    online_level: str = ""
    source_url: str = ""
    channels: list[ChannelFacts] = field(default_factory=list)
    documents: list[DocumentFacts] = field(default_factory=list)

    @property
    def primary_channel(self) -> ChannelFacts | None:
        """In person first: the portal's reference channel and the one a kiosk user takes."""
        order = list(Channel.values)
        ranked = sorted(self.channels, key=lambda c: order.index(c.channel))
        return ranked[0] if ranked else None

    def channel(self, channel: str) -> ChannelFacts | None:
        return next((c for c in self.channels if c.channel == channel), None)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _from_database(code: str) -> ProcedureFacts | None:
    from motcua.catalog.models import Procedure

    try:
        proc = (
            Procedure.objects.published()
            .select_related("sector")
            .prefetch_related("channels", "documents")
            .filter(code=code)
            .first()
        )
    except DatabaseError:
        return None
    if proc is None:
        return None
    return ProcedureFacts(
        code=proc.code,
        name=proc.name,
        sector=proc.sector.name,
        level=proc.level,
        agency=proc.agency,
        steps=list(proc.steps or []),
        conditions=proc.conditions,
        result=proc.result,
        legal_basis=list(proc.legal_basis or []),
        online_level=proc.online_level,
        source_url=proc.source_url,
        channels=[
            ChannelFacts(
                ch.channel,
                ch.time_value,
                ch.time_unit,
                ch.fee_vnd,
                ch.fee_note,
                ch.time_note,
                ch.copy_fee_vnd,
                ch.fee_unit,
            )
            for ch in proc.channels.all()
        ],
        documents=[
            DocumentFacts(d.name, d.requirement == "required", d.originals, d.copies, d.form_name)
            for d in proc.documents.all()
        ],
    )


_bundle: dict[str, ProcedureFacts] | None = None
_bundle_lock = threading.Lock()


def _from_bundle(code: str) -> ProcedureFacts | None:
    global _bundle
    with _bundle_lock:
        if _bundle is None:
            from motcua.catalog.services import bundled_catalog_path

            data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
            _bundle = {}
            for p in data["procedures"]:
                if p.get("status", "published") != "published":
                    continue
                _bundle[p["code"]] = ProcedureFacts(
                    code=p["code"],
                    name=p["name"],
                    sector=p.get("sector", ""),
                    level=p.get("level", ""),
                    agency=p.get("agency", ""),
                    steps=list(p.get("steps") or []),
                    conditions=p.get("conditions", ""),
                    result=p.get("result", ""),
                    legal_basis=list(p.get("legal_basis") or []),
                    online_level=p.get("online_level", ""),
                    source_url=p.get("source_url", ""),
                    channels=[
                        ChannelFacts(
                            c["channel"],
                            _decimal(c.get("time_value")),
                            c.get("time_unit", ""),
                            c.get("fee_vnd"),
                            c.get("fee_note", ""),
                            c.get("time_note", ""),
                            c.get("copy_fee_vnd"),
                            c.get("fee_unit", ""),
                        )
                        for c in p.get("channels", [])
                    ],
                    documents=[
                        DocumentFacts(
                            d["name"],
                            d.get("requirement", "required") == "required",
                            d.get("originals", 0),
                            d.get("copies", 0),
                            d.get("form_name", ""),
                        )
                        for d in p.get("documents", [])
                    ],
                )
    return _bundle.get(code)


def procedure_facts(code: str, *, use_database: bool = True) -> ProcedureFacts | None:
    found = _from_database(code) if use_database else None
    if found is None and not (use_database and _database_has_catalog()):
        found = _from_bundle(code)
    return found


def _database_has_catalog() -> bool:
    from motcua.catalog.models import Procedure

    try:
        return Procedure.objects.exists()
    except DatabaseError:
        return False


def center_phone() -> str:
    """The center's telephone from its settings (``centers.Center.phone``), for answers that
    send the citizen to ask in person. Only when one active center has one: with several, the
    assistant cannot tell which commune the citizen belongs to, and a wrong number is worse than
    none. Empty without a database."""
    from motcua.centers.models import Center

    try:
        phones = list(
            Center.objects.filter(is_active=True)
            .exclude(phone="")
            .values_list("phone", flat=True)[:2]
        )
    except DatabaseError:
        return ""
    return phones[0].strip() if len(phones) == 1 else ""
