-- Changing a booking's own details after it is made: the occasion, the
-- special requests, the payment reference and where it came from (its
-- source).  Tables, times and party go through move_booking
-- (54_desk_changes.sql), the guest's own details through update_customer
-- (40_customers.sql).  Audited and told on the change feed ('updated') by
-- the bookings triggers (70_audit.sql, 72_change_feed.sql); none of these
-- columns is one a booking rule looks at (34_validation_trigger.sql), so a
-- typo is fixed whatever the booking's night or status.

-- Every text is replaced as given (blank or NULL clears it); a NULL source
-- keeps the booking's.  Input as every booking path checks it
-- (fd_input_refusal: INVALID_INPUT naming the field).  Codes: NOT_SIGNED_IN,
-- INVALID_INPUT, UNKNOWN_BOOKING, BUSY (the booking locked by another
-- transaction for over 2 s).
CREATE OR REPLACE FUNCTION public.update_booking_details(booking_id uuid,
                                                         special_requests text,
                                                         occasion text,
                                                         payment_ref text,
                                                         source text DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_booking  ALIAS FOR $1;
    v_requests text := nullif(btrim($2), '');
    v_occasion text := nullif(btrim($3), '');
    v_payment  text := nullif(btrim($4), '');
    v_source   text := nullif(btrim($5), '');
    v_venue    uuid := (SELECT b.venue_id FROM bookings b WHERE b.id = $1);
    gate       private.fd_refusal := private.fd_require_session(v_venue, false);
    refusal    private.fd_refusal;
BEGIN
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message;
        RETURN;
    END IF;
    IF v_venue IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.';
        RETURN;
    END IF;
    refusal := private.fd_input_refusal(NULL, NULL, NULL, NULL, v_requests, v_occasion,
                                        v_payment, v_source);
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message;
        RETURN;
    END IF;
    BEGIN
        UPDATE bookings b
           SET special_requests = v_requests, occasion = v_occasion,
               stripe_payment_intent_id = v_payment, source = coalesce(v_source, b.source),
               updated_at = now()
         WHERE b.id = p_booking
           AND (b.special_requests, b.occasion, b.stripe_payment_intent_id, b.source)
               IS DISTINCT FROM (v_requests, v_occasion, v_payment, coalesce(v_source, b.source));
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'BUSY',
            format('Booking %s is being changed at another desk; try again in a moment.',
                   (SELECT b.reference FROM bookings b WHERE b.id = p_booking));
        RETURN;
    END;
    RETURN QUERY SELECT true, NULL::text, NULL::text;
END
$$;

-- What the "Change booking" dialog edits, read fresh when it opens: the
-- booking's details and its guest's, as stored.  No row for an unknown
-- booking; raises 42501 (NOT_SIGNED_IN in DETAIL) for a desk without a
-- session of the booking's venue, as every read of guests' data does.
CREATE OR REPLACE FUNCTION public.booking_details(booking_id uuid)
    RETURNS TABLE (customer_id uuid, name text, phone text, email text, date_of_birth date,
                   notes text, special_requests text, occasion text, payment_ref text,
                   source text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT c.id, c.name, c.phone, c.email, c.date_of_birth, c.notes, b.special_requests,
           b.occasion, b.stripe_payment_intent_id, b.source
      FROM bookings b
      JOIN customers c ON c.venue_id = b.venue_id AND c.id = b.customer_id
     WHERE b.id = $1
       AND private.fd_check_reader(b.venue_id, false)  -- a signed-in desk of the venue, or raises
$$;
