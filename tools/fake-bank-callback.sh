#!/usr/bin/env bash
# Play the bank: send one signed payment confirmation to motcua's generic webhook (hmac-json),
# the way a bank's gateway would, to check a deployment's secret, URL and proxy end to end.
#
#   MOTCUA_PAYMENT_WEBHOOK_SECRET=<the secret in MOTCUA_PAYMENT_WEBHOOK_SECRETS> \
#     tools/fake-bank-callback.sh https://motcua.example.gov.vn 000.00.25.H45-261207-0001 15000 [TRANSACTION_ID]
#
# Prints the HTTP status and motcua's JSON answer (docs/payments.md §3). Needs curl and openssl.
# Use it on a test installation or a test dossier: a 200 "recorded" is a real payment record.
set -euo pipefail

if [ "$#" -lt 3 ]; then
    echo "usage: $0 BASE_URL DOSSIER_CODE AMOUNT_VND [TRANSACTION_ID]" >&2
    exit 2
fi
: "${MOTCUA_PAYMENT_WEBHOOK_SECRET:?set MOTCUA_PAYMENT_WEBHOOK_SECRET to the webhook secret}"
base_url="${1%/}"
code="$2"
amount="$3"
transaction_id="${4:-FAKEBANK$(date +%s)}"
case "$amount" in '' | *[!0-9]*) echo "AMOUNT_VND must be whole đồng, digits only" >&2; exit 2 ;; esac

timestamp="$(date +%s)"
paid_at="$(date +%Y-%m-%dT%H:%M:%S%z | sed 's/\([+-][0-9][0-9]\)\([0-9][0-9]\)$/\1:\2/')"
body=$(printf '{"transaction_id": "%s", "dossier_code": "%s", "amount_vnd": %s, "paid_at": "%s"}' \
    "$transaction_id" "$code" "$amount" "$paid_at")
# The signature covers "<timestamp>.<raw body>" (HMAC-SHA256, hex), exactly the bytes sent.
signature="$(printf '%s.%s' "$timestamp" "$body" \
    | openssl dgst -sha256 -hmac "$MOTCUA_PAYMENT_WEBHOOK_SECRET" -r | cut -d' ' -f1)"

curl --silent --show-error --max-time 30 --write-out '\nHTTP %{http_code}\n' \
    -X POST "$base_url/thanh-toan/xac-nhan/hmac-json/" \
    -H 'Content-Type: application/json' \
    -H "X-Motcua-Timestamp: $timestamp" \
    -H "X-Motcua-Signature: sha256=$signature" \
    --data-binary "$body"
