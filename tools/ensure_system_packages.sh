#!/usr/bin/env bash
# Makes sure the machine has PostgreSQL (with contrib), Redis and PgBouncer binaries, installing them
# with apt-get when missing and running as root, otherwise saying what to install.
# Optional helpers are installed the same way when possible, and only warned about
# otherwise: jq (docs/quickstart.md and its test) and, with --browser (make test),
# Chromium for the test that renders /docs (that one test is skipped without it).
set -euo pipefail
required=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || required+=(postgresql postgresql-contrib)
ls /usr/share/postgresql/*/extension/btree_gist.control >/dev/null 2>&1 || required+=(postgresql-contrib)
command -v redis-server >/dev/null || required+=(redis-server)
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || required+=(pgbouncer)
optional=()
command -v jq >/dev/null || optional+=(jq)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || optional+=(chromium)
fi
if [ ${#required[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  if [ ${#optional[@]} -gt 0 ]; then
    echo "warning: not installed: ${optional[*]} (e.g. sudo apt-get install ${optional[*]})" >&2
  fi
  if [ ${#required[@]} -gt 0 ]; then
    echo "missing system packages: ${required[*]} — install them (e.g. sudo apt-get install ${required[*]})" >&2
    exit 1
  fi
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ ${#required[@]} -gt 0 ]; then
  echo "installing: ${required[*]}"
  apt-get install -y -qq "${required[@]}" >/dev/null
fi
for package in "${optional[@]}"; do
  echo "installing: $package"
  apt-get install -y -qq "$package" >/dev/null || echo "warning: $package could not be installed" >&2
done
