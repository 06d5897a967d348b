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
from dataclasses import dataclass, replace
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
    stored: StoredChoice | None = None


@dataclass(frozen=True)
class StoredChoice:
    """Copies of a checklist paper the applicant already keeps in her document store (the
    portal's, KPI 4.3): offered in the paper's own row; once one is attached the row says so and
    asks for nothing else, with a way to take it back."""

    field_name: str  # the radio group carrying the chosen copy
    papers: list[tuple[str, str]]  # (value, label)
    chosen: str = ""  # the value picked, "" for none
    applied: str = ""  # the label of the copy the form now carries, "" before it is attached
    undo_value: str = ""  # the submit button's "action" value that takes the copy back


@dataclass
class SectionView:
    title: str
    help: str
    fields: list[forms.BoundField]
    collapsed: bool = False
    open: bool = True


@dataclass(frozen=True)
class Wording:
    """How the document checklist speaks: to the citizen filling the form at the kiosk, or to
    the reception officer who receives the papers at the counter and scans them."""

    paper_label: Any
    file_label: Any
    checklist_help: Any  # %(limit)s: the upload limit in MB
    required_paper: Any
    by_form: Any
    # A thumb-sized button in the page's language instead of the browser's own file control
    # (which speaks the phone's language: "Choose File" on an English phone). Empty: the
    # browser's control, as the kiosk and the counter show it.
    file_button: Any = ""


