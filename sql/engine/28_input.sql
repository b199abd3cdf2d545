-- Input: what a caller sends, checked before any rule looks at it.  The
-- booking core (50_booking_core.sql) asks fd_input_refusal first, so a
-- website, a client's bug or a hostile caller gets INVALID_INPUT naming the
-- field, and nothing is written, copied into the audit or sent to the night
-- plan.  Times and nights are checked by the booking rules (30_rules.sql,
-- INVALID_TIME), instants from local times by 10_night_time.sql.
--
-- Limits, in characters:
--   name              200   the desk's own limit (frontdesk/contacts.py)
--   email             254   the longest address SMTP can carry (RFC 5321's
--                           256-octet path less its angle brackets); far
--                           below the btree row limit (~2.7 kB) that made a
--                           long one raise
--   phone              40   E.164 is at most 15 digits; room for spaces,
--                           brackets and a typed '+44 (0)'
--   special requests 1000   a long paragraph
--   occasion          100   'Birthday', 'Hen party: Sarah's last night out'
--   payment reference 100   a Stripe payment intent id is about 30
-- The name is tidied as the desk tidies it: every run of whitespace (any
-- Unicode space: tabs, newlines, U+00A0, U+2003, U+3000...) becomes one
-- space, and none is kept at either end.  A name that is then empty is no
-- name at all: the customer matcher (40_customers.sql) answers
-- INVALID_CUSTOMER ("We need the guest's name.") when the guest is new, and
-- a guest matched by email or phone keeps the name we have.

-- The characters Python's str.isspace() knows (the desk's \s), in a
-- PostgreSQL regular expression: Unicode White_Space plus the C0 separators.
CREATE OR REPLACE FUNCTION private.fd_spaces_pattern() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '[\t\n\v\f\r\x1c-\x1f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+';

-- A name as stored: whitespace runs as one space, trimmed; NULL when blank.
CREATE OR REPLACE FUNCTION private.fd_tidy_name(p_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN nullif(btrim(regexp_replace(p_name, private.fd_spaces_pattern(), ' ', 'g')), '');

-- '1,000 characters at most' and friends.
CREATE OR REPLACE FUNCTION private.fd_too_long(p_what text, p_max integer)
    RETURNS private.fd_refusal
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN private.fd_refuse('INVALID_INPUT',
                             format('%s too long (%s characters at most).', p_what,
                                    to_char(p_max, 'FM999,999,999')));

-- The first thing wrong with a booking's input, or NULL.  p_name is the
-- name as given (it is tidied here before it is measured); p_source NULL
-- means the default ('desk').  Never raises, whatever the values.
CREATE OR REPLACE FUNCTION private.fd_input_refusal(p_name text, p_email text, p_phone text,
                                                    p_date_of_birth date,
                                                    p_special_requests text, p_occasion text,
                                                    p_payment_ref text, p_source text)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF p_source IS NOT NULL AND p_source NOT IN ('desk', 'phone', 'web', 'walk_in') THEN
        RETURN private.fd_refuse('INVALID_INPUT',
            format('There is no booking source "%s": it is desk, phone, web or walk_in.',
                   left(p_source, 40)));
    END IF;
    IF char_length(private.fd_tidy_name(p_name)) > 200 THEN
        RETURN private.fd_too_long('The name is', 200);
    END IF;
    IF char_length(p_email) > 254 THEN
        RETURN private.fd_too_long('The email is', 254);
    END IF;
    IF char_length(p_phone) > 40 THEN
        RETURN private.fd_too_long('The phone number is', 40);
    END IF;
    IF NOT (p_date_of_birth BETWEEN date '1900-01-01'
                                AND (private.fd_now() AT TIME ZONE 'UTC')::date + 1) THEN
        RETURN private.fd_refuse('INVALID_INPUT',
            'The date of birth must be a real one: from 1900 to today.');
    END IF;
    IF char_length(p_special_requests) > 1000 THEN
        RETURN private.fd_too_long('The special requests are', 1000);
    END IF;
    IF char_length(p_occasion) > 100 THEN
        RETURN private.fd_too_long('The occasion is', 100);
    END IF;
    IF char_length(p_payment_ref) > 100 THEN
        RETURN private.fd_too_long('The payment reference is', 100);
    END IF;
    RETURN NULL;
END
$$;
