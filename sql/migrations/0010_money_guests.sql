-- frontdesk 0010: money on the night and guests' profiles; the door's
-- waitlist.
--
-- Money stays numeric from the table to the screen.  A booking's deposit
-- has a status (none when its tables ask for none, due, paid with its
-- reference, refunded, forfeited); the venue's policy says what a no-show
-- and a late cancellation do to a paid deposit, and the engine applies it
-- on the status change.  Spend is recorded against the minimum during the
-- night, by hand or from the till's export, one row per amount: the total
-- is their sum, so a correction is a negative row and nothing is
-- overwritten.

ALTER TABLE bookings
    ADD COLUMN deposit_status text NOT NULL DEFAULT 'due'
        CONSTRAINT bookings_deposit_status_known
            CHECK (deposit_status IN ('none', 'due', 'paid', 'refunded', 'forfeited')),
    ADD COLUMN deposit_reference text
        CONSTRAINT bookings_deposit_reference_length CHECK (length(deposit_reference) <= 200),
    ADD COLUMN deposit_changed_at timestamptz;
UPDATE bookings
   SET deposit_status = CASE WHEN stripe_payment_intent_id IS NOT NULL THEN 'paid'
                             WHEN total_deposit = 0 THEN 'none'
                             ELSE 'due' END,
       deposit_reference = stripe_payment_intent_id;

-- What happens to a paid deposit: kept by the venue (forfeit), given back
-- (refund), or left for a manager to decide (manual).  A cancellation at
-- least free_cancel_hours before the booking's start is refunded; a later
-- one follows late_cancel_deposit.  Tables still below their minimum spend
-- in the last spend_flag_minutes before closing are flagged on the grid.
ALTER TABLE venues
    ADD COLUMN no_show_deposit text NOT NULL DEFAULT 'forfeit'
        CONSTRAINT venues_no_show_deposit_known CHECK (no_show_deposit IN ('forfeit', 'refund', 'manual')),
    ADD COLUMN late_cancel_deposit text NOT NULL DEFAULT 'forfeit'
        CONSTRAINT venues_late_cancel_deposit_known
            CHECK (late_cancel_deposit IN ('forfeit', 'refund', 'manual')),
    ADD COLUMN free_cancel_hours integer NOT NULL DEFAULT 48
        CONSTRAINT venues_free_cancel_hours_range CHECK (free_cancel_hours BETWEEN 0 AND 720),
    ADD COLUMN spend_flag_minutes integer NOT NULL DEFAULT 60
        CONSTRAINT venues_spend_flag_minutes_range CHECK (spend_flag_minutes BETWEEN 0 AND 600);

-- Spend against a booking's minimum.  pos_key identifies a row of the
-- till's export (its reference or table, time and amount, and which of
-- several identical rows it is), so importing one file twice adds nothing.
CREATE TABLE booking_spend (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL,
    booking_id uuid NOT NULL,
    amount     numeric(10, 2) NOT NULL CONSTRAINT booking_spend_amount_not_zero CHECK (amount <> 0),
    note       text CONSTRAINT booking_spend_note_length CHECK (length(note) <= 500),
    source     text NOT NULL DEFAULT 'desk' CONSTRAINT booking_spend_source_known CHECK (source IN ('desk', 'pos')),
    pos_key    text,
    spent_at   timestamptz,  -- the till's time, for an imported row
    staff_id   uuid,
    terminal   text,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (venue_id, booking_id) REFERENCES bookings (venue_id, id) ON DELETE CASCADE,
    CONSTRAINT booking_spend_pos_once UNIQUE (venue_id, pos_key)
);
CREATE INDEX booking_spend_booking ON booking_spend (booking_id);

-- The venue's list of guest tags, edited by a manager.  kind says what a
-- tag does: vip and warning are shown before the host says yes; banned
-- refuses a booking unless a manager overrides it.
CREATE TABLE guest_tags (
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    venue_id   uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name       text NOT NULL CONSTRAINT guest_tags_name_shape CHECK (btrim(name) = name AND name <> '' AND length(name) <= 30),
    kind       text NOT NULL DEFAULT 'note'
        CONSTRAINT guest_tags_kind_known CHECK (kind IN ('vip', 'note', 'warning', 'banned')),
    sort_order integer NOT NULL DEFAULT 0,
    is_active  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (venue_id, id),
    UNIQUE (id)
);
CREATE UNIQUE INDEX guest_tags_venue_name ON guest_tags (venue_id, lower(name));

CREATE TABLE customer_tags (
    venue_id    uuid NOT NULL,
    customer_id uuid NOT NULL,
    tag_id      uuid NOT NULL,
    added_by    uuid,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, tag_id),
    FOREIGN KEY (venue_id, customer_id) REFERENCES customers (venue_id, id) ON DELETE CASCADE,
    FOREIGN KEY (venue_id, tag_id) REFERENCES guest_tags (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_tags_tag ON customer_tags (tag_id);

INSERT INTO guest_tags (venue_id, name, kind, sort_order)
SELECT v.id, t.name, t.kind, t.ord
  FROM venues v
 CROSS JOIN (VALUES ('VIP', 'vip', 1), ('Regular', 'note', 2), ('Allergy', 'warning', 3),
                    ('Banned', 'banned', 4)) AS t (name, kind, ord);

-- The door's waitlist: walk-ins waiting for a table tonight.  An entry ends
-- seated (with the walk-in booking it became) or left.
CREATE TABLE waitlist (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    venue_id       uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    night          date NOT NULL,
    name           text NOT NULL CONSTRAINT waitlist_name_shape CHECK (btrim(name) <> '' AND length(name) <= 100),
    party_size     integer NOT NULL CONSTRAINT waitlist_party_size_range CHECK (party_size BETWEEN 1 AND 100),
    phone          text CONSTRAINT waitlist_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    quoted_minutes integer CONSTRAINT waitlist_quote_range CHECK (quoted_minutes BETWEEN 0 AND 600),
    notes          text CONSTRAINT waitlist_notes_length CHECK (length(notes) <= 500),
    added_at       timestamptz NOT NULL DEFAULT now(),
    added_by       uuid,
    terminal       text,
    state          text NOT NULL DEFAULT 'waiting'
        CONSTRAINT waitlist_state_known CHECK (state IN ('waiting', 'seated', 'left')),
    ended_at       timestamptz,
    ended_by       uuid,
    booking_id     uuid,
    UNIQUE (venue_id, id),
    FOREIGN KEY (venue_id, booking_id) REFERENCES bookings (venue_id, id),
    CONSTRAINT waitlist_ended_when_not_waiting CHECK ((state = 'waiting') = (ended_at IS NULL)),
    CONSTRAINT waitlist_seated_has_booking CHECK ((state = 'seated') = (booking_id IS NOT NULL))
);
CREATE INDEX waitlist_venue_night ON waitlist (venue_id, night);
CREATE UNIQUE INDEX waitlist_booking ON waitlist (booking_id) WHERE booking_id IS NOT NULL;
