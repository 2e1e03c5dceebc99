#!/usr/bin/env bash
# Installs the two system programs some tests use, when they are missing: Debian's chromium (the HTML report is
# rendered and screenshotted in it) and xmllint from libxml2-utils (junit.xml is validated against an XSD).
# Without them those tests are skipped, loudly; everything else runs. Needs root and apt-get to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "test dependencies present: chromium, xmllint"
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "rebound: to run every test, install: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]}); the tests that need them will be skipped." >&2
  exit 0
fi
echo "installing ${missing[*]} (apt-get) ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
