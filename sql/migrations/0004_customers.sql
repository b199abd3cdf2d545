-- frontdesk 0004: customers at the desk.  Search as you type (name words,
-- phone, email) that stays fast with 100,000 customers, guest search over
-- bookings, and the functions that create, update and match customers (the
-- app's role may not write tables directly).
--
-- Conventions as in 0002/0003: writers return (success, error_code,
-- error_message, ...), never raise for a refusal, run as their owner with
-- search_path pinned.  Phones arrive as E.164 and emails lower-cased (the
-- data layer normalises; the table's checks refuse anything else).

-- ---------------------------------------------------------------------------
-- Indexes for search as you type.
--
-- Names: a word typed matches the start of any word of the name ("smit"
-- finds "Amelia Smith"): ' ' || lower(name) LIKE '% smit%'.  A pg_trgm GIN
-- index serves that even for two letters, because pg_trgm pads the start of
-- a word (" sm" is a trigram).  pg_trgm ships with PostgreSQL (contrib) and
-- is a trusted extension; where a server lacks it the search still works,
-- by a scan, and the desk stays correct.
-- Phones and emails: prefixes, through btree indexes with text_pattern_ops
-- (usable for LIKE 'x%' whatever the database's collation).

DO $trgm$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN undefined_file OR insufficient_privilege OR feature_not_supported THEN
        RAISE NOTICE 'pg_trgm is not available (%): customer name search will scan', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX customers_name_words ON customers '
                'USING gin ((('' '' || lower(name))) gin_trgm_ops)';
    END IF;
END
$trgm$;

CREATE INDEX customers_phone_prefix ON customers (venue_id, phone text_pattern_ops)
    WHERE phone IS NOT NULL;
CREATE INDEX customers_email_prefix ON customers (venue_id, email text_pattern_ops)
    WHERE email IS NOT NULL;
CREATE INDEX bookings_reference_prefix ON bookings (reference text_pattern_ops);

-- ---------------------------------------------------------------------------
-- Matching.

-- A LIKE pattern for text starting with p (NULL for NULL): %, _ and \ typed
-- by a person match themselves.
CREATE FUNCTION fd_like_prefix(p text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(replace(replace(p, '\', '\\'), '%', '\%'), '_', '\_') || '%';

-- The LIKE patterns for name words: each must start a word of the name.
CREATE FUNCTION fd_word_patterns(words text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT '% ' || fd_like_prefix(lower(w)) FROM unnest(words) AS w);

-- Does a customer match what was typed?  Every name word must start a word
-- of the name (the first through the trigram index); or the phone or email
-- starts with the prefix.  Inlined into the queries below with the typed
-- values as constants, so each part reads its index.
CREATE FUNCTION fd_customer_matches(c_name text, c_phone text, c_email text,
                                    words text[], phone_prefix text, email_prefix text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((' ' || lower(c_name)) LIKE '% ' || fd_like_prefix(lower(words[1]))
            AND (' ' || lower(c_name)) LIKE ALL (fd_word_patterns(words)))
        OR c_phone LIKE fd_like_prefix(phone_prefix)
        OR c_email LIKE fd_like_prefix(email_prefix);

-- Customers matching what was typed (see fd_customer_matches; put the most
-- telling word first), those whose name starts with the first word first,
-- then by name.
CREATE FUNCTION search_customers(venue_id uuid, words text[], phone_prefix text,
                                 email_prefix text, lim integer DEFAULT 20)
    RETURNS TABLE (id uuid, name text, phone text, email text, date_of_birth date, notes text)
    LANGUAGE sql STABLE
AS $$
    SELECT c.id, c.name, c.phone, c.email, c.date_of_birth, c.notes
      FROM customers c
     WHERE c.venue_id = $1
       AND fd_customer_matches(c.name, c.phone, c.email, $2, $3, $4)
     ORDER BY lower(c.name) LIKE fd_like_prefix(lower($2[1])) DESC, lower(c.name), c.id
     LIMIT greatest(coalesce($5, 20), 0)
$$;

-- Bookings from a night on whose guest matches what was typed, or whose
-- reference starts with reference_prefix; soonest first.
CREATE FUNCTION find_bookings(venue_id uuid, words text[], phone_prefix text, email_prefix text,
                              reference_prefix text, from_night date, lim integer DEFAULT 50)
    RETURNS TABLE (booking_id uuid, reference text, night date, starts_at timestamptz,
                   customer_name text, party_size integer, status text, table_names text[])
    LANGUAGE sql STABLE
AS $$
    SELECT b.id, b.reference, b.night, b.starts_at, c.name, b.party_size, b.status,
           ARRAY(SELECT t.name
                   FROM booking_tables bt JOIN venue_tables t ON t.id = bt.table_id
                  WHERE bt.booking_id = b.id
                  ORDER BY t.grid_order, t.name)
      FROM bookings b
      JOIN customers c ON c.venue_id = b.venue_id AND c.id = b.customer_id
     WHERE b.venue_id = $1
       AND b.night >= $6
       AND (b.reference LIKE fd_like_prefix(upper($5))
            OR fd_customer_matches(c.name, c.phone, c.email, $2, $3, $4))
     ORDER BY b.night, b.starts_at, b.reference
     LIMIT greatest(coalesce($7, 50), 0)
$$;

-- ---------------------------------------------------------------------------
-- Writing customers.

-- Why these details cannot be stored, or NULL when they can.
CREATE FUNCTION fd_customer_problem(p_venue uuid, p_customer uuid, p_name text, p_phone text,
                                    p_email text, p_dob date,
                                    OUT error_code text, OUT error_message text)
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    other text;
BEGIN
    IF p_name IS NULL OR btrim(p_name) = '' THEN
        error_code := 'INVALID_CUSTOMER'; error_message := 'Enter the guest''s name.';
    ELSIF p_phone IS NOT NULL AND p_phone !~ '^\+[1-9][0-9]{6,14}$' THEN
        error_code := 'INVALID_CUSTOMER';
        error_message := format('That phone number doesn''t look right: %s.', p_phone);
    ELSIF p_email IS NOT NULL AND (p_email <> lower(btrim(p_email)) OR p_email NOT LIKE '_%@_%') THEN
        error_code := 'INVALID_CUSTOMER';
        error_message := format('That email address doesn''t look right: %s.', p_email);
    ELSIF p_dob IS NOT NULL AND p_dob > current_date THEN
        error_code := 'INVALID_CUSTOMER'; error_message := 'The date of birth is in the future.';
    ELSE
        SELECT c.name INTO other FROM public.customers c
         WHERE c.venue_id = p_venue AND c.phone = p_phone AND c.id IS DISTINCT FROM p_customer;
        IF FOUND THEN
            error_code := 'DUPLICATE_CUSTOMER';
            error_message := format('%s already has the phone number %s.', other, p_phone);
            RETURN;
        END IF;
        SELECT c.name INTO other FROM public.customers c
         WHERE c.venue_id = p_venue AND c.email = p_email AND c.id IS DISTINCT FROM p_customer;
        IF FOUND THEN
            error_code := 'DUPLICATE_CUSTOMER';
            error_message := format('%s already has the email address %s.', other, p_email);
        END IF;
    END IF;
END
$$;

CREATE FUNCTION create_customer(venue_id uuid, customer_name text,
                                customer_phone text DEFAULT NULL,
                                customer_email text DEFAULT NULL,
                                customer_date_of_birth date DEFAULT NULL,
                                customer_notes text DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text, id uuid, name text,
                   phone text, email text, date_of_birth date, notes text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    problem record;
    c       customers%ROWTYPE;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM venues v WHERE v.id = p_venue) THEN
        RETURN QUERY SELECT false, 'UNKNOWN_VENUE', 'There is no such venue.',
            NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
        RETURN;
    END IF;
    problem := fd_customer_problem(p_venue, NULL, $2, $3, $4, $5);
    IF problem.error_code IS NULL THEN
        BEGIN
            INSERT INTO customers (venue_id, name, phone, email, date_of_birth, notes)
            VALUES (p_venue, btrim($2), $3, $4, $5, nullif(btrim($6), ''))
            RETURNING * INTO c;
            RETURN QUERY SELECT true, NULL::text, NULL::text, c.id, c.name, c.phone, c.email,
                c.date_of_birth, c.notes;
            RETURN;
        EXCEPTION WHEN unique_violation THEN  -- another desk saved them just now
            problem := fd_customer_problem(p_venue, NULL, $2, $3, $4, $5);
        END;
    END IF;
    RETURN QUERY SELECT false, coalesce(problem.error_code, 'DUPLICATE_CUSTOMER'),
        coalesce(problem.error_message, 'This guest was just saved at another desk.'),
        NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
END
$$;

CREATE FUNCTION update_customer(venue_id uuid, customer_id uuid, customer_name text,
                                customer_phone text, customer_email text,
                                customer_date_of_birth date, customer_notes text)
    RETURNS TABLE (success boolean, error_code text, error_message text, id uuid, name text,
                   phone text, email text, date_of_birth date, notes text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    p_venue    ALIAS FOR $1;
    p_customer ALIAS FOR $2;
    problem    record;
    c          customers%ROWTYPE;
BEGIN
    PERFORM 1 FROM customers x WHERE x.venue_id = p_venue AND x.id = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 'UNKNOWN_CUSTOMER', 'There is no such customer.',
            NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
        RETURN;
    END IF;
    problem := fd_customer_problem(p_venue, p_customer, $3, $4, $5, $6);
    IF problem.error_code IS NULL THEN
        BEGIN
            UPDATE customers x
               SET name = btrim($3), phone = $4, email = $5, date_of_birth = $6,
                   notes = nullif(btrim($7), ''), updated_at = now()
             WHERE x.venue_id = p_venue AND x.id = p_customer
            RETURNING * INTO c;
            RETURN QUERY SELECT true, NULL::text, NULL::text, c.id, c.name, c.phone, c.email,
                c.date_of_birth, c.notes;
            RETURN;
        EXCEPTION WHEN unique_violation THEN
            problem := fd_customer_problem(p_venue, p_customer, $3, $4, $5, $6);
        END;
    END IF;
    RETURN QUERY SELECT false, coalesce(problem.error_code, 'DUPLICATE_CUSTOMER'),
        coalesce(problem.error_message, 'Those details were just saved for another guest.'),
        NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
END
$$;

-- The guest of a new booking: the customer with this email, else with this
-- phone, else a new one.  A matched customer's missing phone, email or date
-- of birth is filled in from what was typed (when no one else has it), so
-- the age rule sees a date of birth given on the phone.  A booking needs a
-- phone number or an email (as create_booking_atomic does).
CREATE FUNCTION match_or_create_customer(venue_id uuid, customer_name text,
                                         customer_phone text DEFAULT NULL,
                                         customer_email text DEFAULT NULL,
                                         customer_date_of_birth date DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text, id uuid, is_new boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    p_name  ALIAS FOR $2;
    p_phone ALIAS FOR $3;
    p_email ALIAS FOR $4;
    p_dob   ALIAS FOR $5;
    found_id uuid;
    created  record;
    attempt  integer;
BEGIN
    IF p_email IS NULL AND p_phone IS NULL THEN
        RETURN QUERY SELECT false, 'INVALID_CUSTOMER',
            'We need a phone number or an email for the booking.', NULL::uuid, NULL::boolean;
        RETURN;
    END IF;
    FOR attempt IN 1 .. 3 LOOP
        SELECT c.id INTO found_id FROM customers c
         WHERE c.venue_id = p_venue AND p_email IS NOT NULL AND c.email = p_email;
        IF found_id IS NULL THEN
            SELECT c.id INTO found_id FROM customers c
             WHERE c.venue_id = p_venue AND p_phone IS NOT NULL AND c.phone = p_phone;
        END IF;
        IF found_id IS NOT NULL THEN
            UPDATE customers c
               SET phone = coalesce(c.phone, CASE WHEN NOT EXISTS (
                               SELECT 1 FROM customers o WHERE o.venue_id = p_venue AND o.phone = p_phone)
                           THEN p_phone END),
                   email = coalesce(c.email, CASE WHEN NOT EXISTS (
                               SELECT 1 FROM customers o WHERE o.venue_id = p_venue AND o.email = p_email)
                           THEN p_email END),
                   date_of_birth = coalesce(c.date_of_birth, p_dob),
                   updated_at = now()
             WHERE c.id = found_id
               AND ((c.phone IS NULL AND p_phone IS NOT NULL)
                    OR (c.email IS NULL AND p_email IS NOT NULL)
                    OR (c.date_of_birth IS NULL AND p_dob IS NOT NULL));
            RETURN QUERY SELECT true, NULL::text, NULL::text, found_id, false;
            RETURN;
        END IF;
        SELECT * INTO created FROM create_customer(p_venue, p_name, p_phone, p_email, p_dob);
        IF created.success THEN
            RETURN QUERY SELECT true, NULL::text, NULL::text, created.id, true;
            RETURN;
        ELSIF created.error_code <> 'DUPLICATE_CUSTOMER' THEN
            RETURN QUERY SELECT false, created.error_code, created.error_message, NULL::uuid, NULL::boolean;
            RETURN;
        END IF;
        -- saved by another desk meanwhile: match again
    END LOOP;
    RETURN QUERY SELECT false, 'DUPLICATE_CUSTOMER', 'This guest was just saved at another desk; try again.',
        NULL::uuid, NULL::boolean;
END
$$;

-- Writers run as their owner: only the app's role (and the owner) may call them.
REVOKE EXECUTE ON FUNCTION create_customer(uuid, text, text, text, date, text),
                           update_customer(uuid, uuid, text, text, text, date, text),
                           match_or_create_customer(uuid, text, text, text, date)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION create_customer(uuid, text, text, text, date, text),
                          update_customer(uuid, uuid, text, text, text, date, text),
                          match_or_create_customer(uuid, text, text, text, date),
                          search_customers(uuid, text[], text, text, integer),
                          find_bookings(uuid, text[], text, text, text, date, integer)
    TO frontdesk_app;
