-- Customers: contact details as stored, the one matcher every booking path
-- uses (inside the booking's transaction), and the desk's customer
-- functions (create, update, search as you type).
--
-- Phones are stored as E.164, read in the venue's phone_country when typed
-- without a country code; emails lower-cased.  The data layer normalises
-- with the same rules for display; the engine normalises whatever arrives.

-- ---------------------------------------------------------------------------
-- Contact details.

-- Calling code and national trunk prefix of the countries a venue may be
-- in (ITU-T E.164 assignments; trunk prefix as dialled nationally).
CREATE OR REPLACE FUNCTION private.fd_phone_country(p_country text,
                                                    OUT calling_code text, OUT trunk_prefix text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT c.code, c.trunk
      FROM (VALUES ('GB', '44', '0'), ('IE', '353', '0'), ('FR', '33', '0'), ('DE', '49', '0'),
                   ('NL', '31', '0'), ('BE', '32', '0'), ('ES', '34', ''), ('PT', '351', ''),
                   ('IT', '39', ''), ('CH', '41', '0'), ('AT', '43', '0'), ('SE', '46', '0'),
                   ('NO', '47', ''), ('DK', '45', ''), ('FI', '358', '0'), ('PL', '48', ''),
                   ('US', '1', '1'), ('CA', '1', '1'), ('AU', '61', '0'), ('NZ', '64', '0'),
                   ('ZA', '27', '0')) AS c (country, code, trunk)
     WHERE c.country = p_country
$$;

-- A phone number as E.164, or NULL when it cannot be one.  Spaces, dashes,
-- brackets, dots and slashes go; '00' means international; '+44 (0)20...'
-- drops the bracketed trunk zero; a number starting with the venue
-- country's trunk prefix, or with no prefix at all, is a national number of
-- that country.
CREATE OR REPLACE FUNCTION private.fd_normalise_phone(p_phone text, p_country text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p ~ '^\+[1-9][0-9]{6,14}$' THEN p END
      FROM (SELECT CASE WHEN s LIKE '+%' THEN s
                        WHEN s LIKE '00%' THEN '+' || substr(s, 3)
                        WHEN c.trunk_prefix <> '' AND s LIKE c.trunk_prefix || '%'
                            THEN '+' || c.calling_code || substr(s, length(c.trunk_prefix) + 1)
                        WHEN s ~ '^[1-9]' THEN '+' || c.calling_code || s
                   END AS p
              FROM (SELECT regexp_replace(
                               CASE WHEN btrim(p_phone) ~ '^(\+|00)'
                                    THEN replace(p_phone, '(0)', '') ELSE p_phone END,
                               '[[:space:]()./-]', '', 'g') AS s) AS stripped
              LEFT JOIN private.fd_phone_country(p_country) c ON true
           ) AS prefixed
$$;

-- An email as stored (lower case, trimmed), or NULL when it cannot be one.
CREATE OR REPLACE FUNCTION private.fd_normalise_email(p_email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN lower(btrim(p_email)) ~ '^[^@[:space:]]+@[^@[:space:]]+$'
                THEN lower(btrim(p_email)) END;

-- ---------------------------------------------------------------------------
-- Who a booking is for: the one matcher, used by every path (the website's
-- create_booking_atomic, the desk's desk_book and walk_in, and
-- match_or_create_customer).  It only reads; fd_save_customer writes what
-- it found once the booking is sure to be written, so a refused booking
-- leaves no customer behind and changes none.
--
-- The given customer; else the venue's customer with this email, else with
-- this phone; else a new one (customer_id NULL).  Walk-ins may have no
-- contact details.  date_of_birth is the one the age rule must use: the
-- customer's, else the one typed.
CREATE OR REPLACE FUNCTION private.fd_find_customer(p_venue_id uuid, p_customer_id uuid,
                                                    p_name text, p_phone text, p_email text,
                                                    p_date_of_birth date, p_walk_in boolean,
                                                    OUT customer_id uuid, OUT name text,
                                                    OUT phone text, OUT email text,
                                                    OUT date_of_birth date,
                                                    OUT refusal private.fd_refusal)
    LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_variable
DECLARE
    country text;
BEGIN
    name := nullif(btrim(p_name), '');
    -- A customer the desk chose: the details typed are not looked at.
    IF p_customer_id IS NOT NULL THEN
        SELECT c.id, coalesce(c.date_of_birth, p_date_of_birth) INTO customer_id, date_of_birth
          FROM public.customers c WHERE c.venue_id = p_venue_id AND c.id = p_customer_id;
        IF NOT FOUND THEN
            refusal := private.fd_refuse('INVALID_CUSTOMER',
                                         'That customer is not one of this venue''s.');
        END IF;
        RETURN;
    END IF;
    SELECT v.phone_country INTO country FROM public.venues v WHERE v.id = p_venue_id;
    email := private.fd_normalise_email(p_email);
    phone := private.fd_normalise_phone(p_phone, country);
    IF nullif(btrim(p_email), '') IS NOT NULL AND email IS NULL THEN
        refusal := private.fd_refuse('INVALID_CUSTOMER',
                                     format('"%s" is not an email address.', btrim(p_email)));
        RETURN;
    ELSIF nullif(btrim(p_phone), '') IS NOT NULL AND phone IS NULL THEN
        refusal := private.fd_refuse('INVALID_CUSTOMER',
                                     format('"%s" is not a phone number.', btrim(p_phone)));
        RETURN;
    END IF;
    IF email IS NULL AND phone IS NULL AND NOT p_walk_in THEN
        refusal := private.fd_refuse('INVALID_CUSTOMER',
                                     'We need a phone number or an email for the booking.');
        RETURN;
    END IF;
    SELECT c.id, coalesce(c.date_of_birth, p_date_of_birth) INTO customer_id, date_of_birth
      FROM public.customers c
     WHERE c.venue_id = p_venue_id AND (c.email = email OR c.phone = phone)
     ORDER BY c.email IS NOT DISTINCT FROM email DESC  -- the email's owner first
     LIMIT 1;
    IF customer_id IS NULL THEN
        date_of_birth := p_date_of_birth;
        IF name IS NULL THEN
            refusal := private.fd_refuse('INVALID_CUSTOMER', 'We need the guest''s name.');
        END IF;
    END IF;
END
$$;

-- Write what fd_find_customer found: create the new customer, or fill in a
-- matched customer's missing phone, email or date of birth (when no one
-- else has that phone or email).  Another booking may create the same
-- customer at the same moment: ON CONFLICT waits for it, and the second
-- look then sees it.  Contact-less walk-ins named 'Walk-in' share one
-- customer per venue (created under a lock of its own, namespace 4).
-- Returns the customer's id and whether it is new.
CREATE OR REPLACE FUNCTION private.fd_save_customer(p_venue_id uuid, p_customer_id uuid,
                                                    p_name text, p_phone text, p_email text,
                                                    p_date_of_birth date,
                                                    OUT customer_id uuid, OUT is_new boolean)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_variable
BEGIN
    is_new := false;
    IF p_customer_id IS NOT NULL THEN
        customer_id := p_customer_id;
        UPDATE public.customers c
           SET phone = coalesce(c.phone, CASE WHEN NOT EXISTS (
                           SELECT 1 FROM public.customers o
                            WHERE o.venue_id = p_venue_id AND o.phone = p_phone) THEN p_phone END),
               email = coalesce(c.email, CASE WHEN NOT EXISTS (
                           SELECT 1 FROM public.customers o
                            WHERE o.venue_id = p_venue_id AND o.email = p_email) THEN p_email END),
               date_of_birth = coalesce(c.date_of_birth, p_date_of_birth),
               updated_at = now()
         WHERE c.venue_id = p_venue_id AND c.id = p_customer_id
           AND ((c.phone IS NULL AND p_phone IS NOT NULL)
                OR (c.email IS NULL AND p_email IS NOT NULL)
                OR (c.date_of_birth IS NULL AND p_date_of_birth IS NOT NULL));
        RETURN;
    END IF;
    IF p_email IS NULL AND p_phone IS NULL AND p_name = 'Walk-in' THEN
        PERFORM pg_advisory_xact_lock(4, hashtext(p_venue_id::text));
        SELECT c.id INTO customer_id FROM public.customers c
         WHERE c.venue_id = p_venue_id AND c.name = 'Walk-in' AND c.email IS NULL
           AND c.phone IS NULL
         ORDER BY c.created_at LIMIT 1;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    INSERT INTO public.customers (venue_id, name, email, phone, date_of_birth)
    VALUES (p_venue_id, p_name, p_email, p_phone, p_date_of_birth)
    ON CONFLICT DO NOTHING
    RETURNING customers.id INTO customer_id;
    IF customer_id IS NOT NULL THEN
        is_new := true;
        RETURN;
    END IF;
    SELECT c.id INTO customer_id FROM public.customers c
     WHERE c.venue_id = p_venue_id AND (c.email = p_email OR c.phone = p_phone)
     ORDER BY c.email IS NOT DISTINCT FROM p_email DESC
     LIMIT 1;
END
$$;

-- The guest of a new booking, matched or created now (the desk's "new
-- guest" before it books).  The same matcher as the booking functions.
CREATE OR REPLACE FUNCTION public.match_or_create_customer(venue_id uuid, customer_name text,
                                                           customer_phone text DEFAULT NULL,
                                                           customer_email text DEFAULT NULL,
                                                           customer_date_of_birth date DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text, id uuid, is_new boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    found record;
    saved record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM venues v WHERE v.id = $1) THEN
        RETURN QUERY SELECT false, 'UNKNOWN_VENUE', 'There is no such venue.', NULL::uuid,
            NULL::boolean;
        RETURN;
    END IF;
    found := private.fd_find_customer($1, NULL, $2, $3, $4, $5, false);
    IF (found.refusal).code IS NOT NULL THEN
        RETURN QUERY SELECT false, (found.refusal).code, (found.refusal).message, NULL::uuid,
            NULL::boolean;
        RETURN;
    END IF;
    saved := private.fd_save_customer($1, found.customer_id, found.name, found.phone,
                                      found.email, $5);
    RETURN QUERY SELECT true, NULL::text, NULL::text, saved.customer_id, saved.is_new;
END
$$;

-- ---------------------------------------------------------------------------
-- Creating and changing a customer at the desk.

-- Why these details cannot be stored, or NULL when they can.
CREATE OR REPLACE FUNCTION private.fd_customer_problem(p_venue uuid, p_customer uuid,
                                                       p_name text, p_phone text, p_email text,
                                                       p_dob date,
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
    ELSIF p_dob IS NOT NULL AND p_dob > private.fd_now()::date THEN
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

CREATE OR REPLACE FUNCTION public.create_customer(venue_id uuid, customer_name text,
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
    problem := private.fd_customer_problem(p_venue, NULL, $2, $3, $4, $5);
    IF problem.error_code IS NULL THEN
        BEGIN
            INSERT INTO customers (venue_id, name, phone, email, date_of_birth, notes)
            VALUES (p_venue, btrim($2), $3, $4, $5, nullif(btrim($6), ''))
            RETURNING * INTO c;
            RETURN QUERY SELECT true, NULL::text, NULL::text, c.id, c.name, c.phone, c.email,
                c.date_of_birth, c.notes;
            RETURN;
        EXCEPTION WHEN unique_violation THEN  -- another desk saved them just now
            problem := private.fd_customer_problem(p_venue, NULL, $2, $3, $4, $5);
        END;
    END IF;
    RETURN QUERY SELECT false, coalesce(problem.error_code, 'DUPLICATE_CUSTOMER'),
        coalesce(problem.error_message, 'This guest was just saved at another desk.'),
        NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
END
$$;

CREATE OR REPLACE FUNCTION public.update_customer(venue_id uuid, customer_id uuid,
                                                  customer_name text, customer_phone text,
                                                  customer_email text,
                                                  customer_date_of_birth date,
                                                  customer_notes text)
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
    problem := private.fd_customer_problem(p_venue, p_customer, $3, $4, $5, $6);
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
            problem := private.fd_customer_problem(p_venue, p_customer, $3, $4, $5, $6);
        END;
    END IF;
    RETURN QUERY SELECT false, coalesce(problem.error_code, 'DUPLICATE_CUSTOMER'),
        coalesce(problem.error_message, 'Those details were just saved for another guest.'),
        NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
END
$$;

-- ---------------------------------------------------------------------------
-- Search as you type.  A word typed matches the start of any word of the
-- name ("smit" finds "Amelia Smith"): ' ' || lower(name) LIKE '% smit%',
-- through the pg_trgm GIN index customers_name_words (pg_trgm pads word
-- starts, so two letters are enough).  Phones and emails match by prefix
-- through text_pattern_ops btree indexes.

-- A LIKE pattern for text starting with p (NULL for NULL): %, _ and \ typed
-- by a person match themselves.
CREATE OR REPLACE FUNCTION private.fd_like_prefix(p text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(replace(replace(p, '\', '\\'), '%', '\%'), '_', '\_') || '%';

-- The LIKE patterns for name words: each must start a word of the name.
CREATE OR REPLACE FUNCTION private.fd_word_patterns(words text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT '% ' || private.fd_like_prefix(lower(w)) FROM unnest(words) AS w);

-- Does a customer match what was typed?  Every name word must start a word
-- of the name (the first through the trigram index); or the phone or email
-- starts with the prefix.  Inlined into the queries below.
CREATE OR REPLACE FUNCTION private.fd_customer_matches(c_name text, c_phone text, c_email text,
                                                       words text[], phone_prefix text,
                                                       email_prefix text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((' ' || lower(c_name)) LIKE '% ' || private.fd_like_prefix(lower(words[1]))
            AND (' ' || lower(c_name)) LIKE ALL (private.fd_word_patterns(words)))
        OR c_phone LIKE private.fd_like_prefix(phone_prefix)
        OR c_email LIKE private.fd_like_prefix(email_prefix);

-- Customers matching what was typed (put the most telling word first),
-- those whose name starts with the first word first, then by name.
CREATE OR REPLACE FUNCTION public.search_customers(venue_id uuid, words text[], phone_prefix text,
                                                   email_prefix text, lim integer DEFAULT 20)
    RETURNS TABLE (id uuid, name text, phone text, email text, date_of_birth date, notes text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT c.id, c.name, c.phone, c.email, c.date_of_birth, c.notes
      FROM customers c
     WHERE c.venue_id = $1
       AND private.fd_customer_matches(c.name, c.phone, c.email, $2, $3, $4)
     ORDER BY lower(c.name) LIKE private.fd_like_prefix(lower($2[1])) DESC, lower(c.name), c.id
     LIMIT greatest(coalesce($5, 20), 0)
$$;

-- Bookings from a night on whose guest matches what was typed, or whose
-- reference starts with reference_prefix; soonest first.
CREATE OR REPLACE FUNCTION public.find_bookings(venue_id uuid, words text[], phone_prefix text,
                                                email_prefix text, reference_prefix text,
                                                from_night date, lim integer DEFAULT 50)
    RETURNS TABLE (booking_id uuid, reference text, night date, starts_at timestamptz,
                   customer_name text, party_size integer, status text, table_names text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
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
       AND (b.reference LIKE private.fd_like_prefix(upper($5))
            OR private.fd_customer_matches(c.name, c.phone, c.email, $2, $3, $4))
     ORDER BY b.night, b.starts_at, b.reference
     LIMIT greatest(coalesce($7, 50), 0)
$$;
