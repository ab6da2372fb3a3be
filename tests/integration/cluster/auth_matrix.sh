#!/usr/bin/env bash
# Smoke test of the test server's authentication matrix, with psql: every role of
# scripts/pg/roles.sql over every transport (TCP without and with TLS, unix socket) and the
# sslmodes that matter, checked against scripts/pg/pg_hba.conf. One line per case; exit 1 on any
# mismatch, 77 (Meson's "skipped") when no throwaway cluster is described by the environment.
#
# Reads what `scripts/dev pg env` exports: TURBOPG_TEST_CLUSTER (the roles exist), _HOST, _PORT,
# _DBNAME, _SSLROOTCERT, _OTHER_CA, _SSLCERT, _SSLKEY, and optionally _SOCKET_DIR (no unix socket
# cases without it), _HOST6, _PGBIN, _URL (superuser URL, used when there is no socket).
set -uo pipefail

if [ -z "${TURBOPG_TEST_CLUSTER:-}" ]; then
  echo "TURBOPG_TEST_CLUSTER is not set (no throwaway cluster with the test roles): skipped"
  exit 77
fi

need() {
  if [ -z "${!1:-}" ]; then
    echo "auth_matrix: $1 is not set (run under scripts/dev test, or eval \"\$(scripts/dev pg env)\")" >&2
    exit 1
  fi
}
for v in TURBOPG_TEST_HOST TURBOPG_TEST_PORT TURBOPG_TEST_SSLROOTCERT TURBOPG_TEST_OTHER_CA \
         TURBOPG_TEST_SSLCERT TURBOPG_TEST_SSLKEY; do
  need "$v"
done

psql=psql
if [ -n "${TURBOPG_TEST_PGBIN:-}" ] && [ -x "$TURBOPG_TEST_PGBIN/psql" ]; then
  psql=$TURBOPG_TEST_PGBIN/psql
elif ! command -v psql >/dev/null 2>&1; then
  echo "psql not found: skipped"
  exit 77
fi

host=$TURBOPG_TEST_HOST
port=$TURBOPG_TEST_PORT
db=${TURBOPG_TEST_DBNAME:-turbopg}
sock=${TURBOPG_TEST_SOCKET_DIR:-}
host6=${TURBOPG_TEST_HOST6:-}
admin_url=${TURBOPG_TEST_URL:-}

# Nothing from the caller's libpq setup may leak in: no PG* variables, no ~/.pgpass,
# ~/.postgresql/postgresql.crt or root.crt, no ~/.psqlrc.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^PG' || true)
HOME=$(mktemp -d "${TMPDIR:-/tmp}/turbopg-auth-matrix.XXXXXX")
export HOME
trap 'rm -rf "$HOME"' EXIT
export PGCONNECT_TIMEOUT=10 PGGSSENCMODE=disable PGPASSFILE=$HOME/no-pgpass

# A conninfo value, quoted.
cq() {
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}

tcp="host=$(cq "$host") port=$port dbname=$(cq "$db")"
unix="host=$(cq "$sock") port=$port dbname=$(cq "$db")"
ca="sslrootcert=$(cq "$TURBOPG_TEST_SSLROOTCERT")"
other_ca="sslrootcert=$(cq "$TURBOPG_TEST_OTHER_CA")"
client_cert="sslcert=$(cq "$TURBOPG_TEST_SSLCERT") sslkey=$(cq "$TURBOPG_TEST_SSLKEY")"

# Who am I, and is the session encrypted ("tls") or not ("plain")?
WHOAMI="select current_user || ' ' || (select case when ssl then 'tls' else 'plain' end
                                       from pg_stat_ssl where pid = pg_backend_pid())"

passed=0
failed=0

