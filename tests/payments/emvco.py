"""An EMVCo QRCPS Merchant-Presented Mode decoder written from the specification for the tests.

Independent of ``vietnam-qr-pay`` (which builds the payloads): a TLV walk (2-digit id, 2-digit
length, value), the CRC-16/CCITT-FALSE computed bit by bit (polynomial 0x1021, init 0xFFFF, no
reflection, no final XOR) over the payload up to and including "6304", and the rules the spec
sets on the fields a VietQR uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class DecodeError(ValueError):
    pass


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def tlv(text: str) -> list[tuple[str, str]]:
    """The (id, value) pairs of one TLV level, in order; every byte must be accounted for."""
    fields, i = [], 0
    while i < len(text):
        if len(text) - i < 4:
            raise DecodeError(f"truncated header at {i}")
        tag, length = text[i : i + 2], text[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise DecodeError(f"non-numeric id/length at {i}")
        value = text[i + 4 : i + 4 + int(length)]
        if len(value) != int(length):
            raise DecodeError(f"value of {tag} shorter than its length")
        fields.append((tag, value))
        i += 4 + int(length)
    return fields


@dataclass(frozen=True)
class VietQR:
    point_of_initiation: str
    guid: str
    bank_bin: str
    account: str
    service: str
    currency: str
    amount: int | None
    country: str
    purpose: str | None
    crc: str


def decode(payload: str) -> VietQR:
    if not payload.isascii():
        raise DecodeError("payload must be ASCII here")
    fields = tlv(payload)
    ids = [tag for tag, _ in fields]
    if ids[0] != "00" or fields[0][1] != "01":
        raise DecodeError("00 (payload format indicator) must come first and be 01")
    if ids[-1] != "63" or len(fields[-1][1]) != 4:
        raise DecodeError("63 (CRC, 4 characters) must come last")
    if len(set(ids)) != len(ids):
        raise DecodeError("a field appears twice")
    computed = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if computed != fields[-1][1]:
        raise DecodeError(f"CRC {fields[-1][1]} != computed {computed}")
    top = dict(fields)
    merchant = dict(tlv(top["38"]))
    beneficiary = dict(tlv(merchant["01"]))
    amount = top.get("54")
    if amount is not None and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", amount):
        raise DecodeError("54 (amount) must be digits")
    additional = dict(tlv(top["62"])) if "62" in top else {}
    return VietQR(
        point_of_initiation=top["01"],
        guid=merchant["00"],
        bank_bin=beneficiary["00"],
        account=beneficiary["01"],
        service=merchant.get("02", ""),
        currency=top["53"],
        amount=int(amount) if amount is not None else None,
        country=top["58"],
        purpose=additional.get("08"),
        crc=top["63"],
    )
