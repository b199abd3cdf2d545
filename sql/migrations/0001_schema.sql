-- frontdesk schema v1: venues, their hours and nights, floors and tables,
-- customers, staff, bookings and the tables they hold, holds, audit.
--
-- The one guarantee that matters most lives here, in the first migration:
-- no two active bookings hold the same table at overlapping instants
-- (booking_tables_no_overlap), whatever path writes.
--
-- Times: a booking belongs to a night (the service date, the calendar date on
-- which the venue opened).  Instants are timestamptz computed in the venue's
-- zone; a local time earlier than the night's opening time falls after
-- midnight (fd_night_instant).

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE venues (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                    text NOT NULL CHECK (btrim(name) <> ''),
    time_zone               text NOT NULL DEFAULT 'Europe/London',
    -- booking policy, the seed's values as defaults
    max_days_ahead          integer NOT NULL DEFAULT 183 CHECK (max_days_ahead >= 0),
    min_party_size          integer NOT NULL DEFAULT 1 CHECK (min_party_size >= 1),
    max_party_size          integer NOT NULL DEFAULT 50 CHECK (max_party_size >= min_party_size),
    min_age                 integer NOT NULL DEFAULT 18 CHECK (min_age >= 0),
    default_booking_minutes integer NOT NULL DEFAULT 150 CHECK (default_booking_minutes > 0),
    hold_minutes            integer NOT NULL DEFAULT 10 CHECK (hold_minutes > 0),
    -- live updates go out on this channel (NOTIFY/LISTEN)
    channel                 text GENERATED ALWAYS AS ('frontdesk_' || replace(id::text, '-', '')) STORED,
    created_at              timestamptz NOT NULL DEFAULT now(),
    -- an unknown zone name makes AT TIME ZONE raise, so this refuses it
    CONSTRAINT venues_time_zone_known CHECK ((timestamp '2000-01-01' AT TIME ZONE time_zone) IS NOT NULL)
);

-- Regular opening hours.  weekday is ISO (1 = Monday … 7 = Sunday) of the
-- night's date; closes <= opens means closing after midnight.
CREATE TABLE opening_hours (
    venue_id uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    weekday  smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens    time NOT NULL,
    closes   time NOT NULL,
    PRIMARY KEY (venue_id, weekday)
);

-- Exceptions for one night: closed, or an event with its own name, hours
-- and pricing (factors applied to the tables' minimum spend and deposit).
CREATE TABLE nights (
    venue_id         uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    night            date NOT NULL,
    is_closed        boolean NOT NULL DEFAULT false,
    event_name       text,
    opens            time,
    closes           time,
    min_spend_factor numeric(6, 3) CHECK (min_spend_factor > 0),
    deposit_factor   numeric(6, 3) CHECK (deposit_factor >= 0),
    notes            text,
    PRIMARY KEY (venue_id, night),
    CONSTRAINT nights_hours_together CHECK ((opens IS NULL) = (closes IS NULL))
);

CREATE TABLE floors (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    sort_order integer NOT NULL DEFAULT 0,
    UNIQUE (venue_id, name),
    UNIQUE (venue_id, id)
);

CREATE TABLE venue_tables (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    floor_id   uuid NOT NULL,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    capacity   integer NOT NULL CHECK (capacity > 0),
    min_spend  numeric(10, 2) NOT NULL DEFAULT 0 CHECK (min_spend >= 0),
    deposit    numeric(10, 2) NOT NULL DEFAULT 0 CHECK (deposit >= 0),
    is_premium boolean NOT NULL DEFAULT false,
    grid_order integer NOT NULL DEFAULT 0,
    is_active  boolean NOT NULL DEFAULT true,
    UNIQUE (venue_id, name),
    UNIQUE (venue_id, id),
    FOREIGN KEY (venue_id, floor_id) REFERENCES floors (venue_id, id)
);

-- Which tables may be joined for one party (neighbours on the same floor).
-- Stored once per pair, lower id first.
CREATE TABLE table_joins (
    venue_id uuid NOT NULL,
    table_a  uuid NOT NULL,
    table_b  uuid NOT NULL,
    PRIMARY KEY (venue_id, table_a, table_b),
    CHECK (table_a < table_b),
    FOREIGN KEY (venue_id, table_a) REFERENCES venue_tables (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, table_b) REFERENCES venue_tables (venue_id, id) ON DELETE CASCADE
);

CREATE TABLE staff (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    role       text NOT NULL DEFAULT 'host' CHECK (role IN ('host', 'manager', 'admin')),
    is_active  boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, name),
    UNIQUE (venue_id, id)
);

