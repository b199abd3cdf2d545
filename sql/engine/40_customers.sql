-- Customers: contact details as stored, the one matcher every booking path
-- uses (inside the booking's transaction), and the desk's customer
-- functions (create, update, search as you type).
--
-- Phones are stored as E.164, read in the venue's phone_country when typed
-- without a country code; emails lower-cased.  The data layer normalises
-- with the same rules for display; the engine normalises whatever arrives.

-- ---------------------------------------------------------------------------
-- Contact details.

-- The countries a venue's phones are read in, and the few facts about their
-- numbers the engine needs.  Copied from libphonenumber's metadata (the
-- Python package phonenumbers 9.0.43, PhoneMetadata.metadata_for_region(r)),
-- which frontdesk/contacts.py uses, so that both read a number alike
-- (tests/core/test_phone_parity.py checks these rows against the installed
-- package):
--   calling_code  country_code (ITU-T E.164); `main` marks the country whose
--                 rules read a number of a shared code (+1: the US);
--   trunk_prefix  national_prefix_for_parsing, dropped after the country code
--                 or from a national number (GB's text-relay '180020' and
--                 AU's carrier codes '1831'/'1832' left out);
--   intl_prefix   what starts an international number dialled from there
--                 (international_prefix; FI's, NZ's and AU's carrier
--                 alternatives left out);
--   lengths       general_desc.possible_length: the lengths of a national
--                 significant number (after calling code and trunk prefix);
--   pattern       general_desc.national_number_pattern: the national
--                 significant numbers the country uses at all (a French
--                 mobile's 612345678 is not a UK number).
-- A venue's phone_country should be one of these: national numbers typed
-- for a venue elsewhere are refused.
CREATE OR REPLACE FUNCTION private.fd_phone_countries()
    RETURNS TABLE (country text, calling_code text, main boolean, trunk_prefix text,
                   intl_prefix text, lengths integer[], pattern text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT c.country, c.code, c.country <> 'CA', c.trunk, c.intl, c.lengths::integer[], c.pattern
      FROM (VALUES
        ('GB', '44', '0', '00', '{7,9,10}',
         '[1-357-9]\d{9}|[18]\d{8}|8\d{6}'),
        ('IE', '353', '0', '00', '{7,8,9,10}',
         '(?:1\d|[2569])\d{6,8}|4\d{6,9}|7\d{8}|8\d{8,9}'),
        ('FR', '33', '0', '00', '{9}',
         '[1-9]\d{8}'),
        ('DE', '49', '0', '00', '{4,5,6,7,8,9,10,11,12,13,14,15}',
         '[2579]\d{5,14}|49(?:[34]0|69|8\d)\d\d?|49(?:37|49|60|7[089]|9\d)\d{1,3}|'
         '49(?:2[024-9]|3[2-689]|7[1-7])\d{1,8}|(?:1|[368]\d|4[0-8])\d{3,13}|'
         '49(?:[015]\d|2[13]|31|[46][1-8])\d{1,9}'),
        ('NL', '31', '0', '00', '{5,6,7,8,9,10,11}',
         '(?:[124-7]\d\d|3(?:[02-9]\d|1[0-8]))\d{6}|8\d{6,9}|9\d{6,10}|1\d{4,5}'),
        ('BE', '32', '0', '00', '{8,9}',
         '4\d{8}|[1-9]\d{7}'),
        ('ES', '34', '', '00', '{9}',
         '400\d{6}|(?:51|[6-9]\d)\d{7}'),
        ('PT', '351', '', '00', '{9}',
         '1693\d{5}|(?:[26-9]\d|30)\d{7}'),
        ('IT', '39', '', '00', '{6,7,8,9,10,11,12}',
         '0\d{5,11}|1\d{8,10}|3(?:[0-8]\d{7,10}|9\d{7,8})|(?:43|55|70)\d{8}|8\d{5}(?:\d{2,4})?'),
        ('CH', '41', '0', '00', '{9,12}',
         '8\d{11}|[2-9]\d{8}'),
        ('AT', '43', '0', '00', '{4,5,6,7,8,9,10,11,12,13}',
         '1\d{3,12}|2\d{6,12}|43(?:(?:0\d|5[02-9])\d{3,9}|2\d{4,5}|[3467]\d{4}|8\d{4,6}|'
         '9\d{4,7})|5\d{4,12}|8\d{7,12}|9\d{8,12}|(?:[367]\d|4[0-24-9])\d{4,11}'),
        ('SE', '46', '0', '00', '{6,7,8,9,10,12}',
         '(?:[26]\d\d|9)\d{9}|[1-9]\d{8}|[1-689]\d{7}|[1-4689]\d{6}|2\d{5}'),
        ('NO', '47', '', '00', '{5,8}',
         '(?:0|[2-9]\d{3})\d{4}'),
        ('DK', '45', '', '00', '{8}',
         '[2-9]\d{7}'),
        ('FI', '358', '0', '00', '{5,6,7,8,9,10,11,12}',
         '[1-35689]\d{4}|7\d{10,11}|(?:[124-7]\d|3[0-46-9])\d{8}|[1-9]\d{5,8}'),
        ('PL', '48', '', '00', '{6,7,8,9,10}',
         '(?:6|8\d\d)\d{7}|[1-9]\d{6}(?:\d{2})?|[26]\d{5}'),
        ('US', '1', '1', '011', '{10}',
         '[2-9]\d{9}|3\d{6}'),
        ('CA', '1', '1', '011', '{7,10}',
         '[2-9]\d{9}|3\d{6}'),
        ('AU', '61', '0', '0011', '{5,6,7,8,9,10,12}',
         '1(?:[0-79]\d{7}(?:\d(?:\d{2})?)?|8[0-24-9]\d{7})|[2-478]\d{8}|1\d{4,7}'),
        ('NZ', '64', '0', '00', '{5,6,7,8,9,10}',
         '[1289]\d{9}|50\d{5}(?:\d{2,3})?|[27-9]\d{7,8}|(?:[34]\d|6[0-35-9])\d{6}|8\d{4,6}'),
        ('ZA', '27', '0', '00', '{5,6,7,8,9,10}',
         '[1-79]\d{8}|8\d{4,9}')
      ) AS c (country, code, trunk, intl, lengths, pattern)
$$;

-- Is this a national significant number the country uses (its pattern, and
-- one of its lengths)?
CREATE OR REPLACE FUNCTION private.fd_phone_fits(p_nsn text, p_lengths integer[],
                                                 p_pattern text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p_nsn ~ ('^(?:' || p_pattern || ')$') AND length(p_nsn) = ANY (p_lengths);

-- The number without its trunk prefix, as libphonenumber decides: dropped
-- unless the number fitted the pattern with it and does not without it, or
-- what is left is too short or of a length between the country's lengths.
CREATE OR REPLACE FUNCTION private.fd_phone_strip_trunk(p_number text, p_trunk text,
                                                        p_lengths integer[], p_pattern text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_trunk <> '' AND p_number LIKE p_trunk || '%'
                     AND NOT (p_number ~ ('^(?:' || p_pattern || ')$')
                              AND s.rest !~ ('^(?:' || p_pattern || ')$'))
                     AND (length(s.rest) = ANY (p_lengths)
                          OR length(s.rest) > (SELECT max(l) FROM unnest(p_lengths) AS l))
                THEN s.rest ELSE p_number END
      FROM (SELECT substr(p_number, length(p_trunk) + 1) AS rest) AS s
$$;

-- A phone number as E.164, or NULL when it cannot be one; the same answers
-- as frontdesk.contacts.normalise_phone (tests/core/test_phone_parity.py).
-- Only digits, spaces, brackets, dots, slashes and dashes, and one leading
-- '+', may be typed (no letters, no extensions).  '+' or the country's
-- international prefix ('00'; '011' in North America) starts an
-- international number: its calling code picks the country, whose trunk
-- prefix is dropped ('+44 (0)20 ...', '+44 020 ...').  Anything else is a
-- national number of the venue's country: its trunk prefix dropped, or its
-- calling code typed without '+' ('44 7700 ...') when that makes a number of
-- it.  The national significant number must then be one the country uses
-- (fd_phone_countries' pattern and lengths), so a French '06 12 34 56 78'
-- typed for a UK venue is refused.  A calling code the table does not list
-- is only checked for E.164's shape (its '(0)' dropped).
CREATE OR REPLACE FUNCTION private.fd_normalise_phone(p_phone text, p_country text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    -- every run of whitespace (what Python's \s knows) as one space, trimmed
    typed   text := btrim(regexp_replace(
                       p_phone,
                       '[\t\n\v\f\r\x1c-\x1f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+',
                       ' ', 'g'));
    digits  text;   -- the digits, '+' kept
    no_zero text;   -- the same with a bracketed '(0)' dropped
    venue   record;
    c       record;
    nsn     text;
    cc      text;
BEGIN
    IF typed IS NULL OR typed !~ '^\+?[0-9 ()./-]+$' THEN
        RETURN NULL;
    END IF;
    digits := regexp_replace(typed, '[^0-9+]', '', 'g');
    no_zero := regexp_replace(replace(typed, '(0)', ''), '[^0-9+]', '', 'g');
    SELECT * INTO venue FROM private.fd_phone_countries() x WHERE x.country = p_country;
    IF digits LIKE '+%' THEN
        digits := substr(digits, 2);
        no_zero := substr(no_zero, 2);
    ELSIF venue.intl_prefix IS NOT NULL AND digits LIKE venue.intl_prefix || '%' THEN
        digits := substr(digits, length(venue.intl_prefix) + 1);
        no_zero := substr(no_zero, length(venue.intl_prefix) + 1);
    ELSIF venue.country IS NULL THEN
        RETURN NULL;  -- a national number of a country we cannot read
    ELSE
        cc := venue.calling_code;
        nsn := private.fd_phone_strip_trunk(substr(digits, length(cc) + 1), venue.trunk_prefix,
                                            venue.lengths, venue.pattern);
        IF digits LIKE cc || '%'
           AND ((digits !~ ('^(?:' || venue.pattern || ')$')
                 AND nsn ~ ('^(?:' || venue.pattern || ')$'))
                OR length(digits) > (SELECT max(l) FROM unnest(venue.lengths) AS l)) THEN
            NULL;  -- the calling code typed without '+'
        ELSE
            nsn := private.fd_phone_strip_trunk(digits, venue.trunk_prefix, venue.lengths,
                                                venue.pattern);
        END IF;
        RETURN CASE WHEN private.fd_phone_fits(nsn, venue.lengths, venue.pattern)
                    THEN '+' || cc || nsn END;
    END IF;
    SELECT * INTO c FROM private.fd_phone_countries() x
     WHERE digits LIKE x.calling_code || '%'
     ORDER BY x.country = p_country DESC, x.main DESC
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN CASE WHEN no_zero ~ '^[1-9][0-9]{6,14}$' THEN '+' || no_zero END;
    END IF;
    nsn := private.fd_phone_strip_trunk(substr(digits, length(c.calling_code) + 1),
                                        c.trunk_prefix, c.lengths, c.pattern);
    RETURN CASE WHEN private.fd_phone_fits(nsn, c.lengths, c.pattern)
                THEN '+' || c.calling_code || nsn END;
END
$$;

-- A stored (E.164) phone as dialled in the venue's country: its trunk '0'
-- and national number for a number of that country ('07700900123'; North
-- American numbers without their '1'), else as stored.  For messages.
CREATE OR REPLACE FUNCTION private.fd_phone_as_dialled(p_phone text, p_country text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(
        (SELECT CASE WHEN c.trunk_prefix = '0' THEN '0' ELSE '' END
                || substr(p_phone, length(c.calling_code) + 2)
           FROM private.fd_phone_countries() c
          WHERE c.country = p_country AND p_phone LIKE '+' || c.calling_code || '%'),
        p_phone)
$$;

-- An email as stored (lower case, trimmed), or NULL when it cannot be one.
CREATE OR REPLACE FUNCTION private.fd_normalise_email(p_email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN lower(btrim(p_email)) ~ '^[^@[:space:]]+@[^@[:space:]]+$'
                THEN lower(btrim(p_email)) END;

-- ---------------------------------------------------------------------------
-- Is a contact's owner the guest typed?

-- A name's words, to compare guests: lower case, Latin accents dropped and
-- ligatures spelt out ('Zoë Brontë' -> zoe, bronte; 'Æsa' -> aesa), split at
-- spaces and punctuation ("Mary-Jane O'Neil" -> mary, jane, o, neil).
-- Letters of other scripts are kept as they are.
CREATE OR REPLACE FUNCTION private.fd_name_words(p_name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE  -- one expression, no query: inlined into its caller
    RETURN coalesce(array_remove(regexp_split_to_array(
               lower(translate(
                   replace(replace(replace(replace(replace(replace(replace(replace(replace(
                       p_name, 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'),
                       'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'),
                   'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïð'
                   'ñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞ'
                   'ğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌōŎŏŐ'
                   'őŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž',
                   'aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiid'
                   'noooooouuuuyyaaaaaaccccccccddddeeeeeeeeeeggg'
                   'ggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnooooo'
                   'orrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz')),
               '[[:space:][:punct:]\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000'
               '\u2010-\u2015\u2018-\u201f\u00ab\u00bb]+'), ''), '{}');

-- Is the name typed with a phone or email the name of the customer who has
-- it?  The same guest when, ignoring case, accents, punctuation and spaces
-- (fd_name_words), the names are equal ("Mary-Jane O'Neil", "maryjane
-- oneil"), or the last word of either is a word of the other: the same
-- surname ('Ollie Green' and 'O. Green' are Oliver Green), the name the
-- other way round ('Green, Oliver') or one of its names alone ('Oliver').
-- Sharing nothing ('Impostor Person') or only a first name ('Oliver
-- Smith') is someone else.  No name typed contradicts nobody.
CREATE OR REPLACE FUNCTION private.fd_same_guest(p_typed text, p_stored text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    t text[] := private.fd_name_words(p_typed);
    s text[] := private.fd_name_words(p_stored);
BEGIN
    RETURN cardinality(t) = 0 OR cardinality(s) = 0
           OR array_to_string(t, '') = array_to_string(s, '')
           OR t[cardinality(t)] = ANY (s)
           OR s[cardinality(s)] = ANY (t);
END
$$;

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
--
-- A contact is never silently someone else's: when the email is one
-- customer's and the phone another's, or the customer they lead to has a
-- name that is not the one typed (fd_same_guest), it refuses
-- CONTACT_BELONGS_TO_OTHER, saying whose they are ("07700910777 is Oliver
-- Green's number.", the phone as dialled in the venue's country).  The
-- desk then chooses that customer, or takes other details.
CREATE OR REPLACE FUNCTION private.fd_find_customer(p_venue_id uuid, p_customer_id uuid,
                                                    p_name text, p_phone text, p_email text,
                                                    p_date_of_birth date, p_walk_in boolean,
                                                    OUT customer_id uuid, OUT name text,
                                                    OUT phone text, OUT email text,
                                                    OUT date_of_birth date,
                                                    OUT refusal private.fd_refusal)
    LANGUAGE plpgsql STABLE
    -- Planned once: a booking with no phone (the website's, most of them)
    -- made the look-up by phone fold to "no row" in a custom plan, cheaper
    -- than any generic one, so the plan cache planned it again on every
    -- call (17 µs a booking, plans = calls in pg_stat_statements).  Every
    -- statement here is a key or unique-index look-up: one plan suits all.
    SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_variable
DECLARE
    country  text;
    by_email record;
    by_phone record;
    owner    record;
    whose    text;
BEGIN
    name := nullif(btrim(p_name), '');
    -- A customer the desk chose: the details typed are not looked at.
    IF p_customer_id IS NOT NULL THEN
        SELECT c.id, coalesce(c.date_of_birth, p_date_of_birth) INTO customer_id, date_of_birth
          FROM public.customers c WHERE c.venue_id = p_venue_id AND c.id = p_customer_id;
        IF NOT FOUND THEN
            refusal := private.fd_refuse('INVALID_CUSTOMER',
                                         'That customer is not one of this venue''s.');
        ELSIF EXISTS (SELECT 1 FROM public.customers c
                       WHERE c.id = p_customer_id AND c.erased_at IS NOT NULL) THEN
            refusal := private.fd_refuse('INVALID_CUSTOMER',
                'This guest''s details were erased at their request: book them as a new '
                'guest.');
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
    SELECT c.id, c.name, c.date_of_birth INTO by_email
      FROM public.customers c WHERE c.venue_id = p_venue_id AND c.email = email;
    SELECT c.id, c.name, c.date_of_birth INTO by_phone
      FROM public.customers c WHERE c.venue_id = p_venue_id AND c.phone = phone;
    IF by_email.id IS NOT NULL AND by_phone.id IS NOT NULL AND by_email.id <> by_phone.id THEN
        refusal := private.fd_refuse('CONTACT_BELONGS_TO_OTHER',
            format('%s is %s''s number and %s is %s''s email address.',
                   private.fd_phone_as_dialled(phone, country), by_phone.name, email,
                   by_email.name));
        RETURN;
    END IF;
    owner := CASE WHEN by_email.id IS NOT NULL THEN by_email ELSE by_phone END;
    IF owner.id IS NOT NULL AND NOT private.fd_same_guest(name, owner.name) THEN
        whose := CASE WHEN by_email.id IS NULL
                      THEN format('%s is %s''s number.',
                                  private.fd_phone_as_dialled(phone, country), owner.name)
                      WHEN by_phone.id IS NULL
                      THEN format('%s is %s''s email address.', email, owner.name)
                      ELSE format('%s and %s are %s''s.',
                                  private.fd_phone_as_dialled(phone, country), email, owner.name)
                 END;
        refusal := private.fd_refuse('CONTACT_BELONGS_TO_OTHER', whose);
        RETURN;
    END IF;
    customer_id := owner.id;
    date_of_birth := coalesce(owner.date_of_birth, p_date_of_birth);
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
        -- Most bookings of a known guest fill nothing in: a read through the
        -- key says so, and the UPDATE (which opens and locks the table's
        -- seven indexes in every transaction) is not run.
        IF NOT EXISTS (SELECT 1 FROM public.customers c
                        WHERE c.venue_id = p_venue_id AND c.id = p_customer_id
                          AND ((c.phone IS NULL AND p_phone IS NOT NULL)
                               OR (c.email IS NULL AND p_email IS NOT NULL)
                               OR (c.date_of_birth IS NULL AND p_date_of_birth IS NOT NULL))) THEN
            RETURN;
        END IF;
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
    gate  private.fd_refusal := private.fd_require_session($1, false);
BEGIN
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::uuid, NULL::boolean;
        RETURN;
    END IF;
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
    gate    private.fd_refusal := private.fd_require_session($1, false);
BEGIN
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message,
            NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
        RETURN;
    END IF;
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
    gate       private.fd_refusal := private.fd_require_session($1, false);
BEGIN
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message,
            NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::date, NULL::text;
        RETURN;
    END IF;
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
       AND private.fd_check_reader($1, false)  -- a signed-in desk of the venue, or raises
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
       AND private.fd_check_reader($1, false)  -- a signed-in desk of the venue, or raises
       AND b.night >= $6
       AND (b.reference LIKE private.fd_like_prefix(upper($5))
            OR private.fd_customer_matches(c.name, c.phone, c.email, $2, $3, $4))
     ORDER BY b.night, b.starts_at, b.reference
     LIMIT greatest(coalesce($7, 50), 0)
$$;
