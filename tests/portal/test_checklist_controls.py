"""The checklist on a phone: the camera-or-file button in Vietnamese, and a paper taken from
the citizen's store that satisfies its row (shown as such, never asked again, undoable)."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from motcua.dossiers import documents as store
from motcua.dossiers.models import CitizenDocument, Dossier

from .conftest import CITIZEN_ID, birth_answers, jpeg, photo
from .test_submit_online import fields, paper_field, start_draft, submit_key

pytestmark = pytest.mark.django_db


def stored_birth_paper() -> CitizenDocument:
    content = jpeg((50, 40))
    name = default_storage.save("kho-du-lieu/giay-chung-sinh.jpg", ContentFile(content))
    return CitizenDocument.objects.create(
        owner_id_number=CITIZEN_ID,
        document_type=store.document_type_key("Giấy chứng sinh"),
        name="Giấy chứng sinh",
        file=name,
        content_type="image/jpeg",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )


def row_html(html: str, pk: int) -> str:
    """The checklist row (its fieldset) holding this paper's token."""
    for row in re.findall(r'<fieldset class="ef-field ef-document.*?</fieldset>', html, re.S):
        if f"doc_{pk}_token" in row:
            return row
    raise AssertionError(f"no row for {pk}")


class TestFileButton:
    def test_the_portal_shows_a_vietnamese_button_for_the_hidden_input(self, lan):
        draft = start_draft(lan)
        html = lan.get(f"/cong-dan/ban-nhap/{draft}/").content.decode()
        name = paper_field(fields(lan, draft))
        field_id = f"id_{name}"
        # The real input stays (accessible, focusable), named by the button-like label.
        assert re.search(
            rf'<input type="file" name="{name}" accept="image/\*,application/pdf"'
            rf'[^>]*class="ef-file-input"[^>]*id="{field_id}"',
            html,
        ), html
        assert f'<label class="ef-file-button" for="{field_id}">Chụp ảnh hoặc chọn tệp</label>' in (
            html
        )
        assert 'data-chosen="Đã chọn: %(name)s"' in html
        assert "capture" not in html  # the phone offers the camera and its files
        assert "/static/eforms/file-name.js" in html

    def test_the_kiosk_and_counter_wording_keep_the_browsers_control(self):
        from motcua.eforms.rendering import CITIZEN, OFFICER, _file_attrs

        for wording in (CITIZEN, OFFICER):
            assert not wording.file_button
            assert "class" not in _file_attrs(wording, "help")

    def test_a_kept_upload_is_named_after_the_round_trip(self, lan):
        draft = start_draft(lan)
        name = paper_field(fields(lan, draft))
        lan.post(
            f"/cong-dan/ban-nhap/{draft}/",
            {name: photo("anh-giay-chung-sinh.jpg"), "action": "save"},
        )
        html = lan.get(f"/cong-dan/ban-nhap/{draft}/").content.decode()
        assert "Đã nhận tệp “anh-giay-chung-sinh.jpg”" in html