CITIZEN = Wording(
    paper_label=gettext_lazy("Tôi nộp bản giấy tại quầy"),
    file_label=gettext_lazy("Hoặc tải lên ảnh chụp, bản quét hay tệp PDF"),
    checklist_help=gettext_lazy(
        "Với mỗi giấy tờ bắt buộc, đánh dấu “Tôi nộp bản giấy tại quầy” hoặc tải lên ảnh chụp "
        "(JPEG), ảnh quét (PNG) hay tệp PDF, tối đa %(limit)s MB mỗi tệp."
    ),
    required_paper=gettext_lazy(
        "Giấy tờ bắt buộc: đánh dấu “Tôi nộp bản giấy tại quầy” hoặc tải lên ảnh chụp, bản quét."
    ),
    by_form=gettext_lazy("Đã có: chính là tờ khai điện tử bạn đang điền."),
)
# The citizen at home on her phone (the portal): the same words, the camera-or-file button.
PORTAL = replace(CITIZEN, file_button=gettext_lazy("Chụp ảnh hoặc chọn tệp"))
OFFICER = Wording(
    paper_label=gettext_lazy("Đã nhận bản giấy"),
    file_label=gettext_lazy("Bản quét hoặc ảnh chụp (số hóa khi tiếp nhận)"),
    checklist_help=gettext_lazy(
        "Chỉ ghi nhận giấy tờ công dân thực sự nộp: quét hoặc tải lên bản quét (JPEG, PNG, PDF, "
        "tối đa %(limit)s MB mỗi tệp) để số hóa ngay khi tiếp nhận; giấy tờ chỉ nhận bản giấy "
        "thì đánh dấu “Đã nhận bản giấy”. Giấy tờ không nộp thì để trống."
    ),
    required_paper=gettext_lazy(
        "Giấy tờ bắt buộc chưa có: quét, tải lên bản quét hoặc đánh dấu “Đã nhận bản giấy”."
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
        # A conditional prefill (prefill_when) is filled by the form once the condition holds.
        if not field.prefill or field.prefill_when is not None:
            continue
        key = field.prefill.partition(".")[2]
        value = card.get(key) if isinstance(card, Mapping) else getattr(card, key, None)
        if value not in (None, ""):
            values[field.name] = value
    return values


def whose_label(definition: FormDefinition, name: str) -> str:
    """The field's label with the person it belongs to: "Ngày, tháng, năm sinh của mẹ"."""
    for section in definition.sections:
        for field in section.fields:
            if field.name == name:
                if section.person:
                    return _("%(label)s của %(person)s") % {
                        "label": field.label,
                        "person": section.person,
                    }
                return field.label
    raise KeyError(name)


def default_value(field_default: str | None, card: Mapping[str, Any], center: Any) -> Any:
    """A field's default: a literal, a card value, or a part of the center's own commune."""
    if not field_default:
        return None
    scope, dot, key = field_default.partition(".")
    if dot and scope == "card":
        return card.get(key)
    if dot and scope == "center":
        if center is None:
            return None
        if key == "place":
            return ", ".join(p for p in (center.commune, center.province) if p)
        return getattr(center, key, None)
    return field_default


def _as_input(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime(DATE_DISPLAY_FORMAT)
    return "" if value is None else str(value)


class EForm(forms.Form):
    """Base of every generated form; the subclass carries the definition's fields."""

    definition: FormDefinition
    procedure: Procedure
    # request.POST (a QueryDict) or a plain dict: both are dicts, and the form writes the
    # locked and card values into its own copy of them.
    data: dict[str, Any]
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
        card: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.wording = wording
        # The legal source of each field's errors, shown behind a "Căn cứ" toggle.
        self.error_sources: dict[str, list[str]] = {}
        # Fields the card fills when the applicant is that person (prefill_when).
        self.card_when: dict[str, tuple[Any, Any]] = {}
        for spec in self.definition.fields():
            value = (card or {}).get(spec.prefill.partition(".")[2]) if spec.prefill else None
            if spec.prefill_when is not None and value not in (None, ""):
                self.card_when[spec.name] = (spec.prefill_when, value)
        self.today = today or timezone.localdate()
        self.store = store or UploadStore()
        self.locked = {k: v for k, v in (locked or {}).items() if k in self.fields}
        self.checklist = documents if documents is not None else []
        # Per checklist pk, the copies the applicant keeps in her store (set by the portal).
        self.stored: dict[int, StoredChoice] = {}
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
        for name, (condition, value) in self.card_when.items():
            attrs = self.fields[name].widget.attrs
            attrs.update(
                {
                    "data-card-when": condition.field,
                    "data-card-equals": condition.equals or "",
                    "data-card-value": _as_input(value),
                }
            )
            if self.is_bound and self.data.get(self.add_prefix(condition.field)) == (
                condition.equals
            ):
                attrs.update({"readonly": "readonly", "class": "ef-locked"})
                self.data[self.add_prefix(name)] = _as_input(value)

    # --- validation -----------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._clean_locked(cleaned)
        self._fill_from_card(cleaned)
        self._drop_absent_people(cleaned)
        # Collected first: add_error() removes the field from `cleaned`, which the rules read.
        found = list(rules.check_with_sources(self.definition, cleaned, today=self.today))
        for name, message, source in found:
            self.add_error(name, message)
            self.error_sources.setdefault(name, []).append(source)
        self._clean_documents(cleaned)
        return cleaned

    def _fill_from_card(self, cleaned: dict[str, Any]) -> None:
        """The applicant is this person ("Người đi đăng ký là: Mẹ"): the card is authoritative
        for the fields it reads, whatever the page sent (it shows them read-only)."""
        for name, (condition, value) in self.card_when.items():
            if rules.holds(condition, cleaned):
                self.errors.pop(name, None)
                cleaned[name] = self.fields[name].clean(_as_input(value))

    def _drop_absent_people(self, cleaned: dict[str, Any]) -> None:
        """A section about someone left out (no father's name): its defaults are no answers."""
        for section in self.definition.sections:
            if section.depends_on and not rules.is_filled(cleaned.get(section.depends_on)):
                for spec in section.fields:
                    if spec.name != section.depends_on:
                        self.errors.pop(spec.name, None)
                        cleaned[spec.name] = None

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
                self.add_error(_paper(pk), str(self.wording.required_paper))
                self.error_sources.setdefault(_paper(pk), []).append(
                    _("Thành phần hồ sơ của thủ tục %(code)s") % {"code": self.procedure.code}
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
        items = [{"anchor": "", "label": "", "message": str(e)} for e in self.non_field_errors()]
        names = {document.pk: document.name for document in self.checklist}
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                label = str(field.label or "")
                if name in self.definition_names:
                    label = whose_label(self.definition, name)
                if name.startswith("doc_"):
                    label = names.get(int(name.split("_")[1]), label)
                    label = label if len(label) <= 80 else label[:79] + "…"
                items.append({"anchor": f"id_{name}", "label": label, "message": str(message)})
        return items

    @property
    def definition_names(self) -> set[str]:
        return {f.name for f in self.definition.fields()}

    def sections(self) -> list[SectionView]:
        views = []
        for section in self.definition.sections:
            bound = []
            for spec in section.fields:
                field = self[spec.name]
                # Read by eforms/field.html: whose field it is, and the rules' legal sources.
                field.whose_label = whose_label(self.definition, spec.name)  # type: ignore[attr-defined]
                field.basis = self.error_sources.get(spec.name, [])  # type: ignore[attr-defined]
                # Read from the card, not editable: shown as text, sent as a hidden value.
                if spec.name in self.locked:
                    field.locked_text = _as_input(self.locked[spec.name])  # type: ignore[attr-defined]
                bound.append(field)
            is_open = not section.collapsed or any(
                f.errors or (self.is_bound and f.value() not in (None, "", "0", False))
                for f in bound
            )
            views.append(
                SectionView(section.title, section.help, bound, section.collapsed, is_open)
            )
        return views

    def document_groups(self) -> dict[str, Any]:
        """The checklist in two groups: what every applicant gives, then what only some do
        (folded on the page unless one of them is already given or in error)."""
        rows = self.document_rows()
        optional = [row for row in rows if not row.required]
        return {
            "required": [row for row in rows if row.required],
            "optional": optional,
            "optional_open": any(
                row.errors or row.pending_name or (row.paper is not None and row.paper.value())
                for row in optional
            ),
        }

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
                pending_name = (pending.name or "") if pending else ""
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
                    stored=self.stored.get(pk),
                )
            )
        # Required papers first: what must be brought is read before what may help.
        return sorted(rows, key=lambda row: not row.required)


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
            widget=forms.FileInput(attrs=_file_attrs(wording, describe)),
        ),
        _token(pk): forms.CharField(required=False, widget=forms.HiddenInput, max_length=64),
    }


