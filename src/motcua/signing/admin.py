"""Leaders' certificates (declared by the center admin) and signed results (read-only)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center
from motcua.centers.scoping import CenterScopedAdmin, admin_scope, scoped_centers
from motcua.signing import pki
from motcua.signing.models import SignedResult, SigningCertificate
from motcua.signing.services import SigningError, describe_certificate, fill_certificate_info


def _inside_center_pki(value: str, centers) -> bool:
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        return False
    resolved = pki.resolve_p12_path(value).resolve()
    return any(
        resolved.is_relative_to((pki.pki_dir() / center.agency_code).resolve())
        for center in centers
    )


INFO_FIELDS = (
    "subject",
    "common_name",
    "title",
    "organisation",
    "issuer",
    "serial",
    "not_before",
    "not_after",
)


class SigningCertificateForm(forms.ModelForm):
    class Meta:
        model = SigningCertificate
        fields = ["user", "label", "p12_path", "passphrase_env", "is_active"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        path = cleaned.get("p12_path")
        if path:
            # Open the file now, with the passphrase signing will use: a wrong path or passphrase
            # shows up here, not when the leader is about to sign.
            try:
                self.certificate_info = describe_certificate(
                    path, passphrase_env=cleaned.get("passphrase_env", "")
                )
            except SigningError as exc:
                raise forms.ValidationError(exc.message) from None
        return cleaned


@admin.register(SigningCertificate)
class SigningCertificateAdmin(CenterScopedAdmin):
    center_lookup = "user__membership__center"
    form = SigningCertificateForm
    list_display = ["label", "user", "common_name", "organisation", "not_after", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["label", "common_name", "user__username", "serial"]
    readonly_fields = INFO_FIELDS
    fieldsets = [
        (None, {"fields": ["user", "label", "p12_path", "passphrase_env", "is_active"]}),
        (_("Thông tin đọc từ chứng thư"), {"fields": INFO_FIELDS}),
    ]

    def scope_queryset(self, queryset, scope):
        # A superuser's certificate is provincial IT's even with a membership at the center: a
        # center administrator could otherwise deactivate it or point it at another key file.
        queryset = super().scope_queryset(queryset, scope)
        return queryset if scope.everything else queryset.filter(user__is_superuser=False)

    def get_form(self, request, obj=None, change=False, **kwargs):
        scope = admin_scope(request)
        if not scope.everything:
            kwargs["form"] = _center_certificate_form(list(scoped_centers(scope)))
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        fill_certificate_info(obj, form.certificate_info)
        super().save_model(request, obj, form, change)


def _center_certificate_form(centers: list[Center]) -> type[SigningCertificateForm]:
    """The form of a center administrator, who may name only their own centers' key files."""

    class CenterCertificateForm(SigningCertificateForm):
        def clean(self):
            # Checked before the file is opened: a center administrator names only key
            # files kept for their own center (var/pki/<agency code>/...) and passphrase
            # variables meant for keys, never another center's key or a server secret.
            forms.ModelForm.clean(self)
            data = self.cleaned_data
            path = data.get("p12_path") or ""
            if path and not _inside_center_pki(path, centers):
                codes = ", ".join(c.agency_code for c in centers)
                self.add_error(
                    "p12_path",
                    _(
                        "Tệp .p12 phải nằm trong thư mục chứng thư số của trung tâm "
                        "(var/pki/%(codes)s/…), ghi đường dẫn tương đối."
                    )
                    % {"codes": codes},
                )
                return data
            env = data.get("passphrase_env") or ""
            if env and not env.startswith(pki.PASSPHRASE_ENV):
                self.add_error(
                    "passphrase_env",
                    _("Tên biến môi trường phải bắt đầu bằng %(prefix)s.")
                    % {"prefix": pki.PASSPHRASE_ENV},
                )
                return data
            return super().clean()

    return CenterCertificateForm


@admin.register(SignedResult)
class SignedResultAdmin(CenterScopedAdmin):
    center_lookup = "dossier__center"
    list_display = ["dossier", "signer_name", "signed_at", "verification_code"]
    search_fields = ["dossier__code", "verification_code", "signer_name"]
    date_hierarchy = "signed_at"
    readonly_fields = [
        "dossier",
        "certificate",
        "signer",
        "stored_file",
        "size",
        "sha256",
        "result_name",
        "signer_name",
        "signer_organisation",
        "signed_at",
        "verification_code",
    ]

    exclude = ["file"]

    @admin.display(description=_("tệp lưu trữ"))
    def stored_file(self, obj: SignedResult) -> str:
        # The name only, no link: the file holds personal data and is not served publicly.
        return obj.file.name or ""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
