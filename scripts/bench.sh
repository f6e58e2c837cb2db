#!/usr/bin/env bash
# End-to-end benchmark of anjian's telemetry path (`make bench`; not part of `make test`).
#
# 1. builds anjian and anjian-loadgen (release);
# 2. runs the alarm-engine benchmark (`cargo bench -p anjian-alarm`);
# 3. for each path (built-in MQTT listener, Mosquitto + anjian's broker client) and each rate:
#    fresh SQLite database in a temp dir, seeded by the loadgen, fresh `anjian serve`, one loadgen
#    run, anjian stopped; optionally one PostgreSQL run (built-in listener, 20,000/s);
# 4. writes docs/benchmarks.md (machine, engine figure, table, targets); the hand-written part of
#    the file below the marker line is kept.
#
# Settings (environment): BENCH_RATES ("5000 20000 30000"), BENCH_PATHS ("builtin mosquitto"),
# BENCH_WARMUP (5 s), BENCH_DURATION (20 s), BENCH_DEVICES (100), BENCH_SENSORS (10000),
# BENCH_BROKER (127.0.0.1:1883), BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432, "off" to
# skip), BENCH_OUT (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO=${CARGO:-cargo}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
RATES=${BENCH_RATES:-"5000 20000 30000"}
PATHS=${BENCH_PATHS:-"builtin mosquitto"}
WARMUP=${BENCH_WARMUP:-5}
DURATION=${BENCH_DURATION:-20}
DEVICES=${BENCH_DEVICES:-100}
SENSORS=${BENCH_SENSORS:-10000}
BROKER=${BENCH_BROKER:-127.0.0.1:1883}
PG=${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
OUT=${BENCH_OUT:-docs/benchmarks.md}
ADMIN_PASSWORD='Bench#2026-loadgen'
MARKER='<!-- Everything below this line is written by hand and kept by scripts/bench.sh. -->'

log() { printf '\n== %s\n' "$*" >&2; }

$CARGO build --release -p anjian-server -p anjian-bench
BIN=$CARGO_TARGET_DIR/release/anjian
LG=$CARGO_TARGET_DIR/release/anjian-loadgen

TMP=$(mktemp -d "${TMPDIR:-/tmp}/anjian-bench.XXXXXX")
RESULTS=$TMP/results.jsonl
: >"$RESULTS"
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

log "alarm engine (cargo bench -p anjian-alarm)"
$CARGO bench -p anjian-alarm 2>&1 | tee "$TMP/engine.txt"
ENGINE_LINE=$(grep -m1 -A2 'engine/ingest' "$TMP/engine.txt" || true)
ENGINE_RATE=$(sed -n 's/^ *\([0-9.]*\) M readings\/s\/core.*/\1/p' <<<"$ENGINE_LINE" | head -n 1)

# run_one PATH RATE DATABASE(sqlite|postgres) N
run_one() {
    local path=$1 rate=$2 database=$3 n=$4
    local dir=$TMP/run-$n url dbname= label dblabel
    mkdir -p "$dir"
    if [ "$database" = postgres ]; then
        dbname=anjian_bench_$$_$n
        psql "$PG/postgres" -qc "CREATE DATABASE $dbname" >/dev/null
        url=$PG/$dbname
        dblabel=PostgreSQL
    else
        url="sqlite://$dir/anjian.db?mode=rwc"
        dblabel=SQLite
    fi
    log "$path / $dblabel / $rate readings/s: seeding"
    "$LG" seed --database-url "$url" --devices "$DEVICES" --sensors "$SENSORS"
    local http_port mqtt_addr client_id= broker_pid= extra=()
    http_port=$(free_port)
    if [ "$path" = builtin ]; then
        mqtt_addr=127.0.0.1:$(free_port)
        label="built-in listener"
        export ANJIAN_MQTT_LISTEN=$mqtt_addr ANJIAN_MQTT_BROKER=
    else
        mqtt_addr=$BROKER
        label=Mosquitto
        client_id=anjian-bench-$$-$n
        export ANJIAN_MQTT_LISTEN=off ANJIAN_MQTT_BROKER="mqtt://$BROKER?client_id=$client_id"
        broker_pid=$(pgrep -x -o mosquitto || true)
        [ -n "$broker_pid" ] && extra=(--broker-pid "$broker_pid")
    fi
    ANJIAN_DATABASE_URL=$url ANJIAN_LISTEN=127.0.0.1:$http_port ANJIAN_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        ANJIAN_LOG_LEVEL=warn "$BIN" serve >"$dir/anjian.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 120); do
        "$BIN" healthcheck --url "http://127.0.0.1:$http_port" >/dev/null 2>&1 && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$dir/anjian.log" >&2; return 1; }
        sleep 0.5
    done
    # Give the broker client time to connect and subscribe.
    [ "$path" = mosquitto ] && sleep 2
    log "$path / $dblabel / $rate readings/s: load"
    ANJIAN_ADMIN_PASSWORD=$ADMIN_PASSWORD "$LG" run --mqtt "$mqtt_addr" --http "http://127.0.0.1:$http_port" \
        --devices "$DEVICES" --sensors "$SENSORS" --rate "$rate" --warmup "$WARMUP" --duration "$DURATION" \
        --pid "$SERVER_PID" --path "$label" --database "$dblabel" --results "$RESULTS" "${extra[@]}" ||
        echo "loadgen failed for $path/$rate ($dblabel)" >&2
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=
    if grep -qiE 'error|panick' "$dir/anjian.log"; then
        echo "anjian log of this run:" >&2
        grep -iE 'error|panick' "$dir/anjian.log" | head -20 >&2
    fi
    [ -n "$client_id" ] && { "$LG" forget-session --mqtt "$BROKER" --client-id "$client_id" || true; }
    [ -n "$dbname" ] && { psql "$PG/postgres" -qc "DROP DATABASE $dbname" >/dev/null || true; }
    unset ANJIAN_MQTT_LISTEN ANJIAN_MQTT_BROKER
}

n=0
for path in $PATHS; do
    for rate in $RATES; do
        n=$((n + 1))
        run_one "$path" "$rate" sqlite "$n"
    done
done
if [ "$PG" != off ] && psql "$PG/postgres" -qc 'SELECT 1' >/dev/null 2>&1; then
    n=$((n + 1))
    run_one builtin 20000 postgres "$n"
else
    log "PostgreSQL not reachable at $PG: skipped"
fi

# ---- docs/benchmarks.md ----
KEPT=
if [ -f "$OUT" ] && grep -qF "$MARKER" "$OUT"; then
    KEPT=$(sed -n "/$(printf '%s' "$MARKER" | sed 's/[][\.*^$/]/\\&/g')/,\$p" "$OUT" | tail -n +2)
fi
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CORES=$(nproc)
RAM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo " (with uncommitted changes)" || true)
engine_ok=$(awk -v r="${ENGINE_RATE:-0}" 'BEGIN { print (r >= 5) ? "met" : "**missed**" }')
cpu_ok=$(jq -rs '[.[] | select(.database == "SQLite") | .cpu_s_per_million // 1e9] | if length == 0 then "not measured" elif max <= 5 then "met" else "**missed**" end' "$RESULTS")
cpu_max=$(jq -rs '[.[] | select(.database == "SQLite") | .cpu_s_per_million // empty] | if length == 0 then "–" else (max * 100 | round / 100 | tostring) end' "$RESULTS")
lat_rows=$(jq -rs '[.[] | select(.target_rate == 20000) | "\(.path) / \(.database): p99 \(.latency_p99_ms // "–" | if type == "number" then (. * 10 | round / 10 | tostring) else . end) ms"] | join("; ")' "$RESULTS")
lat_ok=$(jq -rs '[.[] | select(.target_rate == 20000) | .latency_p99_ms // 1e9] | if length == 0 then "not measured" elif max < 50 then "met" else "**missed** on at least one path" end' "$RESULTS")
{
    echo "# Benchmarks"
    echo
    echo "Written by \`make bench\` (\`scripts/bench.sh\`); the figures below are measured, not estimated."
    echo
    echo "## Machine and run"
    echo
    echo "- CPU: $CPU, $CORES cores (a machine shared with other builders: other work may have run during the measurement)"
    echo "- RAM: $RAM"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT$DIRTY"
    echo "- load: $DEVICES devices (one MQTT connection each, QoS 1), $SENSORS sensors, one batch message"
    echo "  \`{\"ts\":ms,\"values\":{...}}\` per device with all of its $((SENSORS / DEVICES)) sensors; each sensor crosses its"
    echo "  high limit on every 200th reading (0.5 %), the next reading clears it; ${WARMUP} s warm-up, then a"
    echo "  ${DURATION} s measured window; release build, fresh database and fresh \`anjian serve\` per row"
    echo
    echo "## Targets"
    echo
    echo "| target | result | verdict |"
    echo "| --- | --- | --- |"
    echo "| alarm engine ≥ 5 M readings/s per core | ${ENGINE_RATE:-–} M readings/s/core | $engine_ok |"
    echo "| end to end ≤ 5 CPU-s per million readings (storage included, SQLite) | worst row $cpu_max CPU-s | $cpu_ok |"
    echo "| alarm latency p99 < 50 ms at 20,000 readings/s | ${lat_rows:-–} | $lat_ok |"
    echo
    echo "## Alarm engine alone"
    echo
    echo '```'
    echo "$ENGINE_LINE"
    echo '```'
    echo
    echo "## End to end (MQTT → engine → storage → SSE)"
    echo
    "$LG" table "$RESULTS"
    echo
    echo "Columns: *achieved* = readings published in the window per second; *stored (window)* ="
    echo "readings anjian committed during the window per second; *PUBACK / published* over the whole"
    echo "run (warm-up included; on the built-in listener a PUBACK means stored, through Mosquitto it"
    echo "means accepted by the broker); *stored / published* = anjian's \`anjian_readings_stored_total\`"
    echo "after the drain vs readings published; *drain* = seconds after the window until everything was"
    echo "stored; *alarms matched* = \`raised\` SSE events matched (sensor, reading time) to a crossing"
    echo "published in the window; *latency* = SSE receipt − publish time of that reading, in the load"
    echo "generator; *anjian CPU-s* = utime + stime of the anjian process from the window start until"
    echo "the drain finished, divided by the readings stored over that span for *CPU-s per M readings*"
    echo "(the anjian process only: Mosquitto and the PostgreSQL server are not included); *RSS* ="
    echo "VmRSS before the devices connected / VmHWM (peak over the process life) / VmRSS after the"
    echo "drain; *broker CPU-s* = Mosquitto over the same span; *loadgen CPU-s* = the load generator"
    echo "itself (it shares the two cores)."
    echo
    echo "$MARKER"
    [ -n "$KEPT" ] && echo "$KEPT"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"
