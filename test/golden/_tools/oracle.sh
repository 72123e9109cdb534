#!/usr/bin/env bash
# oracle.sh [CASE...]: writes test/golden/<case>/expected.jsonl from real CrowdSec 1.4.6
# (the peers in ../shared/peers) running Palisade's scenario pack (src/hub) on input.log.
#
# Needs root and crowdsec-setup.sh done once. Touches nothing under /etc/crowdsec or
# /var/lib/crowdsec: it works on private copies in /tmp (config with our scenarios and the
# hub's postfix/dovecot/traefik parsers added, data dir with our data files added) and a
# copy of crowdsec-replay.sh whose data_dir points at the private data dir.
# CrowdSec's output is sorted by (scenario, source_ip, events_count).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOLDEN=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$GOLDEN/../.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
HUB=$ROOT/src/hub
CONF=/tmp/pal-oracle-config
DATA=/tmp/pal-oracle-data
REPLAY=/tmp/pal-oracle-replay.sh

rm -rf "$CONF" "$DATA"
cp -a /etc/crowdsec "$CONF"
rm -rf "$CONF/scenarios" && mkdir "$CONF/scenarios"
# CrowdSec loads only regular files (or symlinks into its hub) as local scenarios
cp "$HUB"/scenarios/*.yaml "$CONF/scenarios/"
for p in postfix-logs dovecot-logs traefik-logs; do
  ln -sf "/var/lib/crowdsec/hub/parsers/s01-parse/crowdsecurity/$p.yaml" "$CONF/parsers/s01-parse/"
done
mkdir -p "$DATA"
find /var/lib/crowdsec/data -maxdepth 1 -type f ! -name 'crowdsec.db*' -exec cp {} "$DATA/" \;
cp "$HUB"/data/* "$DATA/"
sed -e "s|^HERE=.*|HERE=$PEERS|" \
    -e "s|  data_dir: /var/lib/crowdsec/data/|  data_dir: $DATA/|" \
    "$PEERS/crowdsec-replay.sh" > "$REPLAY"
chmod +x "$REPLAY"

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  # Cases with `oracle: hand` read Palisade-only log types CrowdSec cannot produce.
  mapfile -t cases < <(cd "$GOLDEN" && for d in */case.yaml; do
    grep -q '^oracle: hand' "$d" || dirname "$d"; done)
fi
for c in "${cases[@]}"; do
  dir=$GOLDEN/$c
  typ=$(awk '/^type:/{print $2}' "$dir/case.yaml")
  # `scenarios:` in case.yaml restricts the pack to the listed names
  mapfile -t only < <(awk '/^scenarios:/{f=1;next} f&&/^  - /{print $2;next} {f=0}' "$dir/case.yaml")
  if [ ${#only[@]} -gt 0 ]; then
    rm -f "$CONF"/scenarios/*
    for s in "${only[@]}"; do
      grep -l "^name: $s\$" "$HUB"/scenarios/*.yaml | xargs -I{} cp {} "$CONF/scenarios/"
    done
  else
    rm -f "$CONF"/scenarios/* && cp "$HUB"/scenarios/*.yaml "$CONF/scenarios/"
  fi
  CS_SKIP_SETUP=1 CS_CONFIG_DIR=$CONF "$REPLAY" "$dir/input.log" "$typ" 2> "/tmp/pal-oracle-$c.err" |
    python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
rows = sorted(({"scenario": r["scenario"], "source_ip": r["ip"], "events_count": r["events_count"]} for r in rows),
              key=lambda r: (r["scenario"], r["source_ip"], r["events_count"]))
sys.stdout.write("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))
' > "$dir/expected.jsonl"
  echo "$c: $(wc -l < "$dir/expected.jsonl") alerts ($(tail -n1 "/tmp/pal-oracle-$c.err"))"
done