class TestStoredPaperSatisfiesItsRow:
    def test_offered_in_its_own_row_with_a_way_to_decline(self, lan, known_citizen):
        paper = stored_birth_paper()
        draft = start_draft(lan)
        pk = int(paper_field(fields(lan, draft)).split("_")[1])
        row = row_html(lan.get(f"/cong-dan/ban-nhap/{draft}/").content.decode(), pk)
        assert f'name="reuse_{pk}" value="{paper.pk}"' in row
        assert "Không dùng: nộp bản giấy hoặc tải lên" in row
        # Before the choice is sent, the upload and the paper box are still there (CSS hides
        # them once a stored paper is picked).
        assert 'class="ef-provide"' in row

    def test_once_chosen_the_row_asks_for_nothing_else_and_review_says_reused(
        self, lan, known_citizen
    ):
        paper = stored_birth_paper()
        draft = start_draft(lan)
        form = fields(lan, draft)
        pk = int(paper_field(form).split("_")[1])
        data = birth_answers(form.fields, **{f"reuse_{pk}": str(paper.pk), "action": "save"})
        assert lan.post(f"/cong-dan/ban-nhap/{draft}/", data).status_code == 200
        row = row_html(lan.get(f"/cong-dan/ban-nhap/{draft}/").content.decode(), pk)
        assert "Đã có: dùng “Giấy chứng sinh (" in row
        assert f'name="doc_{pk}_file"' not in row
        assert f'name="doc_{pk}_paper"' not in row
        assert f'value="undo_reuse_{pk}"' in row
        review = lan.get(f"/cong-dan/ban-nhap/{draft}/xac-nhan/").content.decode()
        assert 'Giấy chứng sinh <span class="p-reused">(dùng lại từ kho giấy tờ của bạn)' in (
            review
        )
        # Submitting from the satisfied row records the reuse (the KPI 4.3 path).
        lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": submit_key(lan, draft)})
        component = Dossier.objects.get(channel="online").documents.get(name="Giấy chứng sinh")
        assert component.reused_from_id == paper.pk

    def test_undo_asks_again_and_nothing_is_reused(self, lan, known_citizen):
        paper = stored_birth_paper()
        draft = start_draft(lan)
        form = fields(lan, draft)
        pk = int(paper_field(form).split("_")[1])
        data = birth_answers(form.fields, **{f"reuse_{pk}": str(paper.pk), "action": "save"})
        lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
        saved = {k: v for k, v in fields(lan, draft).data.items() if k != "csrfmiddlewaretoken"}
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", {**saved, "action": f"undo_reuse_{pk}"})
        assert response.status_code == 200
        row = row_html(response.content.decode(), pk)
        assert "Đã có: dùng" not in row
        assert f'name="doc_{pk}_file"' in row
        form = fields(lan, draft)
        assert not form.data.get(f"doc_{pk}_token")
        assert not form.data.get(f"reuse_{pk}")
        # The required paper is missing again: going on is refused with its message.
        again = {k: v for k, v in form.data.items() if k != "csrfmiddlewaretoken"}
        assert (
            lan.post(f"/cong-dan/ban-nhap/{draft}/", {**again, "action": "next"}).status_code == 400
        )

    def test_an_undo_for_a_row_without_offers_is_ignored(self, lan):
        draft = start_draft(lan)
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", {"action": "undo_reuse_99999"})
        assert response.status_code == 400


def test_a_posted_choice_of_someone_elses_paper_is_never_recorded_as_reused(lan, known_citizen):
    """reuse_<pk> and reuse_<pk>_applied come back from the browser: a row that has no offer
    (or a new upload) is not checked against her store by apply_reuse, so the dossier must not
    record (and point its component at) a paper of another citizen's store, even when the
    upload is byte for byte that paper."""
    from .conftest import OTHER_ID

    theirs = stored_birth_paper()
    CitizenDocument.objects.filter(pk=theirs.pk).update(owner_id_number=OTHER_ID)
    with default_storage.open(theirs.file.name, "rb") as handle:
        same_bytes = handle.read()
    draft = start_draft(lan)
    form = fields(lan, draft)
    name = paper_field(form)
    pk = int(name.split("_")[1])
    data = birth_answers(
        form.fields,
        **{
            name: photo("giay-chung-sinh.jpg", same_bytes),
            f"reuse_{pk}": str(theirs.pk),
            f"reuse_{pk}_applied": f"{theirs.pk}:0123456789abcdef0123456789abcdef",
            "action": "save",
        },
    )
    lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
    lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": submit_key(lan, draft)})
    component = Dossier.objects.get(channel="online").documents.get(name="Giấy chứng sinh")
    assert component.reused_from_id is None
    assert default_storage.exists(component.file.name)


def test_a_stored_paper_that_expired_after_it_was_chosen_is_no_500(lan, known_citizen):
    """Chosen from her store while valid, the draft submitted after its valid_until: the
    dossier is received with the copy she sent (nothing half-saved, never a 500); only the
    reuse is not recorded, since the store no longer vouches for the paper."""
    from datetime import timedelta

    paper = stored_birth_paper()
    draft = start_draft(lan)
    form = fields(lan, draft)
    pk = int(paper_field(form).split("_")[1])
    data = birth_answers(form.fields, **{f"reuse_{pk}": str(paper.pk), "action": "save"})
    lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
    yesterday = timezone.localdate() - timedelta(days=1)
    CitizenDocument.objects.filter(pk=paper.pk).update(valid_until=yesterday)
    response = lan.post(
        f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": submit_key(lan, draft)}
    )
    assert response.status_code == 302
    component = Dossier.objects.get(channel="online").documents.get(name="Giấy chứng sinh")
    assert component.reused_from_id is None
    assert default_storage.exists(component.file.name)
