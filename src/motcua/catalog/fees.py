"""Fees as the catalog states them, and the one wording every surface prints.

A procedure's fee on a channel has up to three parts (``ProcedureChannel``):

- ``fee_vnd``, per dossier (None: not known, e.g. set by the province's People's Council under
  TT 85/2019/TT-BTC);
- ``copy_fee_vnd``, per copy of the result the applicant asks for: the bản sao Trích lục hộ tịch
  and bản sao Giấy khai sinh cost 8.000 đồng/bản (TT 281/2016/TT-BTC), so the total depends on
  the copies asked for;
- ``fee_unit``: when set, ``fee_vnd`` is charged per that unit (chứng thực bản sao: per page,
  TT 226/2016/TT-BTC) and only the officer, counting at the counter, can make the total.

The kiosk's review page, the slip (Mẫu 01), the officer's dossier page and the public catalog
all word a fee with ``Fee.text``, so they cannot disagree; none shows a total it cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


def money(amount: int) -> str:
    """``8000`` → ``8.000 đồng`` (the Vietnamese thousands separator is the dot)."""
    return _("%(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}


@dataclass(frozen=True)
class Fee:
    base_vnd: int | None
    copy_fee_vnd: int | None = None
    copies: int = 0
    unit: str = ""

    @classmethod
    def of_channel(cls, channel, copies: int = 0) -> Fee:
        """The fee of a catalog channel (``ProcedureChannel`` or None) for ``copies`` copies."""
        if channel is None:
            return cls(None)
        counted = max(copies, 0) if channel.copy_fee_vnd else 0
        return cls(channel.fee_vnd, channel.copy_fee_vnd, counted, channel.fee_unit)

    @property
    def copies_vnd(self) -> int:
        return (self.copy_fee_vnd or 0) * self.copies if self.copy_fee_vnd else 0

    @property
    def total_vnd(self) -> int | None:
        """What the applicant pays, or None when it cannot be known before the counter."""
        if self.unit or self.base_vnd is None:
            return None
        return self.base_vnd + self.copies_vnd

    @property
    def stored_vnd(self) -> int | None:
        """``Dossier.fee_vnd``: the total, or the rate per unit when counted at the counter."""
        return self.base_vnd if self.unit else self.total_vnd

    @classmethod
    def of_dossier(cls, dossier) -> Fee:
        """The fee a dossier was received with (its copy of the catalog's terms)."""
        copies = dossier.copies_requested if dossier.copy_fee_vnd else 0
        base = dossier.fee_vnd
        if base is not None and not dossier.fee_unit:
            base -= (dossier.copy_fee_vnd or 0) * copies
        return cls(base, dossier.copy_fee_vnd, copies, dossier.fee_unit)

    def text(self) -> str:
        if self.unit:
            if self.base_vnd is None:
                return _("Theo quy định (cán bộ tính khi tiếp nhận)")
            return _("%(rate)s/%(unit)s (cán bộ tính số tiền theo số %(unit)s khi tiếp nhận)") % {
                "rate": money(self.base_vnd),
                "unit": self.unit,
            }
        per_copy = money(self.copy_fee_vnd) if self.copy_fee_vnd else ""
        if self.copy_fee_vnd and self.copies:
            copies = _("%(n)d bản sao × %(rate)s/bản") % {"n": self.copies, "rate": per_copy}
            if self.base_vnd is None:
                return _("%(copies)s = %(amount)s; lệ phí theo quy định") % {
                    "copies": copies,
                    "amount": money(self.copies_vnd),
                }
            if self.base_vnd:
                return _("%(total)s (lệ phí %(base)s + %(copies)s)") % {
                    "total": money(self.total_vnd or 0),
                    "base": money(self.base_vnd),
                    "copies": copies,
                }
            return _("%(total)s (%(copies)s)") % {"total": money(self.copies_vnd), "copies": copies}
        if self.base_vnd is None:
            base = _("Theo quy định (cán bộ báo khi tiếp nhận)")
        elif self.base_vnd == 0:
            base = _("Miễn phí")
        else:
            base = money(self.base_vnd)
        if self.copy_fee_vnd:
            return _("%(base)s; bản sao (nếu yêu cầu): %(rate)s/bản") % {
                "base": base,
                "rate": per_copy,
            }
        return base
