-- frontdesk 0005: the layout that lets the engine grow.
--
-- From here on, schema migrations (this folder) hold tables, columns,
-- constraints, indexes and data changes only, and are never edited once
-- released.  The engine's functions, triggers, views and grants live in
-- sql/engine/, one file per concept, and are re-applied by `frontdesk db
-- upgrade` whenever one of them changes (frontdesk/engine_sql.py).  The
-- functions 0002-0004 created are replaced by those files on every upgrade.

-- Private helpers live in a schema of their own that no application role
-- may use; the public schema keeps the tables and the API (the seed's
-- contract, the desk's functions, the views the app reads).
CREATE SCHEMA private;
REVOKE ALL ON SCHEMA private FROM PUBLIC;

-- Which engine files were applied, by content: a changed checksum means
-- the engine is dropped and re-created from sql/engine/ in the upgrade's
-- transaction.
CREATE TABLE private.engine_files (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Nothing is callable or readable by default: sql/engine/grants.sql says
-- who may use what, object by object.  (0003 granted every future function
-- and table to frontdesk_app; PostgreSQL grants EXECUTE on new functions to
-- PUBLIC.)
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM frontdesk_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM frontdesk_app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The venue's own policy, read from the venue rather than from constants in
-- SQL or Python: the booking reference's prefix, the country phone numbers
-- are read in when they have no country code, and the currency of its
-- prices.
ALTER TABLE venues
    ADD COLUMN reference_prefix text NOT NULL DEFAULT 'BR'
        CONSTRAINT venues_reference_prefix_letters CHECK (reference_prefix ~ '^[A-Z]{1,4}$'),
    ADD COLUMN phone_country text NOT NULL DEFAULT 'GB'
        CONSTRAINT venues_phone_country_iso CHECK (phone_country ~ '^[A-Z]{2}$'),
    ADD COLUMN currency text NOT NULL DEFAULT 'GBP'
        CONSTRAINT venues_currency_iso CHECK (currency ~ '^[A-Z]{3}$');

-- References: the venue's prefix, the night, six unambiguous characters.
ALTER TABLE bookings DROP CONSTRAINT bookings_reference_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_reference_shape
    CHECK (reference ~ '^[A-Z]{1,4}-[0-9]{6}-[A-Z2-9]{6}$');
