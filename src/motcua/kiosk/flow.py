"""The kiosk flow's steps, kept out of the views: finding, the form step, submission, receipt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.fees import Fee
from motcua.catalog.models import Procedure
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    DossierError,
    appointment_preview,
    slip_token,
    submit_dossier,
)
from motcua.dossiers.slip import paper_lists
from motcua.dossiers.states import Channel, DossierStatus
from motcua.eforms.registry import definition_for
from motcua.eforms.rendering import (
    EForm,
    build_form,
    card_values,
    documents,
    form_data,
    keep_uploads,
    release_uploads,
)

if TYPE_CHECKING:
    from motcua.kiosk.device import KioskRequest

STEPS = [
    gettext_lazy("Thẻ căn cước"),
    gettext_lazy("Chọn thủ tục"),
    gettext_lazy("Điền tờ khai"),
    gettext_lazy("Xác nhận"),
    gettext_lazy("Phiếu hẹn"),
]
# The finder, the card reading and the choice of fields are the same at the counter
# (motcua.dossiers.intake): the kiosk offers what is published.
find = intake.find
sectors_with_counts = intake.sectors_with_counts


def verified_card(request: HttpRequest) -> dict[str, Any]:
    """The card values as signed when read; raises IdentityError if tampered or expired."""
    return intake.card_from_token(request.session.get("card_token", ""))


def _querydict(stored: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in stored.items():
        data.setlist(key, values)
    return data


class FormStep:
    """Step 3: the procedure's e-form, prefilled and locked from the card."""

    def __init__(self, request: KioskRequest, procedure: Procedure):
        self.request = request
        self.procedure = procedure
        self.definition = definition_for(procedure.code)
        self.card = verified_card(request)
        self.locked = card_values(self.definition, self.card)
        # Coming back from the confirmation screen shows what was typed (it was valid).
        stored = request.session.get("form")
        data = None
        if stored and stored.get("procedure") == procedure.code:
            data = _querydict(stored["data"])
        self.form: EForm = build_form(
            self.definition,
            procedure=procedure,
            initial=self.locked,
            locked=self.locked,
            data=data,
            card=self.card,
            center=request.kiosk.center,
            paper_by_default=True,
        )

    def accept(self, post: QueryDict, files) -> bool:
        self.form = build_form(
            self.definition,
            procedure=self.procedure,
            data=post,
            files=files,
            initial=self.locked,
            locked=self.locked,
            card=self.card,
            center=self.request.kiosk.center,
        )
        if not self.form.is_valid():
            return False
        # Uploaded files wait on disk (keyed by token) until the citizen confirms.
        keep_uploads(self.form)
        # Bound to ``post`` above: the form holds (a copy of) that QueryDict.
        posted = cast(QueryDict, self.form.data)
        data = {k: posted.getlist(k) for k in posted if k != "csrfmiddlewaretoken"}
        self.request.session["form"] = {"procedure": self.procedure.code, "data": data}
        self.request.session.pop("submit_key", None)
        return True


@dataclass
class PendingSubmission:
    procedure: Procedure
    form: EForm
    card: dict[str, Any]
    summary: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    due_text: str = ""
    fee_text: str = ""

    @property
    def applicant_name(self) -> str:
        return self.applicant_value("full_name") or ""

    def applicant_value(self, key: str) -> Any:
        """The card's value, else what the citizen typed (``intake.applicant_value``)."""
        return intake.applicant_value(self.card, self.form, key)

    @classmethod
    def from_session(
        cls, request: KioskRequest, *, describe: bool = True
    ) -> PendingSubmission | None:
        """The stored form, checked again; None if there is none or it no longer applies.
        Raises IdentityError when the card reading has expired, so the kiosk asks for it.

        ``describe=False`` leaves out what only the confirmation screen shows (``describe``):
        the confirmation itself redirects to the slip when it succeeds, so the summary, the
        papers and the due-time preview (2 statements) would be computed for nothing."""
        stored = request.session.get("form")
        if not stored:
            return None
        procedure = Procedure.objects.published().filter(code=stored["procedure"]).first()
        if procedure is None:
            return None
        card = verified_card(request)
        definition = definition_for(procedure.code)
        locked = card_values(definition, card)
        form = build_form(
            definition,
            procedure=procedure,
            data=_querydict(stored["data"]),
            initial=locked,
            locked=locked,
            card=card,
            center=request.kiosk.center,
        )
        if not form.is_valid():
            return None
        pending = cls(procedure=procedure, form=form, card=card)
        if describe:
            pending.describe(request)
        return pending

    def describe(self, request: KioskRequest) -> None:
        """The answers, the papers, the due time and the fee, as the confirmation screen shows."""
        self.summary = _summary(self.form)
        self.documents = [
            {**d, "file_name": d["file"].name if d["file"] else ""}
            for d in documents(self.form)
            if not d["provided_by_form"]
        ]
        due, fee = appointment_preview(
            request.kiosk.center,
            self.procedure,
            Channel.KIOSK,
            timezone.now(),
            copies_asked(self.form),
        )
        self.due_text = format_moment(due) if due else _("Theo quy định của thủ tục")
        self.fee_text = fee.text()


