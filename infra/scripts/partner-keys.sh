#!/usr/bin/env bash
# Creates the SM4 key of every partner unit as a Key Vault secret `partner-key-<code>` (16 random bytes, base64)
# unless it already exists. The function app reads them with its managed identity (Key Vault Secrets User).
# Each unit needs its own key out of band: hand it over with
#   az keyvault secret show --vault-name <vault> --name partner-key-<code> --query value -o tsv
# through the bureau's secure channel, never by e-mail. Rotating a key means: new secret version, hand-over, then
# the unit switches; requests already queued under the old key fail to open and land in the poison queue.
# Usage: infra/scripts/partner-keys.sh <key-vault-name>
set -euo pipefail
vault="${1:?usage: partner-keys.sh <key-vault-name>}"
catalogue="$(dirname "$0")/../../functions/CivilAffairs.Application/Assistance/Partners/Data/partners.json"
codes=$(python3 -c 'import json,sys; print("\n".join(u["code"] for u in json.load(open(sys.argv[1]))["units"]))' "$catalogue")
created=0; kept=0
for code in $codes; do
  name="partner-key-$code"
  if az keyvault secret show --vault-name "$vault" --name "$name" --query id -o tsv >/dev/null 2>&1; then
    kept=$((kept + 1))
  else
    az keyvault secret set --vault-name "$vault" --name "$name" --value "$(openssl rand -base64 16)" --output none
    created=$((created + 1))
  fi
done
echo "partner keys: $created created, $kept already present"
