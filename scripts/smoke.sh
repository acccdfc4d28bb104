#!/usr/bin/env bash
# Starts `go run .` on a fresh data dir the way a new user would, and checks
# what the foundation issue promises: ready within 60 s, embedded mode in the
# log, a WeChat login whose token works on a mini-program route and not on a
# console route, and a refused unknown code. Stops it with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
go build -o "$work/yaoju" .
(cd "$work" && YAOJU_ADDR="127.0.0.1:$port" exec ./yaoju >"$work/log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for i in $(seq 1 60); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  sleep 1
  [ "$i" = 60 ] && { echo "smoke: not ready after 60 s"; cat "$work/log"; exit 1; }
done
grep -q "embedded mode" "$work/log" || { echo "smoke: no embedded-mode line in the log"; exit 1; }
token=$(curl -fs -X POST "$base/api/v1/wx/login" -d '{"code":"test_alice"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "smoke: no token"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/me/residences")" = 200 ] || { echo "smoke: token refused on a mini-program route"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/console/tasks")" = 401 ] || { echo "smoke: token accepted on a console route"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/wx/login" -d '{"code":"nope"}')" = 401 ] || { echo "smoke: unknown code not refused"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/console/login" -d '{"username":"admin","password":"demo123456"}')" = 200 ] || { echo "smoke: demo admin cannot log in"; exit 1; }
kill -TERM $pid
wait $pid || { echo "smoke: unclean exit after SIGTERM"; exit 1; }
grep -q "shutting down" "$work/log" || { echo "smoke: no graceful shutdown"; exit 1; }
echo "smoke: ok (ready, embedded mode, login, token kinds, graceful stop)"
