#!/usr/bin/env bash
# Restore a backup made by prod/backup.sh into a NEW, EMPTY database.
#
#   createdb shop_restored
#   prod/restore.sh FILE postgresql://user@host:5432/shop_restored
#
# It refuses a database that already has tables: a restore never writes over the live
# shop. Everything is restored in one transaction, so a failed restore leaves the new
# database empty. Then check it (DATABASE_URL=... flask --app storefront db current
# shows "(head)") and point the app at it; docs/deploy.md has the whole procedure.
set -euo pipefail

file="${1:?usage: prod/restore.sh FILE TARGET_DATABASE_URL}"
url="${2:?usage: prod/restore.sh FILE TARGET_DATABASE_URL}"
url="${url/postgresql+psycopg:\/\//postgresql://}"

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "refusing to restore: the target database already has $tables table(s)" >&2
  exit 1
fi
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$url" "$file"
echo "restored $file"
