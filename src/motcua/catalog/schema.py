"""The catalog exchange format: one JSON document, also the bundled data file.

``motcua catalog export`` writes it, ``motcua catalog import`` and ``motcua catalog load`` read it.
It is validated with these models before anything is written, so a malformed file changes
nothing. Every procedure object sits on its own line in exported files, which lets an import
error name the line of the record at fault.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

FORMAT_NAME = "motcua.catalog"
FORMAT_VERSION = 1


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


Text = Annotated[str, AfterValidator(_nfc)]
NonEmptyText = Annotated[str, AfterValidator(_nfc), Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=20000)


class LegalBasisIn(Strict):
    code: NonEmptyText = Field(max_length=200, description="Số hiệu văn bản, ví dụ 123/2015/NĐ-CP")
    title: Text = Field(default="", description="Trích yếu văn bản")


class ChannelIn(Strict):
    channel: Literal["direct", "online", "postal"]
    time_value: Decimal | None = Field(default=None, ge=0, le=99999, decimal_places=2)
    time_unit: Literal["working_days", "days", "hours", ""] = ""
    time_note: Text = ""
    fee_vnd: int | None = Field(default=None, ge=0, le=10**12)
    fee_note: Text = ""
    copy_fee_vnd: int | None = Field(
        default=None, ge=0, le=10**9, description="Phí mỗi bản sao kết quả (đồng/bản)"
    )
    fee_unit: Text = Field(
        default="", max_length=30, description="fee_vnd tính theo đơn vị này (ví dụ: trang)"
    )

    @model_validator(mode="after")
    def unit_goes_with_value(self) -> ChannelIn:
        if self.time_value is not None and not self.time_unit:
            raise ValueError("time_unit là bắt buộc khi có time_value")
        if self.time_value is None and self.time_unit:
            raise ValueError("time_value là bắt buộc khi có time_unit")
        return self


class DocumentIn(Strict):
    name: NonEmptyText
    originals: int = Field(default=0, ge=0, le=100)
    copies: int = Field(default=0, ge=0, le=100)
    requirement: Literal["required", "conditional"] = "required"
    form_name: Text = Field(default="", max_length=300)
    note: Text = ""


class ProcedureIn(Strict):
    code: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-_]{2,31}$")
    name: NonEmptyText = Field(max_length=1000)
    sector: NonEmptyText = Field(max_length=200)
    level: Text = Field(default="", max_length=200)
    agency: Text = Field(default="", max_length=500)
    decision: Text = Field(default="", max_length=200)
    subjects: Text = ""
    steps: list[NonEmptyText] = Field(default_factory=list)
    conditions: Text = ""
    result: Text = ""
    legal_basis: list[LegalBasisIn] = Field(default_factory=list)
    online_level: Literal["full", "partial", ""] = ""
    source_url: Text = Field(default="", max_length=500)
    popularity: int | None = Field(default=None, ge=1)
    status: Literal["draft", "published", "retired"] = "published"
    valid_from: date | None = None
    valid_to: date | None = None
    version: int = Field(default=1, ge=1)
    uncertain_fields: list[Text] = Field(default_factory=list)
    channels: list[ChannelIn] = Field(default_factory=list)
    documents: list[DocumentIn] = Field(default_factory=list)

    @field_validator("source_url")
    @classmethod
    def http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("source_url phải bắt đầu bằng http:// hoặc https://")
        return value

    @model_validator(mode="after")
    def consistent(self) -> ProcedureIn:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to phải sau valid_from")
        seen = [c.channel for c in self.channels]
        if len(seen) != len(set(seen)):
            raise ValueError("mỗi hình thức nộp (channel) chỉ được khai một lần")
        return self


class CatalogFile(Strict):
    format: Literal["motcua.catalog"]
    version: Literal[1]
    procedures: list[ProcedureIn]

    @model_validator(mode="after")
    def unique_codes(self) -> CatalogFile:
        seen: set[str] = set()
        for proc in self.procedures:
            if proc.code in seen:
                raise ValueError(f"mã thủ tục {proc.code} bị lặp")
            seen.add(proc.code)
        return self
