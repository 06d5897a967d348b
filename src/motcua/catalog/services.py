"""The only code that writes the catalog: load, import and export.

Import is all-or-nothing: the whole file is parsed and validated first, then written in one
transaction by the caller (``transaction.atomic`` at the edge). Errors name the line and the
field at fault so a province's IT officer can fix the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from pydantic import ValidationError
from vn_text import fold

from motcua.catalog.models import Procedure, ProcedureChannel, RequiredDocument, Sector
from motcua.catalog.schema import FORMAT_NAME, FORMAT_VERSION, CatalogFile, ProcedureIn

MAX_IMPORT_BYTES = 50 * 1024 * 1024


class CatalogFileError(Exception):
    """A catalog file that cannot be imported. ``problems`` lists each fault for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def bundled_catalog_path() -> Path:
    return Path(str(resources.files("motcua.catalog") / "data" / "procedures.json"))


def _element_lines(text: str) -> list[int]:
    """Line numbers (1-based) where each element of the top-level "procedures" array starts.

    A small scanner over the JSON text (strings and nesting aware), so validation errors can
    point at the line of the record at fault, as the issue asks.
    """
    key = text.find('"procedures"')
    if key < 0:
        return []
    start = text.find("[", key)
    if start < 0:
        return []
    lines: list[int] = []
    depth = 0
    in_string = escaped = False
    line = text.count("\n", 0, start) + 1
    for ch in text[start:]:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            if depth == 1 and ch == "{":
                lines.append(line)
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                break
    return lines


def _describe_location(loc: tuple[Any, ...], data: Any, lines: list[int]) -> str:
    parts = list(loc)
    where = ""
    if len(parts) >= 2 and parts[0] == "procedures" and isinstance(parts[1], int):
        index = parts[1]
        code = ""
        try:
            code = str(data["procedures"][index].get("code", ""))
        except (KeyError, IndexError, TypeError, AttributeError):
            code = ""
        line = f"dòng {lines[index]}, " if index < len(lines) else ""
        where = f"{line}thủ tục thứ {index + 1}" + (f" (mã {code})" if code else "")
        parts = parts[2:]
    field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in parts).replace(".[", "[")
    if where and field:
        return f"{where}, trường {field}"
    return where or (f"trường {field}" if field else "tệp")


