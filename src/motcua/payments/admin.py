"""The collection account (per center, scoped) and payments (read only) in the Django admin.

The account decides where every QR of the center sends citizens' money: only a superuser or the
center's own administrator changes it (``CenterScopedAdmin``), and the center itself is fixed
for them. Payments are records of money received: nobody edits or deletes them here.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import CenterScopedAdmin, SuperuserOnlyAdmin, admin_scope
from motcua.payments.models import CollectionAccount, Payment, WebhookDelivery
from motcua.payments.qr import bank_choices


class CollectionAccountForm(forms.ModelForm):
    bank_bin = forms.ChoiceField(label=_("ngân hàng"), choices=())

    class Meta:
        model = CollectionAccount
        fields = ["center", "bank_bin", "account_number", "account_name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["bank_bin"]).choices = bank_choices()


@admin.register(CollectionAccount)
class CollectionAccountAdmin(CenterScopedAdmin):
    form = CollectionAccountForm
    personal_data = False
    list_display = ["center", "bank_bin", "account_number", "account_name", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # A center cannot point another center's QR at its account, nor move its own row.
        if obj is not None and not admin_scope(request).everything:
            return ["center"]
        return []


@admin.register(Payment)
class PaymentAdmin(CenterScopedAdmin):
    list_display = ["receipt_label", "dossier", "amount_vnd", "method", "paid_at", "center"]
    list_filter = ["method", "center"]
    search_fields = ["dossier__code", "transaction_id"]
    list_select_related = ["dossier", "center"]
    readonly_fields = [f.name for f in Payment._meta.fields]

    @admin.display(description=_("số biên lai"))
    def receipt_label(self, obj: Payment) -> str:
        return obj.receipt_label

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserOnlyAdmin):
    list_display = ["received_at", "provider", "transaction_id", "status_code", "outcome"]
    list_filter = ["provider", "outcome"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
