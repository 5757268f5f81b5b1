#!/usr/bin/env bash
# Makes sure the machine has PostgreSQL (with contrib), Redis and jq (docs/quickstart.md);
# installs them with apt-get when missing and running as root, otherwise says what to
# install. With --browser (make test) it also tries to install Chromium for the test that
# renders /docs; without it that one test is skipped, so a failure there only warns.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql postgresql-contrib)
ls /usr/share/postgresql/*/extension/btree_gist.control >/dev/null 2>&1 || missing+=(postgresql-contrib)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v jq >/dev/null || missing+=(jq)
browser=()
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || browser+=(chromium)
fi
if [ ${#missing[@]} -eq 0 ] && [ ${#browser[@]} -eq 0 ]; then exit 0; fi
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
if [ ${#missing[@]} -gt 0 ] && ! can_install; then
  echo "missing system packages: ${missing[*]} — install them (e.g. sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
if ! can_install; then
  echo "warning: chromium is not installed; the test that renders /docs in a browser will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ${#browser[@]} -gt 0 ]; then
  echo "installing: ${browser[*]} (for the test that renders /docs)"
  apt-get install -y -qq "${browser[@]}" >/dev/null \
    || echo "warning: chromium could not be installed; the test that renders /docs will be skipped" >&2
fi
