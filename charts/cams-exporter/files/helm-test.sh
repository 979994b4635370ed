# helm test (templates/tests/test-endpoints.yaml): the exporter at
# $EXPORTER_URL answers /readyz with 200 within $ATTEMPTS attempts,
# $INTERVAL seconds apart, then serves /metrics whole, with
# cams_exporter_build_info. busybox's sh, wget and timeout (each request
# bounded; helm test --timeout bounds the whole).
set -eu
set -o pipefail
attempt=1
until timeout 10 wget -q -O /dev/null "$EXPORTER_URL/readyz"; do
  if [ "$attempt" -ge "$ATTEMPTS" ]; then
    echo "FAIL: $EXPORTER_URL/readyz did not answer 200 in $ATTEMPTS attempts, $INTERVAL s apart; its body says why (kubectl port-forward, then curl /readyz and /status)"
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$INTERVAL"
done
echo "ok: $EXPORTER_URL/readyz answers 200 (attempt $attempt)"
if ! info=$(timeout 120 wget -q -O - "$EXPORTER_URL/metrics" | grep '^cams_exporter_build_info{'); then
  echo "FAIL: $EXPORTER_URL/metrics could not be read whole, or has no cams_exporter_build_info"
  exit 1
fi
echo "ok: $EXPORTER_URL/metrics: $info"
