#!/usr/bin/env bash
# The streaming replica: on first start copy the primary (pg_basebackup writes standby.signal
# and primary_conninfo), then run as a hot standby that follows it.
set -euo pipefail
export PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup --host=primary --username=replicator --pgdata="$PGDATA" \
      --wal-method=stream --slot=replica1 --write-recovery-conf --progress; do
    echo "waiting for the primary..."; sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
