"""One generic renderer: a Django form built from a definition and the procedure's documents.

Kiosk usage (a view, thin as usual):

    definition = definition_for(procedure.code)
    card = card_values(definition, scanned_card)
    form = build_form(definition, procedure=procedure, data=request.POST or None,
                      files=request.FILES or None, initial=card, locked=card)
    if request.method == "POST" and form.is_valid():
        services.submit(..., answers=form_data(form), documents=documents(form))
        release_uploads(form)
    render(... {"form": form, "definition": definition})

A bound form re-renders with everything the citizen typed; files accepted on an earlier try are
kept in the UploadStore and come back through a hidden token (see uploads.py). An invalid form
parks its accepted files by itself; a valid one whose data is kept for a later step (a
confirmation screen) calls keep_uploads(form) first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.states import DocumentRequirement
from motcua.eforms import rules
from motcua.eforms.fields import DATE_DISPLAY_FORMAT, DocumentFileField, make_field
from motcua.eforms.schema import FormDefinition
from motcua.eforms.uploads import (
    CheckedFile,
    UploadStore,
    check_upload,
    max_upload_bytes,
    megabytes,
)


@dataclass
class DocumentRow:
    """One line of the checklist as the template shows it."""

    document: RequiredDocument
    required: bool
    provided_by_form: bool
    paper: forms.BoundField | None = None
    file: forms.BoundField | None = None
    token: forms.BoundField | None = None
    pending_name: str = ""
    errors: list[str] | None = None


@dataclass
class SectionView:
    title: str
    help: str
    fields: list[forms.BoundField]


@dataclass(frozen=True)
class Wording:
    """How the document checklist speaks: to the citizen filling the form at the kiosk, or to
    the reception officer who receives the papers at the counter and scans them."""

    paper_label: Any
    file_label: Any
    checklist_help: Any  # %(limit)s: the upload limit in MB
    required_paper: Any  # %(code)s: the procedure's code
    by_form: Any


CITIZEN = Wording(
    paper_label=gettext_lazy("Tôi nộp bản giấy tại quầy"),
    file_label=gettext_lazy("Hoặc tải lên ảnh chụp, bản quét hay tệp PDF"),
    checklist_help=gettext_lazy(
        "Với mỗi giấy tờ bắt buộc, đánh dấu “Tôi nộp bản giấy tại quầy” hoặc tải lên ảnh chụp "
        "(JPEG), ảnh quét (PNG) hay tệp PDF, tối đa %(limit)s MB mỗi tệp."
    ),
    required_paper=gettext_lazy(
        "Giấy tờ bắt buộc: đánh dấu “Tôi nộp bản giấy tại quầy” hoặc tải lên "
        "ảnh chụp, bản quét (Căn cứ: thành phần hồ sơ của thủ tục %(code)s)."
    ),
    by_form=gettext_lazy("Đã có: chính là tờ khai điện tử bạn đang điền."),
)
OFFICER = Wording(
    paper_label=gettext_lazy("Đã nhận bản giấy"),
    file_label=gettext_lazy("Bản quét hoặc ảnh chụp (số hóa khi tiếp nhận)"),
    checklist_help=gettext_lazy(
        "Chỉ ghi nhận giấy tờ công dân thực sự nộp: quét hoặc tải lên bản quét (JPEG, PNG, PDF, "
        "tối đa %(limit)s MB mỗi tệp) để số hóa ngay khi tiếp nhận; giấy tờ chỉ nhận bản giấy "
        "thì đánh dấu “Đã nhận bản giấy”. Giấy tờ không nộp thì để trống."
    ),
    required_paper=gettext_lazy(
        "Giấy tờ bắt buộc chưa có: quét, tải lên bản quét hoặc đánh dấu “Đã nhận bản giấy” "
        "(Căn cứ: thành phần hồ sơ của thủ tục %(code)s)."
    ),
    by_form=gettext_lazy("Đã có: chính là tờ khai điện tử đang nhập, được số hóa khi tiếp nhận."),
)


def _paper(pk: int) -> str:
    return f"doc_{pk}_paper"


def _file(pk: int) -> str:
    return f"doc_{pk}_file"


def _token(pk: int) -> str:
    return f"doc_{pk}_token"


def fulfilled_by_form(definition: FormDefinition, document: RequiredDocument) -> bool:
    name = document.name.casefold()
    return any(name.startswith(prefix.casefold()) for prefix in definition.fulfils_documents)


def card_values(definition: FormDefinition, card: Mapping[str, Any] | Any) -> dict[str, Any]:
    """Initial values from the card for every field with a `card.*` prefill.

    `card` is a mapping or an object with attributes (id_number, full_name, birth_date, sex,
    address, old_id_number, issue_date). Missing or empty values are left out, so the citizen
    types them (e.g. no old 9-digit number).
    """
    values = {}
    for field in definition.fields():
        if not field.prefill:
            continue
        key = field.prefill.partition(".")[2]
        value = card.get(key) if isinstance(card, Mapping) else getattr(card, key, None)
        if value not in (None, ""):
            values[field.name] = value
    return values


def _as_input(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime(DATE_DISPLAY_FORMAT)
    return "" if value is None else str(value)


class EForm(forms.Form):
    """Base of every generated form; the subclass carries the definition's fields."""

    definition: FormDefinition
    procedure: Procedure
    # {{ form }} renders the same markup as {% include "eforms/form.html" %}.
    template_name = "eforms/form.html"
    # No HTML `required`: the browser's own bubbles would stop the submission in the browser's
    # language and hide the rule. The server answers every field in Vietnamese instead.
    use_required_attribute = False

    def __init__(
        self,
        *args: Any,
        locked: Mapping[str, Any] | None = None,
        today: date | None = None,
        store: UploadStore | None = None,
        documents: list[RequiredDocument] | None = None,
        wording: Wording = CITIZEN,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.wording = wording
        self.today = today or timezone.localdate()
        self.store = store or UploadStore()
        self.locked = {k: v for k, v in (locked or {}).items() if k in self.fields}
        self.checklist = documents if documents is not None else []
        self._provided: dict[int, tuple[bool, CheckedFile | None, str]] = {}
        if self.is_bound:
            self.data = self.data.copy()
        for name, value in self.locked.items():
            field = self.fields[name]
            field.widget.attrs.update({"readonly": "readonly", "aria-readonly": "true"})
            if isinstance(field.widget, forms.Select | forms.RadioSelect):
                # <select> and radios have no readonly; disabled ones are not submitted, and the
                # locked value is filled in below.
                field.widget.attrs["disabled"] = "disabled"
            field.widget.attrs["class"] = "ef-locked"
            field.initial = value
            if self.is_bound and self.add_prefix(name) not in self.data:
                self.data[self.add_prefix(name)] = _as_input(value)

    # --- validation -----------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._clean_locked(cleaned)
        # Collected first: add_error() removes the field from `cleaned`, which the rules read.
        for name, message in list(rules.check(self.definition, cleaned, today=self.today)):
            self.add_error(name, message)
        self._clean_documents(cleaned)
        return cleaned

    def _clean_locked(self, cleaned: dict[str, Any]) -> None:
        for name, value in self.locked.items():
            authoritative = self.fields[name].clean(_as_input(value))
            if name in cleaned and cleaned[name] != authoritative:
                self.add_error(
                    name,
                    _(
                        "Thông tin này lấy từ thẻ căn cước nên không sửa được tại đây. "
                        "Nếu thông tin trên thẻ chưa đúng, vui lòng hỏi cán bộ tại quầy."
                    ),
                )
                self.data[self.add_prefix(name)] = _as_input(value)
            elif name not in cleaned and name not in self.errors:
                cleaned[name] = authoritative

    def _clean_documents(self, cleaned: dict[str, Any]) -> None:
        for document in self.checklist:
            pk = document.pk
            if fulfilled_by_form(self.definition, document):
                continue
            paper = bool(cleaned.get(_paper(pk)))
            checked: CheckedFile | None = cleaned.get(_file(pk))
            token = cleaned.get(_token(pk)) or ""
            if checked is None and token and _file(pk) not in self.errors:
                kept = self.store.get(token)
                if kept is not None:
                    checked = check_upload(kept)
                else:
                    token = ""
            elif checked is not None:
                token = ""
            self._provided[pk] = (paper, checked, token)
            if (
                document.requirement == DocumentRequirement.REQUIRED
                and not paper
                and checked is None
                and _file(pk) not in self.errors
            ):
                self.add_error(
                    _paper(pk), str(self.wording.required_paper) % {"code": self.procedure.code}
                )

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        if self.errors:
            self._keep_uploads()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{described} id_{name}-error".strip()

    def _keep_uploads(self) -> None:
        """Park the files accepted in this submission so the re-rendered page carries them."""
        for pk, (paper, checked, token) in list(self._provided.items()):
            if checked is not None and not token:
                previous = self.data.get(self.add_prefix(_token(pk)), "")
                if previous:
                    self.store.discard(previous)
                token = self.store.keep(checked)
                self.data[self.add_prefix(_token(pk))] = token
                self._provided[pk] = (paper, checked, token)

    # --- presentation ---------------------------------------------------------------------

    @property
    def upload_limit_mb(self) -> str:
        return megabytes(max_upload_bytes())

    @property
    def checklist_help(self) -> str:
        return str(self.wording.checklist_help) % {"limit": self.upload_limit_mb}

    def error_summary(self) -> list[dict[str, str]]:
        """Every error once, in page order, with the anchor of the input it belongs to."""
        items = [{"anchor": "", "label": "", "message": e} for e in self.non_field_errors()]
        names = {document.pk: document.name for document in self.checklist}
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                label = str(field.label or "")
                if name.startswith("doc_"):
                    label = names.get(int(name.split("_")[1]), label)
                    label = label if len(label) <= 80 else label[:79] + "…"
                items.append({"anchor": f"id_{name}", "label": label, "message": message})
        return items

    def sections(self) -> list[SectionView]:
        return [
            SectionView(s.title, s.help, [self[f.name] for f in s.fields])
            for s in self.definition.sections
        ]

    def document_rows(self) -> list[DocumentRow]:
        rows = []
        for document in self.checklist:
            required = document.requirement == DocumentRequirement.REQUIRED
            if fulfilled_by_form(self.definition, document):
                rows.append(DocumentRow(document, required, provided_by_form=True))
                continue
            pk = document.pk
            token_value = self[_token(pk)].value() or ""
            kept = self._provided.get(pk)
            pending_name = ""
            if kept and kept[1] is not None:
                pending_name = kept[1].file.name or ""
            elif token_value:
                pending = self.store.get(token_value)
                pending_name = pending.name if pending else ""
            errors = [*self[_paper(pk)].errors, *self[_file(pk)].errors]
            rows.append(
                DocumentRow(
                    document,
                    required,
                    provided_by_form=False,
                    paper=self[_paper(pk)],
                    file=self[_file(pk)],
                    token=self[_token(pk)],
                    pending_name=pending_name,
                    errors=errors,
                )
            )
        return rows


def _document_fields(document: RequiredDocument, wording: Wording) -> dict[str, forms.Field]:
    pk = document.pk
    describe = f"id_{_paper(pk)}-help"
    return {
        _paper(pk): forms.BooleanField(
            label=wording.paper_label,
            required=False,
            widget=forms.CheckboxInput(attrs={"aria-describedby": describe}),
        ),
        _file(pk): DocumentFileField(
            label=wording.file_label,
            required=False,
            widget=forms.FileInput(
                attrs={
                    "accept": "image/jpeg,image/png,application/pdf",
                    "aria-describedby": describe,
                }
            ),
        ),
        _token(pk): forms.CharField(required=False, widget=forms.HiddenInput, max_length=64),
    }


def build_form(
    definition: FormDefinition,
    *,
    procedure: Procedure,
    data: Any = None,
    files: Any = None,
    initial: Mapping[str, Any] | None = None,
    locked: Mapping[str, Any] | None = None,
    today: date | None = None,
    store: UploadStore | None = None,
    wording: Wording = CITIZEN,
) -> EForm:
    """The form for `definition`, with the checklist of `procedure`'s documents.

    `locked` values (from the verified card) are shown read-only and stay authoritative: a
    submitted value that differs is refused. `today` defaults to the local date in Vietnam.
    `wording` is the checklist's voice: the citizen's (kiosk) or the officer's (counter).
    """
    required_message = _("Vui lòng điền mục này: đây là thông tin bắt buộc của %(form)s.") % {
        "form": definition.title[:1].lower() + definition.title[1:]
    }
    attrs: dict[str, Any] = {
        field.name: make_field(field, required_message=required_message)
        for field in definition.fields()
    }
    checklist = list(procedure.documents.order_by("position", "pk"))
    for document in checklist:
        if not fulfilled_by_form(definition, document):
            attrs.update(_document_fields(document, wording))
    attrs.update({"definition": definition, "procedure": procedure})
    form_class = type(f"EForm_{definition.form.replace('-', '_')}", (EForm,), attrs)
    return form_class(
        data=data,
        files=files,
        initial=dict(initial or {}),
        locked=locked,
        today=today,
        store=store,
        documents=checklist,
        wording=wording,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def form_data(form: EForm) -> dict[str, Any]:
    """The citizen's answers, JSON-serializable (dates as ISO strings, money as int đồng)."""
    if not form.is_valid():
        raise ValueError("form_data() needs a valid form")
    return {
        field.name: _jsonable(form.cleaned_data.get(field.name))
        for field in form.definition.fields()
    }


def documents(form: EForm) -> list[dict[str, Any]]:
    """The checklist result, in the catalog's order, one entry per procedure document."""
    if not form.is_valid():
        raise ValueError("documents() needs a valid form")
    result = []
    for document in form.checklist:
        by_form = fulfilled_by_form(form.definition, document)
        paper, checked, token = form._provided.get(document.pk, (False, None, ""))
        result.append(
            {
                "document_id": document.pk,
                "name": document.name,
                "requirement": document.requirement,
                "provided_by_form": by_form,
                "provided_on_paper": paper,
                "file": checked.file if checked else None,
                "content_type": checked.content_type if checked else None,
                "size": checked.size if checked else None,
                "sha256": checked.sha256 if checked else None,
                "pending_token": token or None,
            }
        )
    return result


def keep_uploads(form: EForm) -> None:
    """Park this submission's accepted files and put their tokens in `form.data`.

    Invalid forms do this by themselves. A kiosk that keeps a valid form's data (e.g. in the
    session until the citizen confirms) calls it so the files can be found again from the data.
    """
    form.is_valid()
    form._keep_uploads()


def release_uploads(form: EForm) -> None:
    """Delete the parked copies once the dossier has stored the files for good."""
    for _paper_given, _checked, token in form._provided.values():
        if token:
            form.store.discard(token)
