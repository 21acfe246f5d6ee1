#!/bin/sh
# Run once by the postgres image when it creates the primary (docker-compose.yml's db):
# let db-replica stream from it with the application user's password.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
