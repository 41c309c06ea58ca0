#!/usr/bin/env bash
# Creates the Secrets the dev overlay references, with fresh random values (nothing is committed).
# Usage: deploy/scripts/dev-secrets.sh [namespace]   (default lastmile-dev; idempotent)
set -euo pipefail
ns="${1:-lastmile-dev}"
rand() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
apply() { kubectl -n "$ns" apply -f -; }

if ! kubectl -n "$ns" get secret lastmile-api-keys >/dev/null 2>&1; then
  kubectl -n "$ns" create secret generic lastmile-api-keys \
    --from-literal=secret="$(rand)" --dry-run=client -o yaml | apply
fi
if ! kubectl -n "$ns" get secret lastmile-tracking-links >/dev/null 2>&1; then
  kubectl -n "$ns" create secret generic lastmile-tracking-links \
    --from-literal=secret="$(rand)" --dry-run=client -o yaml | apply
fi
if ! kubectl -n "$ns" get secret lastmile-notifier >/dev/null 2>&1; then
  # The dev overlay sends to the notifier's local sinks; these only have to exist.
  kubectl -n "$ns" create secret generic lastmile-notifier \
    --from-literal=twilio-auth-token="$(rand)" --from-literal=unsubscribe-secret="$(rand)" \
    --from-literal=smtp-password="$(rand)" --dry-run=client -o yaml | apply
fi
for svc in orders planner tracking notifier; do
  kubectl -n "$ns" get secret "lastmile-db-$svc" >/dev/null 2>&1 && continue
  password="$(rand)"
  kubectl -n "$ns" create secret generic "lastmile-db-$svc" --type=kubernetes.io/basic-auth \
    --from-literal=username="$svc" --from-literal=password="$password" \
    --from-literal=uri="postgresql://$svc:$password@lastmile-db-rw:5432/lastmile?sslmode=require" \
    --dry-run=client -o yaml | kubectl label --local -f - cnpg.io/reload=true -o yaml | apply
done