def parse_catalog(text: str) -> CatalogFile:
    """Parse and validate a catalog file; raise CatalogFileError listing every fault."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogFileError(
            [f"dòng {exc.lineno}, cột {exc.colno}: JSON không hợp lệ ({exc.msg})"]
        ) from None
    if not isinstance(data, dict):
        raise CatalogFileError(
            ["tệp: phải là một đối tượng JSON có khóa format, version, procedures"]
        )
    try:
        return CatalogFile.model_validate(data)
    except ValidationError as exc:
        lines = _element_lines(text)
        problems = []
        for err in exc.errors(include_url=False):
            problems.append(f"{_describe_location(err['loc'], data, lines)}: {err['msg']}")
        raise CatalogFileError(problems) from None


def read_catalog_file(path: Path) -> CatalogFile:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CatalogFileError([f"không đọc được tệp {path}: {exc.strerror}"]) from None
    if size > MAX_IMPORT_BYTES:
        raise CatalogFileError([f"tệp quá lớn ({size} byte, tối đa {MAX_IMPORT_BYTES})"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogFileError([f"tệp không phải UTF-8 (byte {exc.start})"]) from None
    return parse_catalog(text)


def _sector_for(name: str, cache: dict[str, Sector]) -> Sector:
    if name not in cache:
        code = slugify(fold(name))[:80] or "khac"
        sector, _ = Sector.objects.get_or_create(name=name, defaults={"code": code})
        cache[name] = sector
    return cache[name]


def procedure_to_dict(proc: Procedure) -> dict[str, Any]:
    """The exchange representation of one procedure (the inverse of ``import_catalog``)."""

    def number(value: Decimal | None) -> int | float | None:
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)

    return {
        "code": proc.code,
        "name": proc.name,
        "sector": proc.sector.name,
        "level": proc.level,
        "agency": proc.agency,
        "decision": proc.decision,
        "subjects": proc.subjects,
        "steps": list(proc.steps),
        "conditions": proc.conditions,
        "result": proc.result,
        "legal_basis": list(proc.legal_basis),
        "online_level": proc.online_level,
        "source_url": proc.source_url,
        "popularity": proc.popularity,
        "status": proc.status,
        "valid_from": proc.valid_from.isoformat() if proc.valid_from else None,
        "valid_to": proc.valid_to.isoformat() if proc.valid_to else None,
        "version": proc.version,
        "uncertain_fields": list(proc.uncertain_fields),
        "channels": [
            {
                "channel": ch.channel,
                "time_value": number(ch.time_value),
                "time_unit": ch.time_unit,
                "time_note": ch.time_note,
                "fee_vnd": ch.fee_vnd,
                "fee_note": ch.fee_note,
                "copy_fee_vnd": ch.copy_fee_vnd,
                "fee_unit": ch.fee_unit,
            }
            for ch in sorted(proc.channels.all(), key=lambda c: c.channel)
        ],
        "documents": [
            {
                "name": doc.name,
                "originals": doc.originals,
                "copies": doc.copies,
                "requirement": doc.requirement,
                "form_name": doc.form_name,
                "note": doc.note,
            }
            for doc in sorted(proc.documents.all(), key=lambda d: d.position)
        ],
    }


def _normalized(item: ProcedureIn) -> dict[str, Any]:
    """The validated record in the same shape ``procedure_to_dict`` produces, for comparison."""
    data = item.model_dump(mode="json")
    for ch in data["channels"]:
        value = ch["time_value"]
        if value is not None:
            dec = Decimal(str(value))
            ch["time_value"] = int(dec) if dec == dec.to_integral_value() else float(dec)
    data["channels"].sort(key=lambda c: c["channel"])
    return data


def import_catalog(catalog: CatalogFile) -> ImportReport:
    """Create or update every procedure of a validated file. Run inside a transaction."""
    sectors: dict[str, Sector] = {}
    existing = {
        p.code: p
        for p in Procedure.objects.select_related("sector").prefetch_related(
            "channels", "documents"
        )
    }
    created = updated = unchanged = 0
    for item in catalog.procedures:
        proc = existing.get(item.code)
        if proc is not None and procedure_to_dict(proc) == _normalized(item):
            unchanged += 1
            continue
        fields = {
            "name": item.name,
            "sector": _sector_for(item.sector, sectors),
            "level": item.level,
            "agency": item.agency,
            "decision": item.decision,
            "subjects": item.subjects,
            "steps": item.steps,
            "conditions": item.conditions,
            "result": item.result,
            "legal_basis": [lb.model_dump() for lb in item.legal_basis],
            "online_level": item.online_level,
            "source_url": item.source_url,
            "popularity": item.popularity,
            "status": item.status,
            "valid_from": item.valid_from,
            "valid_to": item.valid_to,
            "version": item.version,
            "uncertain_fields": item.uncertain_fields,
        }
        if proc is None:
            proc = Procedure.objects.create(code=item.code, **fields)
            created += 1
        else:
            for name, value in fields.items():
                setattr(proc, name, value)
            proc.save()
            proc.channels.all().delete()
            proc.documents.all().delete()
            updated += 1
        ProcedureChannel.objects.bulk_create(
            ProcedureChannel(procedure=proc, **ch.model_dump()) for ch in item.channels
        )
        RequiredDocument.objects.bulk_create(
            RequiredDocument(procedure=proc, position=i, **doc.model_dump())
            for i, doc in enumerate(item.documents)
        )
    return ImportReport(created=created, updated=updated, unchanged=unchanged)


def export_catalog_text() -> str:
    """The whole catalog as an exchange file, one procedure per line."""
    procs = (
        Procedure.objects.select_related("sector")
        .prefetch_related("channels", "documents")
        .order_by("code")
    )
    header = json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION}, ensure_ascii=False)
    body = ",\n".join(json.dumps(procedure_to_dict(p), ensure_ascii=False) for p in procs)
    return header[:-1] + ', "procedures": [\n' + body + ("\n" if body else "") + "]}\n"
