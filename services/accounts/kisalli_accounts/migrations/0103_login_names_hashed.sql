-- depends: 0102_accounts_credentials
-- Failed logins of names no account has are now kept under the name's
-- SHA-256: a person may type a password into the name field. The counts
-- kept under the names themselves are dropped; they only slowed guessing.
DELETE FROM login_failures WHERE key LIKE 'name:%' AND key !~ '^name:[0-9a-f]{64}$';
