#!/usr/bin/env python3
"""Build the bundled national procedure catalog ``src/motcua/catalog/data/procedures.json``.

Reads the read-only reference data in ``<repo>/../shared/data/catalog`` (or the directory given
as the first argument) and writes the cleaned catalog in the ``motcua.catalog`` exchange format
(see ``motcua.catalog.schema``): one procedure object per line, sorted by code, all strings NFC.

Sources, in order of preference for each record:

* ``procedures.draft.json`` (176 ranked records; gives ``popularity``) over
  ``procedures.commune_all.parsed.json`` (324 records) for the scalar fields;
* the raw portal records (``raw_dvcqg_chatbot_tthc/<ministry>/<code>.json`` or
  ``raw_nhdandz_extracted/<code>.json``) for steps, documents, channels/fees and legal-basis
  titles, which are re-derived here rather than copied from the lossy parsed strings.

The output is deterministic: running the script twice gives byte-identical files.

Usage: python tools/build_catalog.py [CATALOG_DIR] [--output PATH] [--report]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "catalog"
DEFAULT_OUTPUT = REPO_ROOT / "src" / "motcua" / "catalog" / "data" / "procedures.json"

NO_INFO = {"", "không có thông tin", "không", "không quy định", "không có"}

CHANNEL_NAMES = {
    "Trực tiếp": "direct",
    "Trực tuyến": "online",
    "Dịch vụ bưu chính": "postal",
}
CHANNEL_ORDER = ["direct", "online", "postal"]

# Scraper damage that can be repaired with certainty: (code, raw field, garbled, repaired).
# Every entry must match exactly once, otherwise the build fails (the source changed).
REPAIRS: list[tuple[str, str, str, str]] = [
    (
        # A fragment "sinh tại Trung " was displaced from the first sentence into a later one.
        "1.001193",
        "trinh_tu_thuc_hien",
        "nộp hồ sơ đăng ký khai tâm Phục vụ hành chính công có thẩm quyền",
        "nộp hồ sơ đăng ký khai sinh tại Trung tâm Phục vụ hành chính công có thẩm quyền",
    ),
    (
        "1.001193",
        "trinh_tu_thuc_hien",
        "hoàn tất việc sinh tại Trung \nnộp hồ sơ.",
        "hoàn tất việc nộp hồ sơ.",
    ),
]

_LATIN = [chr(c) for c in range(0x41, 0x1EFA) if unicodedata.name(chr(c), "").startswith("LATIN")]
UP = "[" + re.escape("".join(ch for ch in _LATIN if ch.isupper())) + "]"  # any Latin capital
LO = "[" + re.escape("".join(ch for ch in _LATIN if ch.islower())) + "]"  # any Latin small

ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\ufeff\xad]")


# --------------------------------------------------------------------------- text helpers


def nfc(value: Any) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return ZERO_WIDTH.sub("", text)


def squash(value: Any) -> str:
    """NFC, no zero-width characters, all whitespace runs collapsed to one space."""
    return re.sub(r"\s+", " ", nfc(value)).strip()


def clean_multiline(value: Any) -> str:
    """Like squash but keeps line breaks (one per paragraph)."""
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in nfc(value).split("\n")]
    return "\n".join(line for line in lines if line)


def informative(value: Any) -> bool:
    return squash(value).lower().rstrip(".") not in NO_INFO


def strip_bullet(text: str) -> str:
    return re.sub(r"^(?:[-+*•–]\)?\s*)+", "", text).strip()


def fix_capitalisation(text: str) -> str:
    # "Công an cấp Xã" -> "Công an cấp xã"; "Ủy ban Nhân dân" -> "Ủy ban nhân dân"
    text = re.sub(r"\bcấp Xã\b", "cấp xã", text)
    text = re.sub(r"\bcấp Tỉnh\b", "cấp tỉnh", text)
    text = re.sub(r"\b(?:Ủy|Uỷ) ban Nhân dân\b", "Ủy ban nhân dân", text)
    text = text.replace("Uỷ ban", "Ủy ban")
    return text


# --------------------------------------------------------------------------- loading


def load_sources(src: Path) -> tuple[dict, dict, dict, dict]:
    parsed = json.loads((src / "procedures.commune_all.parsed.json").read_text("utf-8"))
    draft = json.loads((src / "procedures.draft.json").read_text("utf-8"))
    raw: dict[str, dict] = {}
    for path in sorted((src / "raw_dvcqg_chatbot_tthc").glob("*/*.json")):
        raw[path.stem] = json.loads(path.read_text("utf-8"))
    nh: dict[str, dict] = {}
    for path in sorted((src / "raw_nhdandz_extracted").glob("*.json")):
        nh[path.stem] = json.loads(path.read_text("utf-8"))
    parsed_by = {r["code"]: r for r in parsed}
    draft_by = {r["code"]: r for r in draft}
    if len(parsed_by) != len(parsed) or len(draft_by) != len(draft):
        raise SystemExit("duplicate codes in the source files")
    return parsed_by, draft_by, raw, nh


def apply_repairs(raw: dict[str, dict]) -> None:
    for code, field, old, new in REPAIRS:
        text = raw[code][field]
        if text.count(old) != 1:
            raise SystemExit(f"repair for {code}.{field} no longer matches the source")
        raw[code][field] = text.replace(old, new)


# --------------------------------------------------------------------------- steps

STEP_START = re.compile(
    r"(?:[-+*•–]\s|Bước\s*\d+\s*[.:)]|\(?[ivx]+\)\s|\(\d+\)\s|[a-zđ]\d?\)\s|\d+(?:\.\d+)*[.)]\s)",
    re.IGNORECASE,
)
INLINE_SPLIT = re.compile(r"(?<=[.;:])\s+(?=(?:[-+]\s+\S|Bước\s*\d+\s*[.:]))")
DROP_HEADERS = re.compile(
    r"^(?:\*\s*)?(?:trình tự thực hiện|trình tự|thực hiện như sau)\s*:?\s*$", re.IGNORECASE
)


def split_steps(text: str) -> list[str]:
    text = nfc(text)
    if not informative(text):
        return []
    pieces: list[str] = []
    for line in text.split("\n"):
        line = squash(line)
        if not line:
            continue
        pieces.extend(p.strip() for p in INLINE_SPLIT.split(line) if p.strip())
    steps: list[str] = []
    pending_header = ""
    for piece in pieces:
        if DROP_HEADERS.match(piece):
            continue
        body = strip_bullet(piece)
        if not body or not re.search(r"\w", body):
            continue
        # A short heading such as "* Lưu ý:" is joined to the step that follows it.
        if body.endswith(":") and len(body) <= 30:
            pending_header = (pending_header + " " + body).strip()
            continue
        if pending_header:
            body = f"{pending_header} {body}"
            pending_header = ""
        steps.append(body)
    if pending_header:
        steps.append(pending_header)
    return steps


# --------------------------------------------------------------------------- documents

DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The "Số lượng" column: "1 bản chính" or "1 bản chính,1 bản sao", glued to the next row.
COUNT = re.compile(
    r"(\d{1,2}) bản chính(?:,\s*(\d{1,2}) bản sao)?"
    r"(?!\)|\s+" + LO + "|" + LO + r"(?!\)))"
)
FILE_EXT = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip)$", re.IGNORECASE)
FILE_KEYWORD = re.compile(r"(?:Mau|Mẫu|MẪU|Mus|Mu[A-Z]|Phụ lục|PHỤ LỤC|Danh|Giấy|Đơn|Biểu|BM)")


def split_file_name(row: str) -> tuple[str, list[str]]:
    """Split the glued 'Mẫu đơn, tờ khai' column (a template file name) off a document row.

    The portal text glues the file name to the document name, e.g.
    '...theo Thông tư số 53/2025/TT-BCA).1.MuCT01banhnhkmtheoThngts53.doc'. The file name is
    taken from the earliest glue point after which the rest reads like one file name.
    """
    if not FILE_EXT.search(row):
        return row, []
    candidates = []
    for i in range(1, len(row)):
        prev, cur = row[i - 1], row[i]
        if cur.isspace():
            continue
        if (
            prev in ".;):”"
            or (prev.islower() and cur.isupper())
            or ((prev.isupper() or prev.isdigit()) and FILE_KEYWORD.match(row, i))
        ):
            candidates.append(i)
    for i in candidates:
        rest = row[i:].lstrip(".; ")
        if (
            rest
            and len(rest) <= 120
            and not re.search(r"[.;]\s", rest)
            and not FILE_EXT.fullmatch(rest)
        ):
            return row[:i].rstrip(), [rest]
    match = re.search(r"\S+$", row)
    if match and match.start() > 0:
        return row[: match.start()].rstrip(), [match.group(0)]
    return row, []


FORM_REF = re.compile(
    r"(Mẫu(?: số)?\s+[0-9A-ZĐ][\w./-]*(?:\s+(?:ban hành kèm theo|Phụ lục|tại)\s[^;()]{3,150}?)?)"
    r"(?=[);,]|\.(?:\s|$)|$)"
)
CONDITIONAL_START = re.compile(r"^(?:trường hợp|nếu|đối với|khi)\b", re.IGNORECASE)
CONDITIONAL_ANY = re.compile(
    r"\(nếu có\)|\(nếu\s|trong trường hợp|đối với trường hợp|\(trường hợp|\(đối với", re.IGNORECASE
)


def doc_requirement(name: str) -> str:
    if CONDITIONAL_START.match(name) or CONDITIONAL_ANY.search(name):
        return "conditional"
    return "required"


def split_name_note(text: str) -> tuple[str, str]:
    """First sentence is the document name, any following sentences are a note."""
    text = squash(text)
    match = re.search(r"(?<=[^\s.]{3})\.\s+(?=" + UP + ")", text)
    if match and match.start() >= 15:
        return text[: match.start()].strip(), text[match.end() :].strip()
    return text.rstrip(" ;,.").strip(), ""


def form_name_for(name: str, files: list[str]) -> str:
    match = FORM_REF.search(name)
    if match:
        return match.group(1).strip(" .;,")[:300]
    match = re.search(r"^(.{5,200}?)\s+theo (?:mẫu|Mẫu)\b", name)
    if match:
        return strip_bullet(match.group(1)).strip(" ,;")[:300]
    if files:
        return "; ".join(files)[:300]
    return ""


def make_document(
    text: str, originals: int, copies: int, files: list[str], present: bool
) -> dict | None:
    text = strip_bullet(squash(text))
    text = re.sub(r"^\d{1,2}\.?\s+(?=" + UP + ")", "", text)  # "01 Danh sách", "8. Hóa đơn"
    if not text or not re.search(r"\w", text):
        return None
    name, note = split_name_note(text)
    name = strip_bullet(name)
    if not name:
        return None
    notes = []
    if present:
        notes.append("Xuất trình")
    if note:
        notes.append(note)
    form = form_name_for(text, files)
    if files and form != "; ".join(files)[:300]:
        notes.append("Tệp mẫu: " + "; ".join(files))
    return {
        "name": name,
        "originals": originals,
        "copies": copies,
        "requirement": doc_requirement(name),
        "form_name": form,
        "note": " ".join(notes) if notes else "",
    }


def dvcqg_document_rows(text: str) -> list[tuple[str, str, int, int]]:
    """(section heading, row text, originals, copies) for every table row."""
    text = nfc(text)
    parts = text.split(DOC_HEADER)
    rows = []
    section = parts[0]
    for body in parts[1:]:
        pos = 0
        for match in COUNT.finditer(body):
            row = body[pos : match.start()]
            rows.append((squash(section), row, int(match.group(1)), int(match.group(2) or 0)))
            pos = match.end()
        section = body[pos:]
    return rows


def documents_from_dvcqg(text: str, flags: list[str]) -> list[dict]:
    documents = []
    skipped_zero = 0
    for section, row, originals, copies in dvcqg_document_rows(text):
        lowered = section.lower()
        if "lưu ý" in lowered:
            continue  # remarks for the officer, not documents
        if originals == 0 and copies == 0:
            skipped_zero += 1  # the portal lists remarks as rows with quantity 0
            continue
        row = squash(row)
        row, files = split_file_name(row)
        doc = make_document(row, originals, copies, files, present="xuất trình" in lowered)
        if doc:
            documents.append(doc)
    return documents


def parse_count_note(note: str) -> tuple[int, int]:
    note = nfc(note)
    # "Bản chính: 1\nBản sao: 0" (labelled) or "1 bản chính, 1 bản sao"
    originals = re.search(r"bản chính\s*:\s*(\d+)", note, re.I) or re.search(
        r"(\d+)\s*bản chính", note, re.I
    )
    copies = re.search(r"bản sao\s*:\s*(\d+)", note, re.I) or re.search(
        r"(\d+)\s*bản sao", note, re.I
    )

    def num(m: re.Match | None) -> int:
        if not m:
            return 0
        return int(next(g for g in m.groups() if g is not None))

    return num(originals), num(copies)


def recover_from_page_text(page: str, flags: list[str]) -> tuple[list[str], list[dict]]:
    page = nfc(page)
    steps_match = re.search(r"Trình Tự Thực Hiện(.*?)Cách Thức Thực Hiện", page, re.S)
    docs_match = re.search(
        r"Cách Thức Thực Hiện.*?Thành phần hồ sơ(.*?)(?:Căn cứ pháp lý|Cơ quan thực hiện|$)",
        page,
        re.S,
    )
    steps = split_steps(steps_match.group(1)) if steps_match else []
    documents = documents_from_dvcqg(docs_match.group(1), flags) if docs_match else []
    note = "steps, documents: trường trình tự/thành phần hồ sơ bị cắt lệch khi cào"
    if steps or documents:
        note += "; lấy lại từ toàn văn trang (raw_text)"
        if "Căn cứ pháp lý" not in page:
            note += ", toàn văn có thể bị cụt"
    flags.append(note)
    return steps, documents


def documents_from_nhdandz(rows: list[dict]) -> list[dict]:
    documents = []
    for row in rows:
        originals, copies = parse_count_note(row.get("ghi_chu", ""))
        files = [squash(f) for f in nfc(row.get("so_luong", "")).split("\n") if squash(f)]
        doc = make_document(row.get("ten_giay_to", ""), originals, copies, files, present=False)
        if doc:
            documents.append(doc)
    return documents


def documents_from_parsed(items: list[str]) -> list[dict]:
    """Fallback: the parsed strings "- name (1 bản chính)"."""
    documents = []
    for item in items:
        item = squash(item)
        match = re.search(r"\(((?:Bản chính|\d+ bản)[^()]*)\)\s*$", item)
        originals = copies = 0
        if match:
            originals, copies = parse_count_note(match.group(1))
            item = item[: match.start()].strip()
        doc = make_document(item, originals, copies, [], present=False)
        if doc:
            documents.append(doc)
    return documents


# --------------------------------------------------------------------------- channels

TIME_TOKEN = (
    r"(?:\d+(?:[.,]\d+)?(?:\s*(?:Ngày làm việc|Ngày|Giờ|Tháng|Năm|Phút))?|Không có thông tin)"
)
FEE_TOKEN = (
    r"(?:Miễn phí|Không có thông tin|Phí\s*:\s*[\d.,]+\s*Đồng|Lệ phí\s*:\s*[\d.,]+\s*Đồng"
    r"|[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD))"
)
ROW = re.compile(
    r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(" + TIME_TOKEN + r")(" + FEE_TOKEN + r")"
)
CACH_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def take_parenthetical(text: str) -> tuple[str, str]:
    """Split a leading balanced "( ... )" off text."""
    if not text.startswith("("):
        return "", text
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[1:i], text[i + 1 :]
    return text[1:], ""


def parse_cach_rows(text: str) -> list[dict]:
    text = nfc(text)
    if text.startswith(CACH_HEADER):
        text = text[len(CACH_HEADER) :]
    matches = list(ROW.finditer(text))
    rows = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rest = text[match.end() : end]
        fee_detail, description = take_parenthetical(rest)
        rows.append(
            {
                "channel": CHANNEL_NAMES[match.group(1)],
                "time": squash(match.group(2)),
                "fee": squash(match.group(3)),
                "fee_detail": squash(fee_detail),
                "description": squash(description),
            }
        )
    return rows


UNIT_WORDS = {"ngày làm việc": "working_days", "ngày": "days", "giờ": "hours"}


def parse_time(token: str) -> tuple[Decimal | None, str, bool]:
    """(value, unit, bare_number) for a time column like '5 Ngày làm việc' or '1'."""
    token = squash(token)
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(.*)", token)
    if not match:
        return None, "", False
    value = Decimal(match.group(1).replace(",", "."))
    word = match.group(2).lower()
    if not word:
        return value, "working_days", True
    unit = UNIT_WORDS.get(word)
    if unit is None:
        return None, "", False
    return value, unit, False


def parse_amount(text: str) -> int | None:
    """'150,000' / '700.000' / '8000' -> int (separators are thousands separators)."""
    digits = text.strip()
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
        return int(re.sub(r"[.,]", "", digits))
    if re.fullmatch(r"\d+", digits):
        return int(digits)
    return None


AMOUNT_IN_TEXT = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|Đồng|đ\b|VNĐ|VND)")
HDND = re.compile(r"Hội đồng nhân dân|HĐND", re.IGNORECASE)


def parse_fee(fee: str, detail: str, flags: list[str], channel: str) -> int | None:
    fee = squash(fee)
    low = fee.lower()
    if low == "không có thông tin":
        return None
    if low in ("miễn phí", "không"):
        if detail and HDND.search(detail) and re.search(r"mức (?:thu )?lệ phí", detail, re.I):
            flags.append(
                f"fee_vnd ({channel}): cổng ghi 'Miễn phí' nhưng mô tả nói mức lệ phí do HĐND "
                "tỉnh quyết định; để trống"
            )
            return None
        return 0
    if "USD" in fee:
        return None
    match = re.search(r"([\d.,]+)", fee)
    amount = parse_amount(match.group(1)) if match else None
    if amount is None:
        return None
    if 0 < amount < 1000:
        # Misparsed thousands ("700.000 đồng" shown as "700 VNĐ"): take the amount in the detail
        candidates = [parse_amount(m.group(1)) for m in AMOUNT_IN_TEXT.finditer(detail)]
        fixed = [c for c in candidates if c and c >= 1000 and str(c).startswith(str(amount))]
        if fixed:
            flags.append(
                f"fee_vnd ({channel}): cổng ghi {fee}, sửa thành {fixed[0]} theo mô tả phí"
            )
            return fixed[0]
        flags.append(f"fee_vnd ({channel}): số tiền nhỏ bất thường ({fee})")
    return amount


def description_units(description: str, value: Decimal) -> set[str]:
    """Units that the description gives for the same number of days."""
    units = set()
    number = int(value) if value == int(value) else None
    if number is None:
        return units
    pattern = re.compile(
        r"(?<![\d/.,])0*" + str(number) + r"\s*(?:\([^)]{1,20}\)\s*)?ngày(\s+làm\s+việc)?",
        re.IGNORECASE,
    )
    for match in pattern.finditer(description):
        units.add("working_days" if match.group(1) else "days")
    return units


TIME_HINT = re.compile(
    r"\d+\s*(?:\([^)]{1,20}\)\s*)?(?:ngày|giờ)\b|trong ngày|thời hạn giải quyết", re.I
)


def time_sentences(description: str) -> str:
    """The sentences of a channel description that state a time limit."""
    if not description:
        return ""
    if len(description) <= 200:
        return description if TIME_HINT.search(description) else ""
    parts = re.split(r"(?<=[.;])\s+", description)
    return " ".join(p for p in parts if TIME_HINT.search(p))


def channels_from_rows(rows: list[dict], ministry: str, flags: list[str]) -> list[dict]:
    by_channel: dict[str, list[dict]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], []).append(row)
    channels = []
    for channel in CHANNEL_ORDER:
        group = by_channel.get(channel)
        if not group:
            continue
        times = []
        for row in group:
            value, unit, bare = parse_time(row["time"])
            if value is not None and bare:
                flags.append(
                    f"time_unit ({channel}): cổng chỉ ghi số '{row['time']}' ({ministry}), "
                    "đọc là ngày làm việc"
                )
            if value is not None and unit in ("working_days", "days") and not bare:
                described = description_units(row["description"], value)
                if described and unit not in described and len(described) == 1:
                    other = described.pop()
                    flags.append(
                        f"time_unit ({channel}): cột thời gian ghi '{row['time']}' nhưng mô tả "
                        f"ghi {'ngày làm việc' if other == 'working_days' else 'ngày'}; "
                        "giữ đơn vị theo văn bản"
                    )
                    unit = other
            if value is None and row["time"].lower() == "không có thông tin":
                # The description may state the limit: "05 ngày làm việc kể từ ..."
                match = re.search(
                    r"(?<![\d/.,])(\d{1,3})\s*(?:\([^)]{1,20}\)\s*)?ngày(\s+làm\s+việc)?",
                    row["description"],
                    re.IGNORECASE,
                )
                if match and len(set(re.findall(r"(\d{1,3})\s*ngày", row["description"]))) == 1:
                    value = Decimal(int(match.group(1)))
                    unit = "working_days" if match.group(2) else "days"
                    flags.append(f"time_value ({channel}): cột thời gian trống, lấy từ mô tả")
            times.append((value, unit, row))
        known = [t for t in times if t[0] is not None]
        if len({(t[0], t[1]) for t in known}) > 1:
            flags.append(
                f"time_value ({channel}): cổng ghi nhiều thời hạn ("
                + ", ".join(t[2]["time"] for t in known)
                + "), lấy thời hạn dài nhất"
            )
        chosen = max(known, key=lambda t: (t[0], t[1])) if known else (None, "", group[0])
        time_parts = []
        for _value, _unit, row in times:
            part = row["time"]
            said = time_sentences(row["description"])
            if said:
                part = f"{part} — {said}" if part else said
            if part not in time_parts:
                time_parts.append(part)
        fees = []
        fee_parts = []
        for row in group:
            fees.append(parse_fee(row["fee"], row["fee_detail"], flags, channel))
            part = row["fee"] + (f" ({row['fee_detail']})" if row["fee_detail"] else "")
            if part not in fee_parts:
                fee_parts.append(part)
        vnd = [f for f in fees if f is not None]
        if len(set(vnd)) > 1:
            flags.append(f"fee_vnd ({channel}): nhiều mức phí, lấy mức đầu tiên; xem fee_note")
        entry = {
            "channel": channel,
            "time_value": chosen[0],
            "time_unit": chosen[1] if chosen[0] is not None else "",
            "time_note": "; ".join(time_parts),
            "fee_vnd": vnd[0] if vnd else None,
            "fee_note": "; ".join(fee_parts),
        }
        channels.append(entry)
    return channels


def channels_from_nhdandz(rows: list[dict], flags: list[str]) -> list[dict]:
    converted = []
    for row in rows:
        name = squash(row.get("hinh_thuc", ""))
        channel = next((v for k, v in CHANNEL_NAMES.items() if name.startswith(k)), None)
        if channel is None:
            continue
        fee = squash(row.get("phi_le_phi", ""))
        match = re.search(r"([\d.,]+)\s*Đồng", fee)
        converted.append(
            {
                "channel": channel,
                "time": squash(row.get("thoi_han_giai_quyet", "")),
                "fee": f"{match.group(1)} Đồng" if match else (fee or "Không có thông tin"),
                "fee_detail": "",
                "description": "",
                "fee_text": fee,
            }
        )
    channels = channels_from_rows(converted, "bo-quoc-phong", flags)
    for entry in channels:
        texts = [r["fee_text"] for r in converted if r["channel"] == entry["channel"]]
        entry["fee_note"] = "; ".join(t for t in texts if t)
    return channels


# --------------------------------------------------------------------------- legal basis

DOC_TYPE_TAIL = re.compile(
    r"(?<=[^\sA-Z0-9/-])(?:Thông tư|Nghị định|Luật|Quyết định|Nghị quyết|Pháp lệnh)(?: số)?\s*$"
)


def legal_titles(raw_text: str, codes: list[str]) -> dict[str, str]:
    """Map code -> title from 'Tên văn bản pháp lýMã văn bản<title><code><title><code>...'."""
    text = nfc(raw_text)
    text = re.sub(r"^Tên văn bản pháp lýMã văn bản", "", text)
    if not codes:
        return {}
    alternatives = "|".join(re.escape(c) for c in sorted(set(codes), key=len, reverse=True))
    cuts = []
    for match in re.finditer(alternatives, text):
        end = match.end()
        nxt = text[end : end + 2]
        prev = text[match.start() - 1 : match.start()]
        glued_end = end == len(text) or nxt[:1].isupper()
        spaced_end = bool(prev) and not prev.isspace() and re.match(r"\s" + UP, nxt)
        if glued_end or spaced_end:
            cuts.append(match)
    titles: dict[str, str] = {}
    pos = 0
    for match in cuts:
        title = text[pos : match.start()]
        pos = match.end()
        title = squash(DOC_TYPE_TAIL.sub("", title)).strip(" .;,")
        code = match.group(0)
        if title and code not in titles:
            titles[code] = title
    return titles


def clean_code(code: str) -> str:
    return squash(code).strip(" .;,")


def legal_from_nhdandz(rows: list[dict]) -> list[dict]:
    result = []
    seen = set()
    for row in rows:
        code = clean_code(row.get("so_ky_hieu", ""))
        title = squash(row.get("trich_yeu", ""))
        if re.fullmatch(r"\d+", code):
            match = re.search(r"\b" + code + r"/\d{4}/[\w-]+", title)
            if match:
                code = match.group(0)
        if not code or code in seen:
            continue
        seen.add(code)
        result.append({"code": code[:200], "title": title if title != code else ""})
    return result


# --------------------------------------------------------------------------- scalar fields

RESULT_JUNK = re.compile(r"(?:Mã: ?KQ|Từ khóa|Mô tảKhông|Chọn cơ quan thực hiện)")


def clean_result(value: Any) -> str:
    text = nfc(value)
    match = RESULT_JUNK.search(text)
    if match:
        text = text[: match.start()]
    text = squash(text)
    return "" if not informative(text) else text


def clean_decision(value: Any) -> str:
    text = squash(value)
    text = re.sub(r"^Quyết định số\s*", "", text)
    return text[:200]


def clean_level(record: dict) -> str:
    text = squash(record.get("level_text"))
    if not text and record.get("level") == "xã":
        return "Cấp xã"
    return ", ".join(p.strip().capitalize() for p in text.split(","))


def source_url(value: Any) -> str:
    match = re.search(r"https?://[^\s()]+", nfc(value))
    return match.group(0) if match else ""


def online_level(value: Any) -> str:
    text = squash(value).lower()
    if "toàn trình" in text:
        return "full"
    if "một phần" in text:
        return "partial"
    return ""


def agency_for(raw: dict | None, nh: dict | None, ministry: str, flags: list[str]) -> str:
    if nh is not None:
        content = nh["content"]
        for key in ("cơ_quan_thực_hiện", "cơ_quan_có_thẩm_quyền"):
            if informative(content.get(key)):
                return fix_capitalisation(squash(content[key]))[:500]
        return ""
    if raw is None:
        return ""
    for key in ("co_quan_thuc_hien", "co_quan_co_tham_quyen"):
        if informative(raw.get(key)):
            return fix_capitalisation(squash(raw[key])).rstrip(".")[:500]
    text = nfc(raw.get("trinh_tu_thuc_hien", "")) + "\n" + nfc(raw.get("cach_thuc_thuc_hien", ""))
    police = ministry == "bo-cong-an"
    if police and re.search(r"Công an (?:cấp xã|xã, phường)", text, re.IGNORECASE):
        flags.append("agency: suy ra từ trình tự/cách thức thực hiện (Công an cấp xã)")
        return "Công an cấp xã"
    if not police and re.search(r"Ủy ban nhân dân cấp xã|UBND cấp xã", text, re.IGNORECASE):
        flags.append("agency: suy ra từ trình tự thực hiện (Ủy ban nhân dân cấp xã)")
        return "Ủy ban nhân dân cấp xã"
    flags.append("agency: không có thông tin")
    return ""


# --------------------------------------------------------------------------- assembly


def build_record(
    code: str, parsed: dict | None, draft: dict | None, raw: dict | None, nh: dict | None
) -> dict:
    base: dict = {}
    if parsed:
        base.update(parsed)
    if draft:
        base.update({k: v for k, v in draft.items() if v not in (None, "", [])})
    flags: list[str] = []
    for flag in base.get("uncertain_fields") or []:
        flag = squash(flag)
        if flag and flag not in flags:
            flags.append(flag)

    no_details = raw is None and nh is None
    steps: list[str] = []
    documents: list[dict] = []
    channels: list[dict] = []
    legal: list[dict] = []
    subjects = conditions = ""
    result = clean_result(base.get("result"))

    if raw is not None:
        steps = split_steps(raw.get("trinh_tu_thuc_hien", ""))
        documents = documents_from_dvcqg(raw.get("thanh_phan_ho_so", ""), flags)
        if DOC_HEADER not in nfc(raw.get("thanh_phan_ho_so", "")):
            # The scraper split the page at "(Thành phần hồ sơ)" inside the steps text, so
            # trinh_tu/thanh_phan are garbled; the full page text still has both sections.
            steps, documents = recover_from_page_text(raw.get("raw_text", ""), flags)
            if not documents:
                documents = documents_from_parsed(base.get("documents") or [])
        rows = parse_cach_rows(raw.get("cach_thuc_thuc_hien", ""))
        channels = channels_from_rows(rows, base.get("ministry_dir") or "", flags)
        codes = [clean_code(c) for c in base.get("legal_basis") or [] if clean_code(c)]
        titles = legal_titles(raw.get("can_cu_phap_ly", ""), codes)
        seen = set()
        for c in codes:
            if c in seen:
                continue
            seen.add(c)
            legal.append({"code": c[:200], "title": titles.get(c, "")})
        if informative(raw.get("doi_tuong_thuc_hien")):
            subjects = squash(raw["doi_tuong_thuc_hien"])
        if informative(raw.get("yeu_cau_dieu_kien")):
            conditions = clean_multiline(raw["yeu_cau_dieu_kien"])
        if not result:
            result = clean_result(raw.get("ket_qua_xu_ly"))
    elif nh is not None:
        content = nh["content"]
        tables = nh["tables"]
        steps = split_steps(content.get("trình_tự_thực_hiện", ""))
        documents = documents_from_nhdandz(tables.get("thanh_phan_ho_so") or [])
        channels = channels_from_nhdandz(tables.get("hinh_thuc_nop") or [], flags)
        legal = legal_from_nhdandz(tables.get("can_cu_phap_ly") or [])
        if informative(content.get("đối_tượng_thực_hiện")):
            subjects = squash(content["đối_tượng_thực_hiện"])
        if informative(content.get("yêu_cầu_điều_kiện_thực_hiện")):
            conditions = clean_multiline(content["yêu_cầu_điều_kiện_thực_hiện"])
        if not result:
            result = clean_result(content.get("kết_quả_thực_hiện"))
        flags.append("source_url: nguồn là tệp xuất từ Cổng DVCQG, không có URL chi tiết")
    else:
        flags.append(
            "Thiếu chi tiết: nguồn chỉ có mã và tên thủ tục (không có trình tự, hồ sơ, "
            "thời hạn, phí, căn cứ pháp lý); cần đối chiếu Cổng DVCQG"
        )

    # Time limits filled by the draft from the legal text (chứng thực, NĐ 23/2015 Điều 7 ...)
    if draft and parsed and draft.get("processing_time_text") != parsed.get("processing_time_text"):
        text = squash(draft.get("processing_time_text"))
        rule = text.split("|", 1)[1].strip() if "|" in text else text
        rule = re.sub(r"\s*—\s*not shown on portal data$", "", rule)
        if draft.get("processing_days") is not None:
            unit = squash(draft.get("processing_unit"))
            value = Decimal(draft["processing_days"])
            time_unit = "working_days" if value == 0 or "làm việc" in unit else "days"
            for entry in channels:
                if entry["time_value"] is None:
                    entry["time_value"] = value
                    entry["time_unit"] = time_unit
                    entry["time_note"] = "; ".join(x for x in (entry["time_note"], rule) if x)

    unique_documents = []
    for doc in documents:
        if doc not in unique_documents:  # the portal sometimes lists a row twice
            unique_documents.append(doc)
    documents = unique_documents

    if not no_details and not steps:
        flags.append("steps: nguồn không có trình tự thực hiện")
    if not no_details and not channels:
        flags.append("channels: không tách được hình thức nộp/thời hạn/phí từ nguồn")

    name = squash(base.get("name")).rstrip(" :;")
    if len(name) > NAME_MAX:
        flags.append(
            f"name: tên chính thức dài {len(name)} ký tự, rút gọn theo giới hạn {NAME_MAX}; tên đầy đủ: {name}"
        )
        name = shorten_name(name)
    sector = squash(base.get("field")) or (squash(raw.get("linh_vuc")) if raw else "")
    record = {
        "code": code,
        "name": name,
        "sector": sector,
        "level": clean_level(base),
        "agency": agency_for(raw, nh, base.get("ministry_dir") or "", flags)
        if not no_details
        else "",
        "decision": clean_decision(base.get("decision")),
        "subjects": subjects,
        "steps": steps,
        "conditions": conditions,
        "result": result,
        "legal_basis": legal,
        "online_level": online_level(base.get("online")),
        "source_url": source_url(base.get("source")),
        "popularity": int(draft["rank"]) if draft and draft.get("rank") else None,
        "status": "published",
        "valid_from": None,
        "valid_to": None,
        "version": 1,
        "uncertain_fields": flags,
        "channels": [
            {**c, "time_value": jsonable_decimal(c["time_value"]), **fee_basis(name, steps, c)}
            for c in channels
        ],
        "documents": documents,
    }
    return record


# Thông tư 281/2016/TT-BTC, Biểu phí: bản sao Trích lục hộ tịch, bản sao Giấy khai sinh
# 8.000 đồng/bản sao. The portal's fee notes cite the circular without the amount.
COPY_FEE_TT281 = 8000
_COPY_FEE_CITED = re.compile(r"ph[ií] c[aấ]p b[aả]n sao.*281/2016", re.IGNORECASE)
_COPY_FEE_STEP = re.compile(r"n[oộ]p ph[ií] c[aấ]p b[aả]n sao", re.IGNORECASE)


def fee_basis(name: str, steps: list[str], channel: dict) -> dict:
    """How the channel's fee is charged, from the procedure's name and the portal's fee note.

    - a procedure whose result is the copy itself ("Cấp bản sao Trích lục…"): the portal's amount
      is per copy, so it becomes ``copy_fee_vnd`` and the fee per dossier is 0;
    - a fee note citing TT 281/2016 for copies "nếu có yêu cầu", or steps telling the applicant
      to pay "phí cấp bản sao" (khai sinh, 1.001193): ``copy_fee_vnd`` = 8.000 đồng on top of
      the fee per dossier;
    - a fee "/trang" (chứng thực bản sao, TT 226/2016/TT-BTC): ``fee_unit`` "trang", the total is
      counted at the counter.
    """
    fee, note = channel["fee_vnd"], channel["fee_note"]
    if name.startswith("Cấp bản sao Trích lục") and fee:
        return {"fee_vnd": 0, "copy_fee_vnd": fee, "fee_unit": ""}
    if _COPY_FEE_CITED.search(note) or any(_COPY_FEE_STEP.search(step) for step in steps):
        return {"copy_fee_vnd": COPY_FEE_TT281, "fee_unit": ""}
    if "/trang" in note:
        return {"copy_fee_vnd": None, "fee_unit": "trang"}
    return {"copy_fee_vnd": None, "fee_unit": ""}


NAME_MAX = 1000  # ProcedureIn.name max_length


def shorten_name(name: str) -> str:
    """Cut an over-long official name at the last clause boundary that fits, marked with '…'."""
    limit = NAME_MAX - 2
    cut = max(name.rfind("; ", 0, limit), name.rfind(", ", 0, limit))
    if cut < NAME_MAX // 2:
        cut = name.rfind(" ", 0, limit)
    return name[:cut].rstrip(" ;,") + " …"


def jsonable_decimal(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def normalise_strings(obj: Any) -> Any:
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, list):
        return [normalise_strings(v) for v in obj]
    if isinstance(obj, dict):
        return {k: normalise_strings(v) for k, v in obj.items()}
    return obj


def build(src: Path) -> list[dict]:
    parsed, draft, raw, nh = load_sources(src)
    apply_repairs(raw)
    codes = sorted(set(parsed) | set(draft))
    records = []
    for code in codes:
        records.append(
            normalise_strings(
                build_record(code, parsed.get(code), draft.get(code), raw.get(code), nh.get(code))
            )
        )
    missing = (set(parsed) | set(draft)) - {r["code"] for r in records}
    if missing:
        raise SystemExit(f"codes missing from the output: {sorted(missing)}")
    return records


def render(records: list[dict]) -> str:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=False) for r in records]
    return (
        '{"format": "motcua.catalog", "version": 1, "procedures": [\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )


def report(records: list[dict]) -> str:
    c = Counter()
    for r in records:
        c["records"] += 1
        c["with steps"] += bool(r["steps"])
        c["documents"] += len(r["documents"])
        c["channels"] += len(r["channels"])
        c["channels with time"] += sum(1 for ch in r["channels"] if ch["time_value"] is not None)
        c["channels with fee_vnd"] += sum(1 for ch in r["channels"] if ch["fee_vnd"] is not None)
        c["uncertain flags"] += len(r["uncertain_fields"])
        c["records with legal basis"] += bool(r["legal_basis"])
        c["legal basis with title"] += sum(1 for lb in r["legal_basis"] if lb["title"])
        c["legal basis"] += len(r["legal_basis"])
        c["with popularity"] += r["popularity"] is not None
    return "\n".join(f"{k}: {v}" for k, v in c.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE))
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--report", action="store_true", help="print counts")
    args = parser.parse_args(argv)
    src = Path(args.source).resolve()
    if not (src / "procedures.commune_all.parsed.json").exists():
        print(f"catalog data not found in {src}", file=sys.stderr)
        return 2
    records = build(src)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(records), encoding="utf-8")
    print(f"wrote {len(records)} procedures to {out}")
    if args.report:
        print(report(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
