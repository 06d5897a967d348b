"""Enumerations of the citizen portal. No database here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Assurance(models.TextChoices):
    """How sure we are that the person signed in owns the ID number (lowest to highest).

    ``declared``: a one-time code sent to an address the person typed themself on first sign-in;
    it proves only that they read that address. ``records``: a code sent to the phone or e-mail
    the center recorded on one of their earlier dossiers. ``vneid``: the national e-ID
    (VNeID, Nghị định 69/2024/NĐ-CP), which verified the person against the population database.
    """

    DECLARED = "declared", _("Mã gửi đến địa chỉ tự khai")
    RECORDS = "records", _("Mã gửi đến địa chỉ trong hồ sơ trước")
    VNEID = "vneid", _("Tài khoản định danh điện tử VNeID")
    # A member of the community digital team submits for a citizen who is present and read
    # them the code sent to their contact (assist.services): the citizen's own records stay
    # closed, as for a self-declared address.
    ASSISTED = "assisted", _("Tổ công nghệ số hỗ trợ, công dân đồng ý bằng mã")


# What each level may see: a self-declared address must not open a stranger's earlier
# dossiers or document store just because their ID number was typed (see docs/portal.md).
SEES_RECORDS = frozenset({Assurance.RECORDS, Assurance.VNEID})


class ContactSource(models.TextChoices):
    RECORDS = "records", _("Từ hồ sơ đã nộp")
    DECLARED = "declared", _("Công dân tự khai")
