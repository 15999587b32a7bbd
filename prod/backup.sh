#!/usr/bin/env bash
# Back up the shop's PostgreSQL database into one file (pg_dump's compressed custom format).
#
#   prod/backup.sh [DATABASE_URL] [FILE]
#
# DATABASE_URL defaults to $DATABASE_URL; FILE to backups/storefront-<UTC time>.dump.
# The dump is consistent (one snapshot) and taken while the shop keeps running. It is
# written next to FILE first and renamed once pg_restore can read it back, so FILE is
# never a half-written backup. Prints the file's name.
set -euo pipefail

url="${1:-${DATABASE_URL:?set DATABASE_URL or pass the database URL}}"
url="${url/postgresql+psycopg:\/\//postgresql://}"   # libpq wants the plain scheme
file="${2:-backups/storefront-$(date -u +%Y%m%dT%H%M%SZ).dump}"

mkdir -p "$(dirname "$file")"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --file="$partial" --dbname="$url"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"
echo "$file"
