"""The appointment slip (Mẫu 01) in A5 and on an 80 mm roll: text, fonts, page size and QR."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest
from pypdf import PdfReader

from motcua.dossiers.slip import render_slip_pdf

from .conftest import make_procedure, submit, vn

TRACKING_URL = "https://motcua.example.gov.vn/ho-so/tra-cuu/000.00.25.H45-250707-0001/"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return nfc("\n".join(page.extract_text() for page in reader.pages))


def decode_qr(pdf: bytes, tmp_path) -> list[str]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterize the PDF")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed")
    from PIL import Image

    source = tmp_path / "slip.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    [image_path] = sorted(tmp_path.glob("page*.png"))
    return [result.text for result in zxingcpp.read_barcodes(Image.open(image_path))]


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    return dossier


@pytest.mark.parametrize("layout", ["a5", "receipt80"])
class TestRenderSlipPdf:
    def test_has_the_mau_01_content_with_diacritics(self, dossier, layout):
        text = page_text(render_slip_pdf(dossier, layout=layout, tracking_url=TRACKING_URL))
        flat = " ".join(text.split())
        assert dossier.code in flat
        assert nfc("Nguyễn Thị Ánh Tuyết") in flat
        assert "10/07/2025" in flat
        for phrase in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "UBND XÃ HIỀN LƯƠNG",
            "HÀNH CHÍNH CÔNG",
            "VÀ HẸN TRẢ KẾT QUẢ",
            "Ông/Bà Nguyễn Thị Ánh Tuyết",
            "Thôn Đồng Xuân",
            "0912345678",
            "Thủ tục thử: đăng ký kết hôn",
            "Tờ khai đăng ký kết hôn (01 bản chính)",
            "Giấy xác nhận tình trạng hôn nhân (tệp: xac-nhan.pdf)",
            "01 (bộ)",
            "3 ngày làm việc",
            "09 giờ 05 phút, ngày 07 tháng 07 năm 2025",
            "09 giờ 05 phút, ngày 10 tháng 07 năm 2025",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
        ]:
            assert nfc(phrase) in flat, phrase

    def test_embeds_the_shipped_font(self, dossier, layout):
        reader = PdfReader(
            io.BytesIO(render_slip_pdf(dossier, layout=layout, tracking_url=TRACKING_URL))
        )
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                descriptor = descriptor.get_object()
                assert "/FontFile2" in descriptor, font["/BaseFont"]
                fonts.add(str(font["/BaseFont"]))
        assert fonts == {"/AAAAAA+NotoSans-Regular", "/AAAAAA+NotoSans-Bold"}

    def test_qr_opens_the_tracking_page(self, dossier, layout, tmp_path):
        pdf = render_slip_pdf(dossier, layout=layout, tracking_url=TRACKING_URL)
        assert TRACKING_URL in decode_qr(pdf, tmp_path)

    def test_no_time_limit_says_theo_quy_dinh(self, center, layout):
        proc = make_procedure(code="9.000009", channels=[{"channel": "direct"}])
        dossier, _ = submit(center, proc, key="no-limit")
        text = " ".join(
            page_text(render_slip_pdf(dossier, layout=layout, tracking_url=TRACKING_URL)).split()
        )
        assert "Theo quy định" in text
        assert "theo quy định" in text


class TestPageSize:
    def test_a5(self, dossier):
        reader = PdfReader(
            io.BytesIO(render_slip_pdf(dossier, layout="a5", tracking_url=TRACKING_URL))
        )
        box = reader.pages[0].mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == (419.5, 595.3)
        assert len(reader.pages) == 1

    def test_receipt_is_80_mm_wide_one_page_as_long_as_needed(self, dossier):
        reader = PdfReader(
            io.BytesIO(render_slip_pdf(dossier, layout="receipt80", tracking_url=TRACKING_URL))
        )
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert float(box.width) == pytest.approx(226.77, abs=0.01)
        assert 300 < float(box.height) < 1400

    def test_receipt_grows_with_the_document_list(self, center, procedure):
        from motcua.dossiers.services import SubmittedDocument

        short, _ = submit(center, procedure, key="short")
        many = [
            SubmittedDocument(name=f"Giấy tờ số {i}", provided_on_paper=True) for i in range(12)
        ]
        long, _ = submit(center, procedure, key="long", documents=many)
        heights = [
            float(
                PdfReader(
                    io.BytesIO(render_slip_pdf(d, layout="receipt80", tracking_url=TRACKING_URL))
                )
                .pages[0]
                .mediabox.height
            )
            for d in (short, long)
        ]
        assert heights[1] > heights[0]

    def test_unknown_layout(self, dossier):
        with pytest.raises(ValueError):
            render_slip_pdf(dossier, layout="a4", tracking_url=TRACKING_URL)


class TestNames:
    def test_markup_characters_in_names_are_printed_literally(self, center, procedure):
        from motcua.dossiers.services import Applicant

        dossier, _ = submit(center, procedure, applicant=Applicant(name="Trần <b>An</b> & Cộng sự"))
        text = page_text(render_slip_pdf(dossier, layout="a5", tracking_url=TRACKING_URL))
        assert "Trần <b>An</b> & Cộng sự" in " ".join(text.split())

    def test_decomposed_input_prints_as_precomposed(self, center, procedure):
        from motcua.dossiers.services import Applicant

        decomposed = unicodedata.normalize("NFD", "Phạm Thị Hường")
        dossier, _ = submit(center, procedure, applicant=Applicant(name=decomposed))
        text = page_text(render_slip_pdf(dossier, layout="receipt80", tracking_url=TRACKING_URL))
        assert "Phạm Thị Hường" in text
