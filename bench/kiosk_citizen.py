"""The kiosk citizen both HTTP benches play (http_load.py, kiosk_http_load.py): a mother
registering her baby's birth (1.001193) with a chip ID card, fictitious as in tests/kiosk."""

BIRTH = "1.001193"
# A real-format QR payload of a chip ID card.
QR_PAYLOAD = (
    "025190012345|123456789|Nguyễn Thị Lan|15031990|Nữ|Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ|20042021"
)
# The birth e-form's answers (the pledge box is ticked by each bench where its form has it).
BIRTH_ANSWERS = {
    "requester_relationship": "Mẹ",
    "requester_phone": "0912 345 678",
    "child_full_name": "Nguyễn Minh An",
    "child_birth_date": "10/11/2026",
    "child_ethnicity": "Kinh",
    "child_nationality": "Việt Nam",
    "child_birth_place": "Trạm Y tế xã Hiền Lương, tỉnh Phú Thọ",
    "child_hometown": "Phú Thọ",
    "mother_full_name": "Nguyễn Thị Lan",
    "mother_birth_date": "15/03/1990",
    "mother_ethnicity": "Kinh",
    "mother_nationality": "Việt Nam",
    "mother_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
    "mother_id_number": "025190012345",
}
