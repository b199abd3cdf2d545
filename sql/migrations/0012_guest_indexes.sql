-- frontdesk 0012: one index each for a guest's email and phone, not two.
--
-- A unique index in text_pattern_ops serves both the uniqueness (its = is
-- the default's, so ON CONFLICT and the lookups by email or phone use it)
-- and the search by the start of an email or phone (LIKE '07700%', which
-- the default index cannot serve under a collation other than C), as
-- bookings.reference has since 0011.  A new guest writes two index entries
-- fewer.
DROP INDEX customers_venue_email;
DROP INDEX customers_email_prefix;
CREATE UNIQUE INDEX customers_venue_email ON customers (venue_id, email text_pattern_ops)
    WHERE email IS NOT NULL;

DROP INDEX customers_venue_phone;
DROP INDEX customers_phone_prefix;
CREATE UNIQUE INDEX customers_venue_phone ON customers (venue_id, phone text_pattern_ops)
    WHERE phone IS NOT NULL;