def _summary(form: EForm) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers per section of the declaration, for the confirmation screen."""
    sections = []
    for section in form.definition.sections:
        rows = []
        for definition_field in section.fields:
            value = form.cleaned_data.get(definition_field.name)
            if value in (None, "", False):
                continue
            if isinstance(value, date):
                value = value.strftime("%d/%m/%Y")
            elif value is True:
                value = _("Có")
            else:
                # Show a choice's label ("Nữ"), not its stored code.
                choices = dict(getattr(form.fields[definition_field.name], "choices", None) or [])
                value = choices.get(value, value)
            rows.append((definition_field.label, str(value)))
        if rows:
            sections.append((section.title, rows))
    return sections


def format_moment(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return _("%(time)s ngày %(date)s") % {
        "time": local.strftime("%H:%M"),
        "date": local.strftime("%d/%m/%Y"),
    }


copies_asked = intake.copies_asked


@dataclass
class Outcome:
    dossier: Dossier | None
    key: str
    errors: list[str] = field(default_factory=list)


def submit(request: KioskRequest, pending: PendingSubmission, *, key: str) -> Outcome:
    """Step 4: create the dossier (idempotent by the confirmation screen's key)."""
    expected = request.session.get("submit_key", "")
    if not key or key != expected:
        return Outcome(None, expected, [_("Phiên xác nhận đã hết. Xin chạm “Nộp hồ sơ” lại.")])
    applicant = intake.applicant(pending.card, pending.form)
    submitted = intake.submitted_documents(pending.form, received_by_officer=False)
    try:
        with transaction.atomic():
            dossier, _created = submit_dossier(
                center=request.kiosk.center,
                procedure=pending.procedure,
                applicant=applicant,
                form_data=form_data(pending.form),
                form_version=pending.form.definition.version,
                documents=submitted,
                channel=Channel.KIOSK,
                actor=request.kiosk.actor,
                idempotency_key=f"{request.kiosk.actor}:{key}",
                now=timezone.now(),
                copies_requested=copies_asked(pending.form),
                # Nobody of the center has checked the papers: registered, not received yet.
                awaiting_check=True,
            )
    except DossierError as exc:
        return Outcome(None, key, [str(exc)])
    release_uploads(pending.form)
    request.session["dossier_code"] = dossier.code
    request.session.pop("form", None)
    return Outcome(dossier, key)


@dataclass
class Receipt:
    code: str
    procedure_name: str
    due_text: str
    unit_name: str
    slip_url_a5: str
    slip_url_receipt: str
    # The slip's own QR link (public tracking with its signed token): shown on screen and sent
    # by SMS/e-mail at a kiosk without a printer. It outlives the slip PDF's 15-minute link.
    tracking_url: str
    dossier: Dossier
    # Registered, waiting for reception to check the papers (decision 0007), until accepted.
    registered: bool = True
    fee_text: str = ""
    electronic: list[str] = field(default_factory=list)
    to_bring: list[str] = field(default_factory=list)


def receipt(request: KioskRequest) -> Receipt | None:
    code = request.session.get("dossier_code")
    if not code:
        return None
    dossier = (
        Dossier.objects.select_related("procedure", "unit")
        .filter(code=code, center=request.kiosk.center)
        .first()
    )
    if dossier is None:
        return None
    from motcua.dossiers.views import tracking_url

    token = slip_token(dossier, now=timezone.now())
    base = reverse("dossiers:slip", args=[dossier.code])
    papers = paper_lists(dossier)
    return Receipt(
        code=dossier.code,
        procedure_name=dossier.procedure.name,
        due_text=format_moment(dossier.due_at) if dossier.due_at else _("Theo quy định"),
        unit_name=dossier.unit.name if dossier.unit else "",
        slip_url_a5=f"{base}?kho=a5&t={token}",
        slip_url_receipt=f"{base}?kho=80&t={token}",
        tracking_url=tracking_url(request, dossier),
        dossier=dossier,
        registered=dossier.status == DossierStatus.SUBMITTED,
        fee_text=Fee.of_dossier(dossier).text(),
        electronic=papers.electronic,
        to_bring=papers.to_bring,
    )


# A kiosk without a printer may send the slip's link; a few tries per citizen are enough, and
# the cap keeps a stranger from using the kiosk to send messages to anyone.
MAX_SLIP_LINKS = 3


def send_slip_link(request: HttpRequest, receipt: Receipt, contact: str) -> tuple[str, str]:
    """Queue the slip's link to a phone number or an e-mail address the citizen typed.

    Returns (message, error); exactly one is non-empty. The contact is not kept anywhere but
    the notice row (it is masked on screen and never logged).
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from motcua.eforms.rules import MOBILE, normalize_phone
    from motcua.notices.models import mask_recipient
    from motcua.notices.services import queue_slip_link
    from motcua.notices.states import NoticeChannel

    contact = " ".join(contact.split())[:254]
    if not contact:
        return "", _("Xin nhập số điện thoại di động hoặc địa chỉ thư điện tử.")
    if request.session.get("slip_links", 0) >= MAX_SLIP_LINKS:
        return "", _("Đã gửi đủ %(n)d lần. Xin chụp mã QR trên màn hình.") % {"n": MAX_SLIP_LINKS}
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            return "", _("Địa chỉ thư điện tử không đúng dạng, ví dụ: ten@gmail.com.")
        channel, recipient = NoticeChannel.EMAIL, contact
    else:
        recipient = normalize_phone(contact)
        if not MOBILE.match(recipient):
            return "", _(
                "Số điện thoại di động phải có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."
            )
        channel = NoticeChannel.SMS
    with transaction.atomic():
        queue_slip_link(
            receipt.dossier,
            channel=channel,
            recipient=recipient,
            link=receipt.tracking_url,
            now=timezone.now(),
        )
    request.session["slip_links"] = request.session.get("slip_links", 0) + 1
    return _("Đã gửi đường dẫn phiếu hẹn tới %(to)s.") % {"to": mask_recipient(recipient)}, ""
