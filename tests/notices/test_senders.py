"""Senders behind one interface; the HTTP gateways through a fake transport (no network)."""

from __future__ import annotations

import json

import pytest

from motcua.notices.models import mask_recipient
from motcua.notices.senders import (
    EmailSender,
    Sender,
    SendError,
    SmsSender,
    ZaloSender,
    configured_senders,
    international_phone,
)


class FakeTransport:
    def __init__(self, status=200, error: Exception | None = None):
        self.status, self.error, self.calls = status, error, []

    def __call__(self, url, data, headers, timeout):
        self.calls.append((url, json.loads(data.decode("utf-8")), headers, timeout))
        if self.error is not None:
            raise self.error
        return self.status, b'{"to": "84912345678", "error": "busy"}'


class TestHttpSenders:
    def test_sms_posts_json_with_token(self, settings):
        settings.NOTICE_SMS_URL = "https://sms.example.vn/api/send"
        settings.NOTICE_SMS_TOKEN = "t0ken"
        transport = FakeTransport()
        SmsSender(transport).send("0912 345 678", "Tiêu đề", "Hồ sơ đã có kết quả.")
        url, payload, headers, timeout = transport.calls[0]
        assert url == "https://sms.example.vn/api/send"
        assert payload == {"to": "84912345678", "text": "Hồ sơ đã có kết quả."}
        assert headers["Authorization"] == "Bearer t0ken"
        assert timeout == 10

    def test_zalo_payload(self):
        transport = FakeTransport()
        ZaloSender(transport, url="https://zalo.example.vn/zns", token="").send(
            "+84912345678", "", "Xin chào"
        )
        _, payload, headers, _ = transport.calls[0]
        assert payload == {"phone": "84912345678", "text": "Xin chào"}
        assert "Authorization" not in headers

    def test_gateway_error_status_without_personal_data(self):
        transport = FakeTransport(status=503)
        with pytest.raises(SendError) as caught:
            SmsSender(transport, url="https://sms.example.vn", token="x").send(
                "0912345678", "", "x"
            )
        assert str(caught.value) == "Cổng SMS trả lời HTTP 503."

    def test_network_error(self):
        transport = FakeTransport(error=TimeoutError("timed out sending to 0912345678"))
        with pytest.raises(SendError) as caught:
            SmsSender(transport, url="https://sms.example.vn", token="x").send(
                "0912345678", "", "x"
            )
        assert "0912345678" not in str(caught.value) and "TimeoutError" in str(caught.value)

    def test_disabled_without_url_and_never_calls_out(self, settings):
        settings.NOTICE_SMS_URL = ""
        transport = FakeTransport()
        sender = SmsSender(transport)
        assert not sender.enabled
        with pytest.raises(SendError):
            sender.send("0912345678", "", "x")
        assert transport.calls == []


class TestConfiguredSenders:
    def test_only_enabled_senders(self, settings):
        settings.NOTICE_SENDERS = {
            "email": "motcua.notices.senders.EmailSender",
            "sms": "motcua.notices.senders.SmsSender",
            "zalo": "motcua.notices.senders.ZaloSender",
        }
        settings.NOTICE_SMS_URL = "https://sms.example.vn"
        settings.NOTICE_ZALO_URL = ""
        senders = configured_senders()
        assert sorted(senders) == ["email", "sms"]
        assert all(isinstance(s, Sender) for s in senders.values())

    def test_email_sender_uses_django_mail(self, settings, mailoutbox):
        settings.DEFAULT_FROM_EMAIL = "motcua@example.vn"
        EmailSender().send("tuyet@example.vn", "Hồ sơ đã có kết quả", "Kính gửi ông/bà")
        assert mailoutbox[0].to == ["tuyet@example.vn"]
        assert mailoutbox[0].from_email == "motcua@example.vn"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("0912345678", "09******78"),
        ("+84912345678", "+8********78"),
        ("tuyet@example.vn", "tu***@example.vn"),
        ("a@b.vn", "a*@b.vn"),
        ("123", "***"),
    ],
)
def test_mask_recipient(value, masked):
    assert mask_recipient(value) == masked


def test_international_phone():
    assert international_phone("0912.345.678") == "84912345678"
    assert international_phone("84912345678") == "84912345678"