def _file_attrs(wording: Wording, describe: str) -> dict[str, str]:
    if not wording.file_button:
        return {"accept": "image/jpeg,image/png,application/pdf", "aria-describedby": describe}
    # "image/*" lets a phone offer its camera beside its files (no ``capture``: that would
    # force the camera and hide the PDF already on the phone); uploads.check_upload still
    # takes only JPEG, PNG and PDF, by content.
    return {
        "accept": "image/*,application/pdf",
        "aria-describedby": describe,
        "class": "ef-file-input",
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
    card: Mapping[str, Any] | None = None,
    center: Any = None,
    paper_by_default: bool = False,
) -> EForm:
    """The form for `definition`, with the checklist of `procedure`'s documents.

    `locked` values (from the verified card) are shown read-only and stay authoritative: a
    submitted value that differs is refused. `today` defaults to the local date in Vietnam.
    `wording` is the checklist's voice: the citizen's (kiosk) or the officer's (counter).
    `card` fills the fields whose `prefill_when` holds and the `card.*` defaults; `center`
    gives the `center.*` defaults. `paper_by_default` ticks "bản giấy tại quầy" for the
    required papers (a kiosk has no files to upload; the citizen can untick and upload).
    """
    attrs: dict[str, Any] = {
        field.name: make_field(
            field,
            # The page puts whose field it is before every message ("Ngày, tháng, năm sinh
            # của mẹ: Chưa điền."), beside the field and in the summary.
            required_message=_("Chưa điền."),
        )
        for field in definition.fields()
    }
    initial = dict(initial or {})
    for field in definition.fields():
        value = default_value(field.default, card or {}, center)
        if value not in (None, "") and field.name not in initial:
            initial[field.name] = value
    checklist = list(procedure.documents.order_by("position", "pk"))
    for document in checklist:
        if not fulfilled_by_form(definition, document):
            attrs.update(_document_fields(document, wording))
            if paper_by_default and document.requirement == DocumentRequirement.REQUIRED:
                initial.setdefault(_paper(document.pk), True)
    attrs.update({"definition": definition, "procedure": procedure})
    form_class = type(f"EForm_{definition.form.replace('-', '_')}", (EForm,), attrs)
    return form_class(
        data=data,
        files=files,
        initial=initial,
        locked=locked,
        today=today,
        store=store,
        documents=checklist,
        wording=wording,
        card=card,
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
