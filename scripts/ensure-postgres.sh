#!/usr/bin/env bash
# The PostgreSQL run of the suite needs a server on 127.0.0.1:5432 with trust auth. The project's
# machines start one before a session; on a bare machine, install Debian's and start it.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian package)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
conf=/etc/postgresql/$version/main
if ! grep -q "govshare-trust" "$conf/pg_hba.conf"; then
  printf '# govshare-trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust\n' \
    | cat - "$conf/pg_hba.conf" > /tmp/pg_hba.conf && cp /tmp/pg_hba.conf "$conf/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test"
