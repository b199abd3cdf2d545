-- frontdesk 0011: fewer rows and index entries per booking.
--
-- A booking made writes no booking_attempts row any more (refusals and
-- moves still do): the duration of the call that made it is on the booking
-- itself, and the monitoring figures count the bookings the booking
-- functions made (booked_in_ms set; NULL for rows written otherwise and for
-- bookings made before this version, whose attempt rows stay) beside the
-- attempt rows.  They read today's bookings by creation time through a BRIN
-- index, which costs a booking next to nothing to keep (the booking_attempts
-- row it replaces wrote a heap row and two B-tree entries).

ALTER TABLE bookings ADD COLUMN booked_in_ms real;
CREATE INDEX bookings_created_at ON bookings USING brin (created_at);

-- One index on the reference, not two: a unique index in text_pattern_ops
-- serves both the uniqueness (its = is the default's) and the search by
-- the start of a reference (LIKE 'BR-2612%', which the default index cannot
-- serve under a collation other than C).  A booking writes one entry less.
ALTER TABLE bookings DROP CONSTRAINT bookings_reference_key;
DROP INDEX bookings_reference_prefix;
CREATE UNIQUE INDEX bookings_reference ON bookings (reference text_pattern_ops);
