"""KPI dashboards over HTTP: who sees what, figures equal to the engine's in Vietnamese formats,
the period, and the Excel and PDF exports.

Two centers of Tỉnh Phú Thọ and one of Tỉnh Lâm Đồng. The first receives four dossiers on
Monday 7 July 2025 (3 working days, due Thursday 10 July 09:05): one finished early and paid
online, one on time and rated "không hài lòng", one late, one online and still open (overdue
when judged at the end of July). The clock says 15 August 2025.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from lxml import html
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.centers.models import Center, Unit
from motcua.dossiers.settlement import record_payment, record_rating
from motcua.reports import kpi, views
from motcua.reports.templatetags.vi_numbers import vi_number, vi_percent
from tests.backoffice.conftest import PASSWORD, Clock, make_officer
from tests.dossiers.conftest import make_center, submit, vn
from tests.dossiers.test_actions import act

pytestmark = pytest.mark.django_db

JULY = (date(2025, 7, 1), date(2025, 7, 31))
PERIOD = {"tu": "01/07/2025", "den": "31/07/2025"}
CENTER_URL = "/can-bo/bao-cao/"
PROVINCE_URL = "/can-bo/bao-cao/tinh/"
TITLE = "Báo cáo tình hình tiếp nhận, giải quyết TTHC"


def url(base: str, **params: str) -> str:
    return f"{base}?{urlencode({**PERIOD, **params})}"


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    frozen = Clock(vn(2025, 8, 15, 9, 0))
    monkeypatch.setattr(views, "clock", frozen)
    return frozen


@pytest.fixture
def world(procedure):
    return build_world(procedure)


def build_world(procedure) -> dict:
    """Centers, officers and the July dossiers described in the module docstring."""
    home = make_center()
    neighbour = make_center("000.00.26.H45", commune="Xã Tân Sơn")
    far = Center.objects.create(
        agency_code="000.00.40.H40",
        name="Trung tâm Phục vụ hành chính công xã Lạc Dương",
        commune="Xã Lạc Dương",
        province="Tỉnh Lâm Đồng",
    )
    unit = Unit.objects.create(center=home, code="tp-ht", name="Tư pháp – Hộ tịch")
    minh = make_officer(
        "hotich", "specialist", home, unit=unit, first_name="Minh", last_name="Nguyễn Văn"
    )
    thao = make_officer(
        "chuyenvien", "specialist", home, unit=unit, first_name="Thảo", last_name="Đỗ Thị"
    )
    people = {
        "leader": make_officer("lanhdao", "leader", home),
        "reception": make_officer("tiepnhan", "reception", home),
        "specialist": minh,
        "neighbour_leader": make_officer("lanhdao2", "leader", neighbour),
        "province": make_officer("tinh", "provincial_viewer", None, province="Tỉnh Phú Thọ"),
        "far_province": make_officer("tinh2", "provincial_viewer", None, province="Tỉnh Lâm Đồng"),
        "admin": get_user_model().objects.create_superuser("quantri", password=PASSWORD),
        "nobody": get_user_model().objects.create_user("khach", password=PASSWORD),
    }

    def receive(center, key, channel="kiosk", officer=minh):
        dossier, _ = submit(center, procedure, key=key, now=vn(2025, 7, 7, 9, 5), channel=channel)
        if channel == "online":
            # An online dossier starts "Mới đăng ký": reception accepts it first (issue 13).
            act(dossier, "accept", "reception", at=vn(2025, 7, 7, 9, 30))
        unit_id = unit.pk if center == home else None
        data = {"user_id": officer.pk} if center == home else {}
        if unit_id:
            data["unit_id"] = unit_id
        if not data:
            Unit.objects.get_or_create(center=center, code="u", name="Đơn vị")
            data["unit_id"] = Unit.objects.get(center=center, code="u").pk
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), **data)
        return dossier

    early = receive(home, "a")
    on_time = receive(home, "b")
    late = receive(home, "c", officer=thao)
    receive(home, "d", channel="online", officer=thao)
    act(early, "mark_result_ready", "specialist", at=vn(2025, 7, 8, 9, 5))
    act(on_time, "mark_result_ready", "specialist", at=vn(2025, 7, 10, 9, 5))
    act(late, "mark_result_ready", "specialist", at=vn(2025, 7, 10, 9, 6))
    record_payment(
        early.pk, method="online_national", amount_vnd=15000, actor="user:1", at=vn(2025, 7, 8, 10)
    )
    record_payment(
        on_time.pk, method="cash", amount_vnd=15000, actor="user:1", at=vn(2025, 7, 10, 10)
    )
    record_rating(early.pk, rating="very_satisfied", actor="citizen", at=vn(2025, 7, 9, 8))
    record_rating(on_time.pk, rating="dissatisfied", actor="citizen", at=vn(2025, 7, 11, 8))
    fast = receive(neighbour, "e", channel="online")
    act(fast, "mark_result_ready", "specialist", at=vn(2025, 7, 7, 15, 0))
    receive(far, "f")
    return {"home": home, "neighbour": neighbour, "far": far, **people}


def login(client, user):
    client.force_login(user)
    return client


def page(response) -> html.HtmlElement:
    return html.fromstring(response.content.decode())


def figure(doc, key: str) -> str:
    return doc.xpath(f'//*[@data-figure="{key}"]')[0].text_content().strip()


def row_cells(doc, table: str, key: str) -> list[str]:
    row = doc.xpath(f'//div[@data-table="{table}"]//tbody/tr[@data-key="{key}"]')[0]
    return [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]


def center_report(center) -> kpi.KpiReport:
    return kpi.compute(*JULY, slice=kpi.Slice(center=center.agency_code), now=views.clock())


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


class TestAccess:
    def test_anonymous_goes_to_the_officer_login(self, client, world):
        response = client.get(url(CENTER_URL))
        assert response.status_code == 302
        assert response["Location"].startswith("/can-bo/dang-nhap/?next=")
        for path in (PROVINCE_URL, "/can-bo/bao-cao/xlsx", "/can-bo/bao-cao/bao-cao.pdf"):
            assert client.get(path).status_code == 302

    def test_an_account_without_a_role_is_refused_in_vietnamese(self, client, world):
        response = login(client, world["nobody"]).get(CENTER_URL)
        assert response.status_code == 403
        assert "chưa được phân công" in response.content.decode()

    @pytest.mark.parametrize("who", ["leader", "reception", "specialist"])
    def test_every_member_of_the_center_sees_its_dashboard_with_the_officers(
        self, client, world, who
    ):
        response = login(client, world[who]).get(url(CENTER_URL))
        assert response.status_code == 200
        doc = page(response)
        assert world["home"].name in doc.xpath("//h1")[0].text_content()
        officers = doc.xpath('//div[@data-table="theo-can-bo"]//tbody/tr/th')
        assert {o.text_content().strip() for o in officers} == {"Nguyễn Văn Minh", "Đỗ Thị Thảo"}

    def test_another_centers_dashboard_is_not_found(self, client, world):
        client = login(client, world["leader"])
        for code in (world["neighbour"].agency_code, "000.00.99.H99"):
            assert client.get(url(CENTER_URL, **{"trung-tam": code})).status_code == 404
            assert client.get(url(CENTER_URL + "xlsx", **{"trung-tam": code})).status_code == 404

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("trung-tam", "\x00"),
            ("trung-tam", "a\x00b"),
            ("trung-tam", "a\x1fb"),
            ("trung-tam", "A" * 41),
            ("tinh", "\x00"),
            ("tinh", "Tỉnh\x00Phú Thọ"),
            ("tinh", "\u200b"),
            ("tinh", "A" * 201),
        ],
    )
    def test_a_code_no_center_can_have_is_not_found_without_asking_the_database(
        self, client, world, name, value
    ):
        """A NUL byte reached PostgreSQL and gave a 500 (DataError): such text never reaches
        a query."""
        from django.db import connection

        sent: list = []

        def spy(execute, sql, params, many, context):
            sent.extend(params or ())
            return execute(sql, params, many, context)

        users = ("leader", "province") if name == "trung-tam" else ("province",)
        base = CENTER_URL if name == "trung-tam" else PROVINCE_URL
        for who in users:
            client = login(client, world[who])
            for path in (base, base + "xlsx", base + "bao-cao.pdf"):
                with connection.execute_wrapper(spy):
                    response = client.get(path, {**PERIOD, name: value})
                assert response.status_code == 404
                assert not [p for p in sent if isinstance(p, str) and value in p]

    @pytest.mark.parametrize(
        ("params", "reason"),
        [
            ({"bang": "x"}, "Bảng “x” không có"),
            ({"tu": "01/01/1999"}, "01/01/2000"),
        ],
    )
    def test_a_bad_export_parameter_is_a_400_page_that_says_why(
        self, client, world, params, reason
    ):
        client = login(client, world["province"])
        response = client.get(PROVINCE_URL + "xlsx", params)
        assert response.status_code == 400
        content = page(response).text_content()
        assert "Lỗi 400" in content and "yêu cầu không hợp lệ" in content
        assert "403" not in content and "không có quyền" not in content
        assert reason in content

    def test_center_staff_do_not_get_the_province_page(self, client, world):
        response = login(client, world["leader"]).get(url(PROVINCE_URL))
        assert response.status_code == 403
        assert "cán bộ tỉnh" in response.content.decode()

    def test_provincial_viewer_sees_their_province_only(self, client, world):
        client = login(client, world["province"])
        response = client.get(url(PROVINCE_URL))
        assert response.status_code == 200
        doc = page(response)
        assert doc.xpath("//h1")[0].text_content().strip() == "Tỉnh Phú Thọ"
        ranked = doc.xpath('//div[@data-table="xep-hang"]//tbody/tr/@data-key')
        assert sorted(ranked) == sorted([world["home"].agency_code, world["neighbour"].agency_code])
        assert world["far"].commune not in response.content.decode()
        assert client.get(url(PROVINCE_URL, tinh="Tỉnh Lâm Đồng")).status_code == 404

    def test_provincial_viewer_opens_a_commune_of_their_province_without_officer_names(
        self, client, world
    ):
        client = login(client, world["province"])
        home = world["home"].agency_code
        response = client.get(url(CENTER_URL, **{"trung-tam": home}))
        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-table="theo-can-bo"' not in content
        assert "Nguyễn Văn Minh" not in content
        far = world["far"].agency_code
        assert client.get(url(CENTER_URL, **{"trung-tam": far})).status_code == 404
        # Without a center: the province page.
        response = client.get(url(CENTER_URL))
        assert response.status_code == 302 and response["Location"].startswith(PROVINCE_URL)
        # No officer sheet in the exports either.
        response = client.get(url(CENTER_URL + "xlsx", bang="theo-can-bo", **{"trung-tam": home}))
        assert response.status_code == 400

    def test_superuser_who_is_also_center_staff_may_open_another_center(self, client, world):
        from django.contrib.auth import get_user_model as users

        leader = world["leader"]
        users().objects.filter(pk=leader.pk).update(is_superuser=True)
        client = login(client, leader)
        far = world["far"].agency_code
        response = client.get(url(CENTER_URL, **{"trung-tam": far}))
        assert response.status_code == 200
        assert 'data-table="theo-can-bo"' not in response.content.decode()
        assert 'data-table="theo-can-bo"' in client.get(url(CENTER_URL)).content.decode()

    def test_superuser_picks_any_province(self, client, world):
        client = login(client, world["admin"])
        response = client.get(url(PROVINCE_URL, tinh="Tỉnh Lâm Đồng"))
        assert response.status_code == 200
        doc = page(response)
        assert doc.xpath("//h1")[0].text_content().strip() == "Tỉnh Lâm Đồng"
        options = doc.xpath('//select[@name="tinh"]/option/@value')
        assert options == ["Tỉnh Lâm Đồng", "Tỉnh Phú Thọ"]
        assert client.get(url(PROVINCE_URL, tinh="Tỉnh Không Có")).status_code == 404
        far = world["far"].agency_code
        assert client.get(url(CENTER_URL, **{"trung-tam": far})).status_code == 200


class TestFigures:
    def test_headline_and_indices_equal_the_engine(self, client, world):
        response = login(client, world["leader"]).get(url(CENTER_URL))
        doc = page(response)
        report = center_report(world["home"])
        assert report.received == 4 and report.resolved == 3  # the scenario, as a sanity check
        assert figure(doc, "received") == vi_number(report.received)
        assert figure(doc, "resolved") == vi_number(report.resolved)
        assert figure(doc, "overdue") == vi_number(report.in_progress_overdue)
        assert figure(doc, "on_time") == vi_percent(report.indices["2.1"].rate) == "50%"
        assert figure(doc, "online") == vi_percent(report.indices["3.3"].rate) == "25%"
        assert figure(doc, "score") == vi_number(report.score.total, 2)
        assert "," in figure(doc, "score")
        for code, index in report.indices.items():
            cells = row_cells(doc, "chi-so", code)
            assert cells[0] == code and cells[1] == index.name
            assert cells[4] == vi_percent(index.rate)
            assert cells[5] == vi_percent(index.target)
            if index.missed_target:
                assert cells[7] == "✗ Chưa đạt"  # a mark in words, not colour only
            elif index.target is not None and index.rate is not None:
                assert cells[7] == "✓ Đạt"
        # The full-score thresholds: QĐ 766's where published, else the 100% the score uses.
        assert row_cells(doc, "chi-so", "3.3")[6] == "50%"
        assert row_cells(doc, "chi-so", "4.2")[6] == "80%"
        assert row_cells(doc, "chi-so", "2.1")[6] == "100%"
        # 3.6: the three counter dossiers bear the 15.000 đ fee; one was paid online.
        assert row_cells(doc, "chi-so", "3.6")[2:5] == ["1", "3", "33,33%"]

    def test_the_commune_rank_in_the_province(self, client, world):
        doc = page(login(client, world["leader"]).get(url(CENTER_URL)))
        ranking = kpi.ranking("Tỉnh Phú Thọ", *JULY, now=views.clock())
        mine = next(r for r in ranking if r.center_code == world["home"].agency_code)
        assert figure(doc, "rank") == f"{mine.rank}/{len(ranking)}" == "2/2"

    def test_months_fields_and_officers_equal_the_engine(self, client, world):
        doc = page(login(client, world["leader"]).get(url(CENTER_URL)))
        scope = kpi.Slice(center=world["home"].agency_code)
        now = views.clock()
        (july,) = kpi.breakdown(*JULY, "month", slice=scope, now=now)
        cells = row_cells(doc, "theo-thang", july.key)
        assert cells[0] == "Tháng 7/2025"
        assert cells[1:8] == [
            vi_number(v)
            for v in (
                july.report.received,
                july.report.resolved,
                july.report.resolved_early,
                july.report.resolved_on_time,
                july.report.resolved_late,
                july.report.in_progress_within_time,
                july.report.in_progress_overdue,
            )
        ]
        assert cells[8] == vi_percent(july.report.indices["2.1"].rate)
        for row in kpi.breakdown(*JULY, "officer", slice=scope, now=now):
            cells = row_cells(doc, "theo-can-bo", row.key)
            assert cells[0] == row.label and cells[1] == vi_number(row.report.received)
        (sector,) = kpi.breakdown(*JULY, "sector", slice=scope, now=now)
        assert row_cells(doc, "theo-linh-vuc", sector.key)[:2] == [sector.label, "4"]

    def test_province_ranking_equals_the_engine(self, client, world):
        doc = page(login(client, world["province"]).get(url(PROVINCE_URL)))
        report = kpi.compute(*JULY, slice=kpi.Slice(province="Tỉnh Phú Thọ"), now=views.clock())
        assert figure(doc, "received") == vi_number(report.received) == "5"
        for row in kpi.ranking("Tỉnh Phú Thọ", *JULY, now=views.clock()):
            cells = row_cells(doc, "xep-hang", row.center_code)
            assert cells[:5] == [
                str(row.rank),
                row.commune,
                vi_number(row.score.total, 2),
                vi_number(row.report.received),
                vi_percent(row.report.indices["2.1"].rate),
            ]
        assert not doc.xpath('//*[@data-figure="rank"]')

    def test_charts_are_inline_svg(self, client, world):
        doc = page(login(client, world["leader"]).get(url(CENTER_URL)))
        for name in ("received", "rates", "timeliness", "shares", "sectors", "officers"):
            (chart,) = doc.xpath(f'//figure[@data-chart="{name}"]')
            assert chart.xpath(".//*[local-name()='svg']"), name
        received = doc.xpath('//figure[@data-chart="received"]//*[@class="bar"]')
        assert [b.get("data-value") for b in received] == ["4"]


class TestEmptyPeriod:
    def test_no_dossiers_gives_zeros_dashes_and_empty_charts(self, client, world):
        client = login(client, world["leader"])
        empty = {"tu": "01/01/2025", "den": "31/01/2025"}
        doc = page(client.get(f"{CENTER_URL}?{urlencode(empty)}"))
        assert figure(doc, "received") == "0"
        assert figure(doc, "on_time") == "—"  # 0/0 is not applicable, never 0%
        assert figure(doc, "score") == "—"
        assert row_cells(doc, "chi-so", "2.1")[7] == "— Chưa có số liệu"
        assert "Chưa có số liệu trong kỳ báo cáo." in doc.text_content()
        assert doc.xpath('//div[@data-table="theo-thang"]//td[@class="rp-empty"]')
        text = pdf_text(client.get(f"{CENTER_URL}bao-cao.pdf?{urlencode(empty)}"))
        assert "Hồ sơ tiếp nhận: 0" in text
        book = workbook(client.get(f"{CENTER_URL}xlsx?{urlencode(empty)}"))
        assert book["Chỉ số QĐ 766"]["E5"].value == "—"


class TestLinks:
    def test_every_table_links_to_its_excel_file_for_the_same_period(self, client, world):
        client = login(client, world["province"])
        home = world["home"].agency_code
        doc = page(client.get(url(CENTER_URL, **{"trung-tam": home})))
        links = doc.xpath('//div[@data-table]//a[@class="rp-xlsx"]/@href')
        assert len(links) == len(doc.xpath("//div[@data-table]")) == 5
        for link in links:
            assert link.startswith("/can-bo/bao-cao/xlsx?bang=")
            assert f"trung-tam={home}" in link and "tu=01%2F07%2F2025" in link
            assert client.get(link).status_code == 200
        pdf = doc.xpath('//a[@data-download="pdf"]/@href')[0]
        assert client.get(pdf).content.startswith(b"%PDF")


class TestPeriod:
    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"tu": "32/07/2025"}, "Ngày bắt đầu “32/07/2025” không hợp lệ"),
            ({"den": "hôm qua"}, "Ngày kết thúc “hôm qua” không hợp lệ"),
            ({"tu": "31/07/2025", "den": "01/07/2025"}, "phải không trước ngày bắt đầu"),
            ({"tu": "01/01/2020", "den": "31/07/2025"}, "dài nhất 3 năm"),
            ({"ky": "the-ky"}, "Kỳ báo cáo không hợp lệ"),
            ({"tu": "30/12/9999", "den": "31/12/9999"}, "từ 01/01/2000 đến 31/12/2026"),
        ],
    )
    def test_a_bad_period_is_a_vietnamese_message(self, client, world, params, message):
        client = login(client, world["leader"])
        response = client.get(f"{CENTER_URL}?{urlencode(params)}")
        assert response.status_code == 400
        assert message in response.content.decode()
        for export in ("xlsx", "bao-cao.pdf"):
            response = client.get(f"{CENTER_URL}{export}?{urlencode(params)}")
            assert response.status_code == 400 and message in response.content.decode()

    def test_iso_and_vietnamese_dates_give_the_same_page(self, client, world):
        client = login(client, world["leader"])
        iso = page(client.get(f"{CENTER_URL}?tu=2025-07-01&den=2025-07-31"))
        vietnamese = page(client.get(f"{CENTER_URL}?tu=01-07-2025&den=31.07.2025"))
        assert figure(iso, "received") == figure(vietnamese, "received") == "4"

    def test_default_is_this_year_to_today(self, client, world):
        doc = page(login(client, world["leader"]).get(CENTER_URL))
        assert "Từ ngày 01/01/2025 đến ngày 15/08/2025" in doc.text_content()
        assert figure(doc, "received") == "4"

    def test_presets(self):
        today = date(2025, 8, 15)
        parse = views.parse_period
        assert parse({"ky": "thang"}, today) == views.Period(date(2025, 8, 1), today, "thang")
        assert parse({"ky": "thang-truoc"}, today) == views.Period(
            date(2025, 7, 1), date(2025, 7, 31), "thang-truoc"
        )
        assert parse({"ky": "quy"}, today).date_from == date(2025, 7, 1)
        assert parse({"ky": "nam"}, today).date_from == date(2025, 1, 1)
        # Typed dates that match a preset are shown as that preset.
        assert parse({"tu": "01/08/2025", "den": "15/08/2025"}, today).preset == "thang"


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


class TestExcel:
    def test_indices_sheet_headers_values_and_formats(self, client, world):
        response = login(client, world["leader"]).get(url(CENTER_URL + "xlsx", bang="chi-so"))
        assert "attachment" in response["Content-Disposition"]
        book = workbook(response)
        (sheet,) = book.worksheets
        headers = [c.value for c in sheet[4]]
        assert headers[:8] == [
            "Mã",
            "Chỉ số",
            "Tử số",
            "Mẫu số",
            "Tỷ lệ",
            "Mục tiêu",
            "Mức đạt điểm tối đa",
            "Đánh giá",
        ]
        assert all(c.font.b for c in sheet[4])
        assert sheet.freeze_panes == "B5"
        assert TITLE in sheet["A1"].value
        assert "Từ ngày 01/07/2025 đến ngày 31/07/2025" in sheet["A2"].value
        report = center_report(world["home"])
        rows = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
        on_time = rows["2.1"]
        assert (on_time[2].value, on_time[3].value) == (
            report.indices["2.1"].numerator,
            report.indices["2.1"].denominator,
        )
        # Percentages are numbers (fractions) shown with a percent format, not text.
        assert on_time[4].value == round(report.indices["2.1"].rate / 100, 6) == 0.5
        assert on_time[4].number_format == "0.00%"
        assert on_time[2].number_format == "#,##0"
        assert on_time[7].value == "✗ Chưa đạt"

    def test_every_table_in_one_workbook(self, client, world):
        book = workbook(login(client, world["leader"]).get(url(CENTER_URL + "xlsx")))
        assert [s.title for s in book.worksheets] == [
            "Tổng hợp",
            "Chỉ số QĐ 766",
            "Điểm QĐ 766",
            "Theo tháng",
            "Theo lĩnh vực",
            "Theo cán bộ",
        ]
        summary = book["Tổng hợp"]
        values = {r[0].value: r[1].value for r in summary.iter_rows(min_row=5) if r[0].value}
        assert values["Hồ sơ tiếp nhận"] == 4
        assert values["Hồ sơ nộp trực tuyến"] == 1
        officers = book["Theo cán bộ"]
        assert {r[0].value for r in officers.iter_rows(min_row=5, max_col=1) if r[0].value} >= {
            "Nguyễn Văn Minh",
            "Đỗ Thị Thảo",
        }

    def test_province_ranking_sheet(self, client, world):
        response = login(client, world["province"]).get(url(PROVINCE_URL + "xlsx", bang="xep-hang"))
        (sheet,) = workbook(response).worksheets
        assert [c.value for c in sheet[4]][:4] == ["Hạng", "Xã, phường", "Trung tâm", "Điểm 766"]
        ranking = kpi.ranking("Tỉnh Phú Thọ", *JULY, now=views.clock())
        got = [(r[0].value, r[1].value, r[3].value) for r in sheet.iter_rows(min_row=5, max_row=6)]
        assert got == [(r.rank, r.commune, r.score.total) for r in ranking]

    def test_unknown_table_is_a_vietnamese_message(self, client, world):
        response = login(client, world["leader"]).get(url(CENTER_URL + "xlsx", bang="luong"))
        assert response.status_code == 400
        assert "Bảng “luong” không có" in response.content.decode()


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return plain(" ".join(p.extract_text() for p in reader.pages))


class TestPdf:
    def test_center_report_has_the_title_and_the_headline_figures(self, client, world):
        text = pdf_text(login(client, world["leader"]).get(url(CENTER_URL + "bao-cao.pdf")))
        report = center_report(world["home"])
        assert TITLE in text
        assert "Từ ngày 01/07/2025 đến ngày 31/07/2025" in text
        assert f"Hồ sơ tiếp nhận: {vi_number(report.received)}" in text
        assert (
            f"Tỷ lệ giải quyết trước hạn, đúng hạn: {vi_percent(report.indices['2.1'].rate)}"
            in text
        )
        assert f"Điểm đánh giá theo QĐ 766/QĐ-TTg: {vi_number(report.score.total, 2)}/100" in text
        assert "Xếp hạng trong Tỉnh Phú Thọ: 2/2" in text
        # Aggregates only: no officer names leave the center in the report.
        assert "Nguyễn Văn Minh" not in text and "Đỗ Thị Thảo" not in text

    def test_province_report_lists_the_ranking(self, client, world):
        text = pdf_text(login(client, world["province"]).get(url(PROVINCE_URL + "bao-cao.pdf")))
        assert TITLE in text and "Tỉnh Phú Thọ" in text
        assert "Xã Hiền Lương" in text and "Xã Tân Sơn" in text
        assert "Xã Lạc Dương" not in text
        assert re.search(r"Hồ sơ tiếp nhận: 5\b", text)


class TestEngineCalls:
    """The page asks the engine a fixed number of times, whatever the number of dossiers: the
    province-year dashboard must stay under a second on a million dossiers."""

    @pytest.fixture
    def calls(self, monkeypatch) -> dict[str, int]:
        counted: dict[str, int] = {}
        for name in ("compute", "breakdown", "ranking"):
            real = getattr(kpi, name)

            def wrapper(*args, _real=real, _name=name, **kwargs):
                key = f"{_name}:{args[2]}" if _name == "breakdown" else _name
                counted[key] = counted.get(key, 0) + 1
                return _real(*args, **kwargs)

            monkeypatch.setattr(kpi, name, wrapper)
        return counted

    def test_center_page(self, client, world, calls):
        assert login(client, world["leader"]).get(url(CENTER_URL)).status_code == 200
        assert calls == {
            "compute": 1,
            "breakdown:month": 1,
            "breakdown:sector": 1,
            "breakdown:officer": 1,
            "ranking": 1,
        }

    def test_province_page(self, client, world, calls):
        assert login(client, world["province"]).get(url(PROVINCE_URL)).status_code == 200
        assert calls == {"compute": 1, "breakdown:month": 1, "breakdown:sector": 1, "ranking": 1}

    def test_queries_do_not_grow_with_the_dossiers(self, client, world, procedure):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(client, world["leader"])
        with CaptureQueriesContext(connection) as before:
            client.get(url(CENTER_URL))
        for n in range(5):
            submit(world["home"], procedure, key=f"more-{n}", now=vn(2025, 7, 8, 9, 0))
        with CaptureQueriesContext(connection) as after:
            response = client.get(url(CENTER_URL))
        assert figure(page(response), "received") == "9"
        assert len(after.captured_queries) == len(before.captured_queries)


class TestBreakdownBars:
    def test_ten_largest_rows_and_the_rest_summed(self):
        from types import SimpleNamespace

        def row(n: int):
            report = SimpleNamespace(received=n, indices={})
            return SimpleNamespace(key=str(n), label=f"Lĩnh vực {n}", report=report)

        bars = views._breakdown_bars([row(n) for n in range(1, 14)])
        assert [b.value for b in bars[:10]] == list(range(13, 3, -1))
        assert (bars[10].label, bars[10].value) == ("3 mục khác", 1 + 2 + 3)
        assert len(views._breakdown_bars([row(1), row(2)])) == 2