-- Customers belong to a venue (venue_id in every key keeps the Citus path
-- open).  email is stored lower-cased, phone as E.164: the data layer
-- normalises, the checks below refuse anything that was not.
CREATE TABLE customers (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id      uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (btrim(name) <> ''),
    email         text CHECK (email = lower(btrim(email)) AND email LIKE '_%@_%'),
    phone         text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    date_of_birth date,
    notes         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id)
);
CREATE UNIQUE INDEX customers_venue_email ON customers (venue_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_venue_phone ON customers (venue_id, phone) WHERE phone IS NOT NULL;

-- Statuses: pending → confirmed → arrived → seated → completed;
-- cancelled and no_show from the open states.  Cancelled and no-show free
-- their tables; completed keeps them for the booked time.
CREATE TABLE bookings (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- No foreign key of its own: (venue_id, customer_id) references
    -- customers, whose venue_id references venues, so the venue exists (and
    -- cannot be deleted under its bookings).  A direct key would KEY SHARE
    -- lock the venue's row in every booking: one MultiXact per concurrent
    -- booking (about 5,600 per 6 s at 16 clients, 400 without it).
    venue_id                 uuid NOT NULL,
    reference                text NOT NULL UNIQUE CHECK (reference ~ '^BR-[0-9]{6}-[A-Z2-9]{6}$'),
    customer_id              uuid NOT NULL,
    night                    date NOT NULL,
    starts_at                timestamptz NOT NULL,
    ends_at                  timestamptz NOT NULL,
    period                   tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
    party_size               integer NOT NULL,
    status                   text NOT NULL DEFAULT 'confirmed'
        CHECK (status IN ('pending', 'confirmed', 'arrived', 'seated', 'completed', 'cancelled', 'no_show')),
    source                   text NOT NULL DEFAULT 'desk' CHECK (source IN ('desk', 'phone', 'web', 'walk_in')),
    total_deposit            numeric(10, 2) NOT NULL DEFAULT 0,
    total_min_spend          numeric(10, 2) NOT NULL DEFAULT 0,
    special_requests         text,
    occasion                 text,
    stripe_payment_intent_id text,
    created_by               uuid,
    terminal                 text,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (venue_id, id),
    FOREIGN KEY (venue_id, customer_id) REFERENCES customers (venue_id, id),
    CONSTRAINT bookings_ends_after_start CHECK (ends_at > starts_at)
);
CREATE INDEX bookings_venue_night ON bookings (venue_id, night);
CREATE INDEX bookings_customer ON bookings (venue_id, customer_id);

CREATE FUNCTION fd_status_holds_table(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN status IN ('pending', 'confirmed', 'arrived', 'seated', 'completed');

-- The tables a booking holds.  period and is_active are copies of the
-- booking's, kept in step by triggers, so that the exclusion constraint can
-- see them: this is the final guarantee against double booking.
CREATE TABLE booking_tables (
    venue_id   uuid NOT NULL,
    booking_id uuid NOT NULL,
    table_id   uuid NOT NULL,
    night      date NOT NULL,
    period     tstzrange NOT NULL,
    is_active  boolean NOT NULL,
    PRIMARY KEY (booking_id, table_id),
    FOREIGN KEY (venue_id, booking_id) REFERENCES bookings (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, table_id) REFERENCES venue_tables (venue_id, id),
    CONSTRAINT booking_tables_no_overlap
        EXCLUDE USING gist (venue_id WITH =, table_id WITH =, period WITH &&) WHERE (is_active)
);
CREATE INDEX booking_tables_venue_night ON booking_tables (venue_id, night, table_id);

-- A terminal holding a table while it takes a booking (the phone dialog).
-- Expired holds are ignored by everything; they are cleaned up lazily.
CREATE TABLE holds (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL,
    table_id   uuid NOT NULL,
    night      date NOT NULL,
    period     tstzrange NOT NULL,
    terminal   text NOT NULL,
    staff_id   uuid,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (venue_id, table_id) REFERENCES venue_tables (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX holds_venue_night ON holds (venue_id, night, table_id);

CREATE TABLE audit_logs (
    id          bigserial PRIMARY KEY,
    venue_id    uuid,
    table_name  text NOT NULL,
    operation   text NOT NULL,
    record_id   uuid,
    old_values  jsonb,
    new_values  jsonb,
    staff_id    uuid,
    staff_name  text,
    terminal    text,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_venue_changed ON audit_logs (venue_id, changed_at);
CREATE INDEX audit_logs_record ON audit_logs (record_id);

-- ---------------------------------------------------------------------------
-- Night and time helpers.  Everything that turns (night, local time) into an
-- instant goes through fd_night_instant so that the rule lives once.

-- The hours of one night: the event's hours, else the weekday's, else none
-- (closed).  closes_at is after opens_at, across midnight if need be.
-- Always exactly one row.  Declared as a set so that the planner inlines it
-- into the callers' FROM (a single-row function would be a call of its own,
-- four times a booking).
CREATE FUNCTION fd_night_hours(p_venue_id uuid, p_night date)
    RETURNS TABLE (opens time, closes time, is_closed boolean)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(n.opens, h.opens),
           coalesce(n.closes, h.closes),
           coalesce(n.is_closed, false) OR coalesce(n.opens, h.opens) IS NULL
      FROM (SELECT 1) AS one
      LEFT JOIN nights n ON n.venue_id = p_venue_id AND n.night = p_night
      LEFT JOIN opening_hours h ON h.venue_id = p_venue_id
                               AND h.weekday = extract(isodow FROM p_night)
$$;

-- The instant of a local time on a night: times earlier than the night's
-- opening time fall after midnight.  On a night with no hours, noon is the
-- boundary.  Local times that do not exist (spring forward) move forward by
-- the gap; times that happen twice (fall back) take the later, standard-time
-- instant - PostgreSQL's documented rule for AT TIME ZONE.
CREATE FUNCTION fd_night_instant(p_venue_id uuid, p_night date, p_time time)
    RETURNS timestamptz
    LANGUAGE sql STABLE
AS $$
    SELECT ((p_night + CASE WHEN p_time < coalesce(h.opens, time '12:00')
                            THEN 1 ELSE 0 END) + p_time) AT TIME ZONE v.time_zone
      FROM venues v, fd_night_hours(p_venue_id, p_night) h
     WHERE v.id = p_venue_id
$$;

-- The night's opening and closing instants, or NULL when it is closed.
-- The opening time is the boundary of fd_night_instant's rule, so it is on
-- the night's own date: computed here from one fd_night_hours read rather
-- than through fd_night_instant's second one (this runs on every booking).
CREATE FUNCTION fd_night_span(p_venue_id uuid, p_night date) RETURNS tstzrange
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN h.is_closed THEN NULL
                ELSE tstzrange((p_night + h.opens) AT TIME ZONE v.time_zone,
                               CASE WHEN h.closes <= h.opens
                                    THEN ((p_night + 1) + h.closes) AT TIME ZONE v.time_zone
                                    ELSE (p_night + h.closes) AT TIME ZONE v.time_zone END,
                               '[)')
           END
      FROM venues v, fd_night_hours(p_venue_id, p_night) h
     WHERE v.id = p_venue_id
$$;

-- ---------------------------------------------------------------------------
-- Keep booking_tables in step with its booking, whoever writes.

CREATE FUNCTION fd_booking_tables_copy_booking() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    b bookings%ROWTYPE;
BEGIN
    SELECT * INTO b FROM bookings WHERE id = NEW.booking_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'booking % does not exist', NEW.booking_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    NEW.venue_id := b.venue_id;
    NEW.night := b.night;
    NEW.period := b.period;
    NEW.is_active := fd_status_holds_table(b.status);
    RETURN NEW;
END
$$;

CREATE TRIGGER booking_tables_copy_booking
    BEFORE INSERT OR UPDATE ON booking_tables
    FOR EACH ROW EXECUTE FUNCTION fd_booking_tables_copy_booking();

CREATE FUNCTION fd_bookings_sync_tables() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE booking_tables
       SET night = NEW.night,
           period = NEW.period,
           is_active = fd_status_holds_table(NEW.status)
     WHERE booking_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER bookings_sync_tables
    AFTER UPDATE OF night, starts_at, ends_at, status ON bookings
    FOR EACH ROW
    WHEN (OLD.night IS DISTINCT FROM NEW.night
          OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
          OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
          OR fd_status_holds_table(OLD.status) IS DISTINCT FROM fd_status_holds_table(NEW.status))
    EXECUTE FUNCTION fd_bookings_sync_tables();

-- ---------------------------------------------------------------------------
-- Locks.  One key per (table, night) - never per start time, which would let
-- two overlapping bookings with different starts pass each other.
--   namespace 1: "a desk is on the phone about this table" (session level,
--                acquire_booking_lock); booking transactions test it shared.
--   namespace 2: booking transactions on a table take turns (transaction
--                level, released at commit or rollback, PgBouncer-safe).
-- Keys are taken in ascending key order so that bookings over several tables
-- in any order cannot deadlock (even when two pairs hash alike).

CREATE FUNCTION fd_lock_key(p_table_id uuid, p_night date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN hashtext(p_table_id::text || '/' || p_night::text);

-- Take the booking locks for these tables on this night.  Returns false at
-- once, having waited for nothing, when another session holds the phone lock on
-- one of them (TABLE_BEING_BOOKED); otherwise waits its turn and returns true.
CREATE FUNCTION fd_lock_tables(p_table_ids uuid[], p_night date) RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    k integer;
    keys integer[];
BEGIN
    SELECT array_agg(DISTINCT fd_lock_key(t, p_night) ORDER BY fd_lock_key(t, p_night))
      INTO keys
      FROM unnest(p_table_ids) AS t;
    -- Phone locks first, none waited for, so a refusal never queues behind a booking.
    FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
        IF NOT pg_try_advisory_xact_lock_shared(1, k) THEN
            RETURN false;
        END IF;
    END LOOP;
    FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
        PERFORM pg_advisory_xact_lock(2, k);
    END LOOP;
    RETURN true;
END
$$;
