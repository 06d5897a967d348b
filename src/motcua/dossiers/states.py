"""Enumerations of the dossier domain. Stable snake_case codes, Vietnamese display labels.

The status vocabulary follows the states synced to Cổng Dịch vụ công quốc gia and used by the
KPI of Quyết định 766/QĐ-TTg (domain.md §3.3). Only ``received`` is reached today; the others
are here so the back-office workflow (the transition table) can be built on stable codes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.states import Channel as CatalogChannel


class DossierStatus(models.TextChoices):
    RECEIVED = "received", _("Được tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    SUPPLEMENTED = "supplemented", _("Hoàn thành bổ sung")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thực hiện nghĩa vụ tài chính")
    REFUSED = "refused", _("Từ chối")
    STOPPED = "stopped", _("Dừng xử lý")
    PROCESSED = "processed", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Công dân yêu cầu rút hồ sơ")


# The end states of the KPI 766 formula: a dossier in one of them is no longer being processed.
TERMINAL_STATUSES = frozenset(
    {
        DossierStatus.REFUSED,
        DossierStatus.STOPPED,
        DossierStatus.PROCESSED,
        DossierStatus.RETURNED,
        DossierStatus.WITHDRAWN,
    }
)


class Channel(models.TextChoices):
    """Where the dossier came in. Kiosk and counter are both "trực tiếp" for the portal."""

    KIOSK = "kiosk", _("Kiosk tự phục vụ")
    COUNTER = "counter", _("Quầy tiếp nhận")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính công ích")

    @property
    def national_code(self) -> int:
        """``KenhThucHien`` on Cổng DVCQG: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích."""
        return NATIONAL_CHANNEL_CODES[self]

    @property
    def catalog_channel(self) -> str:
        """The catalog channel whose time limit and fee apply to a dossier received here."""
        return CATALOG_CHANNELS[self]


NATIONAL_CHANNEL_CODES: dict[str, int] = {
    Channel.KIOSK: 1,
    Channel.COUNTER: 1,
    Channel.ONLINE: 2,
    Channel.POSTAL: 3,
}

CATALOG_CHANNELS: dict[str, str] = {
    Channel.KIOSK: CatalogChannel.DIRECT,
    Channel.COUNTER: CatalogChannel.DIRECT,
    Channel.ONLINE: CatalogChannel.ONLINE,
    Channel.POSTAL: CatalogChannel.POSTAL,
}


class ResultDelivery(models.TextChoices):
    """Mẫu 01 item 6: where the applicant asked to receive the result."""

    AT_CENTER = "at_center", _("Tại Trung tâm Phục vụ hành chính công")
    POSTAL = "postal", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class EventAction(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
