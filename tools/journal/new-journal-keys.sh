#!/usr/bin/env bash
# Makes the access journal's keys in a folder of its own (files 0600), and prints the configuration.
#   tools/journal/new-journal-keys.sh [folder]        (default: ./journal-keys)
# chain-key.base64     Gateway:Security:Journal:ChainKey (its content): the HMAC key linking the journal's lines
# signing-key.pem      Gateway:Security:Journal:SigningKey (its path): the ECDSA P-256 key signing checkpoints
# signing-key.pub.pem  the public key, for tools/journal/verify-journal.py --public-key (give it to auditors)
# The chain key verifies and could forge links: keep it as secret as the journal's subject key. The private
# signing key never leaves the gateway's host; anyone may hold the public key.
set -euo pipefail
command -v openssl >/dev/null 2>&1 || { echo "new-journal-keys: openssl is required" >&2; exit 2; }
folder="${1:-journal-keys}"
for f in chain-key.base64 signing-key.pem; do
  if [ -e "$folder/$f" ]; then echo "new-journal-keys: $folder/$f exists; not overwriting keys" >&2; exit 1; fi
done
umask 077
mkdir -p "$folder"
openssl rand -base64 32 > "$folder/chain-key.base64"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$folder/signing-key.pem"
openssl ec -in "$folder/signing-key.pem" -pubout -out "$folder/signing-key.pub.pem" 2>/dev/null
chmod 600 "$folder/chain-key.base64" "$folder/signing-key.pem"
chmod 644 "$folder/signing-key.pub.pem"
key_id="$(openssl pkey -pubin -in "$folder/signing-key.pub.pem" -outform DER | sha256sum | cut -c1-16)"
cat <<OUT
Journal keys in $folder (key id $key_id):
  Gateway:Security:Journal:ChainKey   = $(cat "$folder/chain-key.base64")
  Gateway:Security:Journal:SigningKey = $(cd "$folder" && pwd)/signing-key.pem
Verify a journal with:
  tools/journal/verify-journal.py JOURNAL --chain-key-file $folder/chain-key.base64 --public-key $folder/signing-key.pub.pem
OUT
