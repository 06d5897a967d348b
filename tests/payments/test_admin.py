"""The collection account in the scoped admin: the center's own administrator or a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.payments.models import CollectionAccount

pytestmark = pytest.mark.django_db


def change_url(account):
    return reverse("admin:payments_collectionaccount_change", args=[account.pk])


def form(center, **overrides):
    data = {
        "center": center.pk,
        "bank_bin": "970418",
        "account_number": "21510001234567",
        "account_name": "UBND XA HIEN LUONG",
        "is_active": "on",
    }
    data.update(overrides)
    return data


class TestCenterAdministrator:
    def test_changes_their_own_account(self, client, account, officers):
        client.force_login(officers["center_admin"])
        response = client.post(change_url(account), form(account.center))
        assert response.status_code == 302, response.content.decode()[:2000]
        account.refresh_from_db()
        assert (account.bank_bin, account.account_number) == ("970418", "21510001234567")

    def test_an_unknown_bin_is_refused(self, client, account, officers):
        client.force_login(officers["center_admin"])
        response = client.post(change_url(account), form(account.center, bank_bin="999999"))
        assert response.status_code == 200  # the form again, with the error
        account.refresh_from_db()
        assert account.bank_bin == "970436"

    @pytest.mark.parametrize("number", ["0011 0012", "abc-123", "1" * 20, "12"])
    def test_a_bad_account_number_is_refused(self, client, account, officers, number):
        client.force_login(officers["center_admin"])
        response = client.post(change_url(account), form(account.center, account_number=number))
        assert response.status_code == 200
        account.refresh_from_db()
        assert account.account_number == "0011001234567"

    def test_cannot_add_one_for_another_center(self, client, center, other_center, officers):
        client.force_login(officers["center_admin"])
        add = reverse("admin:payments_collectionaccount_add")
        client.post(add, form(other_center))
        assert not CollectionAccount.objects.filter(center=other_center).exists()
        assert client.post(add, form(center)).status_code == 302
        assert CollectionAccount.objects.filter(center=center).exists()

    @pytest.mark.parametrize("who", ["reception", "specialist", "other_reception"])
    def test_officers_cannot_change_it(self, client, account, officers, who):
        user = officers[who]
        user.is_staff = True
        user.save()
        client.force_login(user)
        client.post(change_url(account), form(account.center))
        account.refresh_from_db()
        assert account.bank_bin == "970436"


def test_a_superuser_changes_any_center(client, account):
    root = get_user_model().objects.create_superuser("root", password="x" * 20)  # noqa: S106
    client.force_login(root)
    assert client.post(change_url(account), form(account.center)).status_code == 302
    account.refresh_from_db()
    assert account.bank_bin == "970418"
