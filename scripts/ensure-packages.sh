#!/usr/bin/env bash
# System packages the tests need, installed from Debian when missing (Playwright's own browser
# download does not work on these machines):
#   chromium                browser journeys
#   fonts-noto-cjk          Chinese text in screenshots and PDFs (tofu boxes are a bug)
#   libreoffice-calc-nogui  the supervision export is opened in LibreOffice to prove it reads
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  WeasyPrint (quality's PDF reports)
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 \
  || need+=(libreoffice-calc-nogui)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0" || need+=(libharfbuzz-subset0)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${need[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
