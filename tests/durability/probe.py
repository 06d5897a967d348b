"""Run inside a separate motcua installation (subprocess): prepare it, seed it, read it back.

``python -m tests.durability.probe ACTION [ARG]`` prints one JSON object on the last line of
stdout. The tests drive real installations with it: their own var/ directory or PostgreSQL
database, the production settings, no pytest-django test database.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys


def _setup() -> None:
    import django

    django.setup()


def prepare(kiosks: int) -> dict:
    """Migrate, load the catalog and the demo center, register kiosks: their activation codes."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("catalog", "load", stdout=io.StringIO())
    call_command("demo_center", stdout=io.StringIO())
    codes = []
    for number in range(kiosks):
        out = io.StringIO()
        call_command("kiosk", "code", f"Kiosk thử {number + 1}", stdout=out)
        codes.append(re.search(r"nhập mã (\d{8})", out.getvalue()).group(1))
    return {"activation_codes": codes}


def dossiers() -> dict:
    from motcua.dossiers.audit import verify_chains
    from motcua.dossiers.models import Dossier, DossierCounter

    counters = {
        f"{c.center.agency_code}-{c.day:%y%m%d}": c.last_number
        for c in DossierCounter.objects.select_related("center")
    }
    return {
        "codes": list(Dossier.objects.values_list("code", flat=True)),
        "counters": counters,
        "audit_broken": None if (broken := verify_chains().broken) is None else str(broken),
    }


def seed_signed() -> dict:
    """A prepared installation with a dossier, its scanned document and a signed result."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from motcua.catalog.models import Procedure
    from motcua.centers.models import Center
    from motcua.dossiers.services import Applicant, SubmittedDocument, submit_dossier
    from motcua.signing.models import SigningCertificate
    from motcua.signing.services import sign_result

    prepare(0)
    call_command("pki", "demo", "--user", "lanhdao", stdout=io.StringIO())
    leader = get_user_model().objects.get(username="lanhdao")
    content = b"%PDF-1.4\n% ban chup giay chung sinh\n" + bytes(range(256)) * 40
    now = timezone.now()
    with transaction.atomic():
        dossier, _ = submit_dossier(
            center=Center.objects.get(),
            procedure=Procedure.objects.get(code="1.001193"),
            applicant=Applicant(name="Nguyễn Thị Lan", id_number="025190012345"),
            form_data={"child_full_name": "Nguyễn Minh An"},
            form_version=1,
            documents=[
                SubmittedDocument(
                    name="Giấy chứng sinh",
                    content=content,
                    filename="giay-chung-sinh.pdf",
                    content_type="application/pdf",
                )
            ],
            channel="kiosk",
            actor="kiosk:1",
            idempotency_key="durability-backup-1",
            now=now,
        )
        result = sign_result(
            dossier,
            certificate=SigningCertificate.objects.get(user=leader),
            signer_user=leader,
            now=now,
            base_url="https://motcua.example.gov.vn",
        )
    return {
        "dossier": dossier.code,
        "document_sha256": hashlib.sha256(content).hexdigest(),
        "verification_code": result.verification_code,
        "secret_key_sha256": _secret_digest(),
    }


def _secret_digest() -> str:
    from django.conf import settings

    return hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()


def check_restored(dossier_code: str, verification_code: str) -> dict:
    """What a restored installation still has: the document, the signature, the keys."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from motcua.dossiers.models import Dossier
    from motcua.signing.models import SignedResult, SigningCertificate
    from motcua.signing.services import sign_result, verify_stored_result

    dossier = Dossier.objects.get(code=dossier_code)
    document = dossier.documents.exclude(file="").get()
    with document.file.open("rb") as handle:
        document_sha256 = hashlib.sha256(handle.read()).hexdigest()
    stored = verify_stored_result(SignedResult.objects.get(verification_code=verification_code))
    # The restored .p12 files and their passphrase still sign.
    leader = get_user_model().objects.get(username="lanhdao")
    with transaction.atomic():
        again = sign_result(
            dossier,
            certificate=SigningCertificate.objects.get(user=leader),
            signer_user=leader,
            now=timezone.now(),
            base_url="https://motcua.example.gov.vn",
        )
    return {
        "document_sha256": document_sha256,
        "document_path": document.file.path,
        "signature_ok": stored.verification.ok,
        "file_matches": stored.file_matches,
        "message": stored.verification.message,
        "signs_again": verify_stored_result(again).verification.ok,
        "secret_key_sha256": _secret_digest(),
    }


def main(argv: list[str]) -> None:
    _setup()
    action, args = argv[0], argv[1:]
    if action == "prepare":
        result = prepare(int(args[0]))
    elif action == "dossiers":
        result = dossiers()
    elif action == "seed-signed":
        result = seed_signed()
    elif action == "check-restored":
        result = check_restored(*args)
    else:
        raise SystemExit(f"unknown action {action}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
