-- Roles and database of the turbopg test servers: one role per authentication method.
-- Shared by scripts/dev (the throwaway cluster) and compose.yaml (/docker-entrypoint-initdb.d).
-- Run with psql as the superuser over the unix socket; idempotent (safe to run again).
-- pg_hba.conf next to this file decides which method each role gets on each transport.
--
--   role               password      method (pg_hba.conf)
--   postgres           postgres      scram-sha-256 over TCP, trust over the unix socket (admin)
--   turbopg_trust      -             trust
--   turbopg_password   password_pw   password (cleartext)
--   turbopg_md5        md5_pw        md5 (stored as an md5 hash, so the server really asks md5)
--   turbopg_scram      scram_pw      scram-sha-256
--   turbopg_cert       -             cert (hostssl only; client certificate CN=turbopg_cert)
--   turbopg_sslonly    sslonly_pw    scram-sha-256, hostssl only
--   turbopg_nossl      nossl_pw      scram-sha-256, hostnossl (and unix socket) only
--   turbopg_repl       repl_pw       scram-sha-256, REPLICATION (physical and logical walsender)
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['turbopg_trust', 'turbopg_password', 'turbopg_md5', 'turbopg_scram',
                           'turbopg_cert', 'turbopg_sslonly', 'turbopg_nossl', 'turbopg_repl'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', r);
    END IF;
  END LOOP;
END
$$;

ALTER ROLE turbopg_repl REPLICATION;

SET password_encryption = 'scram-sha-256';
ALTER ROLE postgres PASSWORD 'postgres';
ALTER ROLE turbopg_password PASSWORD 'password_pw';
ALTER ROLE turbopg_scram PASSWORD 'scram_pw';
ALTER ROLE turbopg_sslonly PASSWORD 'sslonly_pw';
ALTER ROLE turbopg_nossl PASSWORD 'nossl_pw';
ALTER ROLE turbopg_repl PASSWORD 'repl_pw';
-- With a SCRAM verifier stored, the server silently upgrades "md5" in pg_hba.conf to SCRAM:
-- store an md5 hash so that turbopg_md5 really exercises AuthenticationMD5Password.
SET password_encryption = 'md5';
ALTER ROLE turbopg_md5 PASSWORD 'md5_pw';
RESET password_encryption;
ALTER ROLE turbopg_trust PASSWORD NULL;
ALTER ROLE turbopg_cert PASSWORD NULL;

SELECT 'CREATE DATABASE turbopg OWNER postgres'
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'turbopg')\gexec

\connect turbopg
SET client_min_messages = warning;
-- PostgreSQL 15 no longer lets everyone create objects in the public schema.
GRANT ALL ON SCHEMA public TO PUBLIC;