# check EXPECT LABEL PASSWORD CONNINFO [SQL]
#   EXPECT "=GLOB"  psql must succeed and its output must match GLOB
#   EXPECT "!ERE"   psql must fail and its message must match the extended regex ERE
#   PASSWORD "-"    no password at all
check() {
  local expect=$1 label=$2 password=$3 conninfo=$4 sql=${5:-$WHOAMI}
  local out rc ok=0 pw=()
  [ "$password" = - ] || pw=(PGPASSWORD="$password")
  out=$(env "${pw[@]}" "$psql" -X -A -t -w -v ON_ERROR_STOP=1 -d "$conninfo" -c "$sql" 2>&1)
  rc=$?
  # One line; drop psql's "connection to server ... failed:" preamble, keep the server's words.
  out=$(printf '%s' "$out" | tr '\n\t' '  ' \
          | sed -e 's/^psql: error: connection to server .* failed: //' -e 's/  */ /g' -e 's/ $//')
  case $expect in
    =*)
      # shellcheck disable=SC2053  # the expectation is a glob on purpose
      [ "$rc" -eq 0 ] && [[ $out == ${expect#=} ]] && ok=1 ;;
    !*)
      [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -Eq -- "${expect#!}" && ok=1 ;;
  esac
  if [ "$ok" = 1 ]; then
    passed=$((passed + 1))
    printf 'ok    %-56s %s\n' "$label" "${out:0:100}"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-56s expected %s, got (exit %s): %s\n' "$label" "$expect" "$rc" "$out"
  fi
}

BADPW='password authentication failed for user'
HBA_REJECT='pg_hba.conf rejects connection'

# role password method: the plain methods work over TCP with and without TLS and over the socket.
for spec in turbopg_trust:-:trust turbopg_password:password_pw:password turbopg_md5:md5_pw:md5 \
            turbopg_scram:scram_pw:scram postgres:postgres:scram; do
  IFS=: read -r role pw method <<<"$spec"
  check "=$role plain" "$role ($method) tcp sslmode=disable" "$pw" "$tcp user=$role sslmode=disable"
  check "=$role tls" "$role ($method) tcp sslmode=require" "$pw" "$tcp user=$role sslmode=require"
  if [ "$role" != postgres ]; then
    [ -z "$sock" ] || check "=$role plain" "$role ($method) unix" "$pw" "$unix user=$role"
  fi
  if [ "$pw" != - ]; then
    check "!$BADPW \"$role\"" "$role ($method) tcp wrong password refused" "wrong_pw" \
      "$tcp user=$role sslmode=disable"
  fi
done
[ -z "$sock" ] || check "=postgres plain" "postgres (trust) unix, no password" - "$unix user=postgres"
[ -z "$sock" ] || check "!$BADPW \"turbopg_scram\"" "turbopg_scram (scram) unix wrong password refused" \
  "wrong_pw" "$unix user=turbopg_scram"
check "!no password supplied" "turbopg_scram (scram) tcp without password refused" - \
  "$tcp user=turbopg_scram sslmode=disable"
[ -z "$host6" ] || check "=turbopg_scram tls" "turbopg_scram (scram) tcp ::1 sslmode=require" \
  scram_pw "host=$host6 port=$port dbname=$db user=turbopg_scram sslmode=require"

# turbopg_md5's password really is stored as md5 (otherwise the server would upgrade to SCRAM).
admin=$admin_url
[ -z "$sock" ] || admin="$unix user=postgres"
check "=t" "turbopg_md5 password stored as md5" - "$admin" \
  "select rolpassword like 'md5%' from pg_authid where rolname = 'turbopg_md5'"

# Client certificate.
check "=turbopg_cert tls" "turbopg_cert (cert) tcp require + client cert" - \
  "$tcp user=turbopg_cert sslmode=require $client_cert"
check "=turbopg_cert tls" "turbopg_cert (cert) tcp verify-full localhost + cert" - \
  "host=localhost port=$port dbname=$db user=turbopg_cert sslmode=verify-full $ca $client_cert"
check "!connection requires a valid client certificate" "turbopg_cert (cert) tcp without cert refused" - \
  "$tcp user=turbopg_cert sslmode=require"
check "!$HBA_REJECT" "turbopg_cert (cert) tcp sslmode=disable refused" - \
  "$tcp user=turbopg_cert sslmode=disable $client_cert"
[ -z "$sock" ] || check "!$HBA_REJECT" "turbopg_cert (cert) unix refused" - "$unix user=turbopg_cert"

# TLS only.
check "!$HBA_REJECT.*no encryption" "turbopg_sslonly tcp sslmode=disable refused" sslonly_pw \
  "$tcp user=turbopg_sslonly sslmode=disable"
check "=turbopg_sslonly tls" "turbopg_sslonly tcp sslmode=require" sslonly_pw \
  "$tcp user=turbopg_sslonly sslmode=require"
check "!$BADPW \"turbopg_sslonly\"" "turbopg_sslonly tcp require wrong password refused" wrong_pw \
  "$tcp user=turbopg_sslonly sslmode=require"
[ -z "$sock" ] || check "!$HBA_REJECT" "turbopg_sslonly unix refused" sslonly_pw \
  "$unix user=turbopg_sslonly"

# No TLS.
check "!$HBA_REJECT.*SSL encryption" "turbopg_nossl tcp sslmode=require refused" nossl_pw \
  "$tcp user=turbopg_nossl sslmode=require"
check "=turbopg_nossl plain" "turbopg_nossl tcp sslmode=disable" nossl_pw \
  "$tcp user=turbopg_nossl sslmode=disable"
check "=turbopg_nossl plain" "turbopg_nossl tcp sslmode=prefer (libpq retries plain)" nossl_pw \
  "$tcp user=turbopg_nossl sslmode=prefer"
[ -z "$sock" ] || check "=turbopg_nossl plain" "turbopg_nossl unix" nossl_pw "$unix user=turbopg_nossl"

# Server certificate verification.
check "=turbopg_scram tls" "verify-full host=localhost with ca.crt" scram_pw \
  "host=localhost port=$port dbname=$db user=turbopg_scram sslmode=verify-full $ca"
check "=turbopg_scram tls" "verify-full host=127.0.0.1 with ca.crt" scram_pw \
  "host=127.0.0.1 port=$port dbname=$db user=turbopg_scram sslmode=verify-full $ca"
[ -z "$host6" ] || check "=turbopg_scram tls" "verify-full host=::1 with ca.crt" scram_pw \
  "host=$host6 port=$port dbname=$db user=turbopg_scram sslmode=verify-full $ca"
check "!certificate verify failed" "verify-full host=localhost with other-ca.crt fails" scram_pw \
  "host=localhost port=$port dbname=$db user=turbopg_scram sslmode=verify-full $other_ca"
check "!certificate verify failed" "verify-ca with other-ca.crt fails" scram_pw \
  "$tcp user=turbopg_scram sslmode=verify-ca $other_ca"

# Replication: physical (replication=true) and logical walsender (replication=database).
check "=turbopg_repl plain" "turbopg_repl (scram) tcp sslmode=disable" repl_pw \
  "$tcp user=turbopg_repl sslmode=disable"
check "=turbopg_repl tls" "turbopg_repl (scram) tcp sslmode=require" repl_pw \
  "$tcp user=turbopg_repl sslmode=require"
[ -z "$sock" ] || check "=turbopg_repl plain" "turbopg_repl (scram) unix" repl_pw "$unix user=turbopg_repl"
check "!$BADPW \"turbopg_repl\"" "turbopg_repl tcp wrong password refused" wrong_pw \
  "$tcp user=turbopg_repl sslmode=disable"
check "=*|1|*|$db" "turbopg_repl replication=database IDENTIFY_SYSTEM" repl_pw \
  "$tcp user=turbopg_repl sslmode=require replication=database" IDENTIFY_SYSTEM
check "=*|1|*|" "turbopg_repl replication=true IDENTIFY_SYSTEM" repl_pw \
  "$tcp user=turbopg_repl sslmode=disable replication=true" IDENTIFY_SYSTEM
[ -z "$sock" ] || check "=*|1|*|$db" "turbopg_repl unix replication=database" repl_pw \
  "$unix user=turbopg_repl replication=database" IDENTIFY_SYSTEM
check "!must be superuser or replication role|permission denied to start WAL sender" \
  "turbopg_scram replication=database refused" scram_pw \
  "$tcp user=turbopg_scram sslmode=disable replication=database" IDENTIFY_SYSTEM
check "!rejects replication connection|no pg_hba.conf entry for replication" \
  "turbopg_scram replication=true refused" scram_pw \
  "$tcp user=turbopg_scram sslmode=disable replication=true" IDENTIFY_SYSTEM

# Unknown roles hit the final reject lines.
check "!$HBA_REJECT" "unknown role tcp refused" - "$tcp user=turbopg_nobody sslmode=disable"
[ -z "$sock" ] || check "!$HBA_REJECT" "unknown role unix refused" - "$unix user=turbopg_nobody"

echo "auth matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
