-- frontdesk 0009: venue setup without SQL; table blocks.
--
-- A table block takes a table out of service for a night, or for part of
-- one, with a reason (a broken booth, a private area).  Bookings and blocks
-- must never overlap, whoever writes, as surely as two bookings never do:
-- by an exclusion constraint, not by a check a writer could skip.  An
-- exclusion constraint sees one table, so every active booking's table and
-- every block is also a claim in private.table_claims, kept by triggers
-- (sql/engine/36_blocks.sql), and a booking's claim and a block's claim on
-- one table at overlapping instants of one night exclude each other there.
--
-- The rest of the setup (floors, tables, joins, hours, nights, the policy)
-- is in the tables 0001 made: a retired table is venue_tables.is_active =
-- false (tables are never deleted, so history keeps their names), and a
-- closed night's event_name is the reason it is closed (the refusal
-- VENUE_CLOSED says it in brackets).

CREATE TABLE table_blocks (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL,
    table_id   uuid NOT NULL,
    night      date NOT NULL,
    -- NULL: from the night's opening / to its close, whatever its hours are
    -- then; both NULL is the whole night.
    starts_at  timestamptz,
    ends_at    timestamptz,
    period     tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    created_by uuid,
    terminal   text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id),
    FOREIGN KEY (venue_id, table_id) REFERENCES venue_tables (venue_id, id),
    CONSTRAINT table_blocks_ends_after_start CHECK (ends_at > starts_at),
    -- one block at a time on a table
    CONSTRAINT table_blocks_no_overlap
        EXCLUDE USING gist (venue_id WITH =, table_id WITH =, night WITH =, period WITH &&)
);
CREATE INDEX table_blocks_venue_night ON table_blocks (venue_id, night);

-- Who holds a table when on a night: each active booking's tables (owner_id
-- the booking) and each block (owner_id the block).  A booking and a block
-- may not overlap (is_block WITH <>); two bookings are booking_tables'
-- business (booking_tables_no_overlap), two blocks table_blocks'.  A block
-- with an open end is unbounded here: it holds the table for the whole of
-- its night, whatever the hours.
CREATE TABLE private.table_claims (
    venue_id uuid NOT NULL,
    table_id uuid NOT NULL,
    night    date NOT NULL,
    period   tstzrange NOT NULL,
    is_block boolean NOT NULL,
    owner_id uuid NOT NULL,
    PRIMARY KEY (owner_id, table_id),
    CONSTRAINT table_claims_booking_or_block
        EXCLUDE USING gist (venue_id WITH =, table_id WITH =, night WITH =, period WITH &&,
                            is_block WITH <>)
);
INSERT INTO private.table_claims (venue_id, table_id, night, period, is_block, owner_id)
SELECT venue_id, table_id, night, period, false, booking_id
  FROM booking_tables
 WHERE is_active;
