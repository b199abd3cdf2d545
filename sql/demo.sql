-- The demo venue: The Backroom Leeds.  Two floors of booths, club nights
-- ("La Fiesta" on Fridays, "Shhh!" on Saturdays) for the coming weeks, some
-- customers and bookings on upcoming nights so a new user sees a living grid.
--
-- Dates are relative to today, so the demo is always current.  Running it
-- again adds nothing: it stops when the venue exists.

DO $demo$
DECLARE
    v_id       constant uuid := 'b4c12000-0000-4000-8000-000000000001';
    down_id    uuid;
    up_id      uuid;
    alphabet   constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    d          date;
    today      date;
    span       tstzrange;
    t          record;
    c_ids      uuid[];
    c          uuid;
    b_id       uuid;
    n          integer := 0;
    slot       integer;
    starts     timestamptz;
    ends       timestamptz;
    ref        text;
    status     text;
BEGIN
    IF EXISTS (SELECT 1 FROM venues WHERE id = v_id) THEN
        RAISE NOTICE 'demo venue already loaded';
        RETURN;
    END IF;

    INSERT INTO venues (id, name, time_zone, default_booking_minutes, hold_minutes)
    VALUES (v_id, 'The Backroom Leeds', 'Europe/London', 150, 10);
    today := (private.fd_now() AT TIME ZONE 'Europe/London')::date;

    -- Wednesday to Saturday, into the small hours.
    INSERT INTO opening_hours (venue_id, weekday, opens, closes) VALUES
        (v_id, 3, '21:00', '02:00'),
        (v_id, 4, '21:00', '03:00'),
        (v_id, 5, '21:00', '04:00'),
        (v_id, 6, '21:00', '04:00');

    INSERT INTO floors (venue_id, name, sort_order) VALUES (v_id, 'Downstairs', 1)
        RETURNING id INTO down_id;
    INSERT INTO floors (venue_id, name, sort_order) VALUES (v_id, 'Upstairs', 2)
        RETURNING id INTO up_id;

    INSERT INTO venue_tables (venue_id, floor_id, name, capacity, min_spend, deposit, is_premium, grid_order)
    SELECT v_id, CASE WHEN f = 'D' THEN down_id ELSE up_id END, name, cap, spend, dep, prem, ord
      FROM (VALUES
        ('D', 'Booth 1',  4,  100.00,  25.00, false,  1),
        ('D', 'Booth 2',  4,  100.00,  25.00, false,  2),
        ('D', 'Booth 3',  6,  150.00,  50.00, false,  3),
        ('D', 'Booth 4',  6,  150.00,  50.00, false,  4),
        ('D', 'Booth 5',  8,  250.00,  50.00, false,  5),
        ('D', 'Booth 6',  8,  250.00,  50.00, false,  6),
        ('D', 'Booth 7', 10,  400.00, 100.00, false,  7),
        ('D', 'DJ Booth', 12, 1000.00, 200.00, true,  8),
        ('U', 'Booth 9',  4,  100.00,  25.00, false,  9),
        ('U', 'Booth 10', 4,  100.00,  25.00, false, 10),
        ('U', 'Booth 11', 6,  200.00,  50.00, false, 11),
        ('U', 'Booth 12', 6,  200.00,  50.00, false, 12),
        ('U', 'Booth 13', 8,  300.00, 100.00, false, 13),
        ('U', 'Booth 14', 8,  300.00, 100.00, false, 14),
        ('U', 'Balcony 1', 10, 600.00, 150.00, true, 15),
        ('U', 'Balcony 2', 12, 800.00, 200.00, true, 16)
      ) AS x (f, name, cap, spend, dep, prem, ord);

    -- Neighbours on the same floor may be joined.
    INSERT INTO table_joins (venue_id, table_a, table_b)
    SELECT v_id, least(a.id, b.id), greatest(a.id, b.id)
      FROM venue_tables a
      JOIN venue_tables b ON b.venue_id = a.venue_id AND b.floor_id = a.floor_id
                         AND b.grid_order = a.grid_order + 1
     WHERE a.venue_id = v_id;

    INSERT INTO staff (venue_id, name, role) VALUES
        (v_id, 'Host', 'host'), (v_id, 'Priya', 'host'), (v_id, 'Dan', 'host'),
        (v_id, 'Manager', 'manager');

    -- Club nights for the coming weeks, and one private hire.
    FOR d IN SELECT g::date FROM generate_series(today, today + 70, interval '1 day') g LOOP
        IF extract(isodow FROM d) = 5 THEN
            INSERT INTO nights (venue_id, night, event_name, min_spend_factor, deposit_factor)
            VALUES (v_id, d, 'La Fiesta', NULL, NULL);
        ELSIF extract(isodow FROM d) = 6 THEN
            INSERT INTO nights (venue_id, night, event_name, min_spend_factor, deposit_factor)
            VALUES (v_id, d, 'Shhh!', 1.25, 1.00);
        END IF;
    END LOOP;
    INSERT INTO nights (venue_id, night, is_closed, event_name, notes)
    SELECT v_id, g::date, true, 'Private hire', 'Closed to the public'
      FROM generate_series(today + 15, today + 21, interval '1 day') g
     WHERE extract(isodow FROM g) = 3
     LIMIT 1;

    INSERT INTO customers (venue_id, name, email, phone, date_of_birth)
    SELECT v_id, first || ' ' || last,
           lower(first || '.' || last || i || '@example.com'),
           '+4477009' || lpad((10000 + i * 37)::text, 5, '0'),
           date '1985-01-01' + (i * 97 % 4000)
      FROM (SELECT i,
                   (ARRAY['Amelia','Oliver','Isla','Jack','Ava','Harry','Mia','George',
                          'Grace','Noah','Freya','Leo','Ella','Arthur','Lily','Oscar',
                          'Sophie','Charlie','Ruby','Alfie'])[1 + i % 20] AS first,
                   (ARRAY['Khan','Smith','Patel','Jones','Walker','Brown','Taylor',
                          'Wilson','Wright','Hughes','Clarke','Ahmed','Green','Hall',
                          'Wood'])[1 + (i * 7) % 15] AS last
              FROM generate_series(1, 60) i) AS people;
    SELECT array_agg(id ORDER BY created_at, email) INTO c_ids FROM customers WHERE venue_id = v_id;

    -- Bookings on the open nights of the next two weeks: an early and a late
    -- sitting on most booths, busier at the weekend.
    FOR d IN SELECT g::date FROM generate_series(today, today + 14, interval '1 day') g LOOP
        span := private.fd_night_span(v_id, d);
        CONTINUE WHEN span IS NULL;
        FOR t IN SELECT * FROM venue_tables WHERE venue_id = v_id ORDER BY grid_order LOOP
            FOR slot IN 0..1 LOOP
                n := n + 1;
                -- weekend nights fill up; midweek is quieter
                CONTINUE WHEN (n * 7 + t.grid_order * 3) % 10 >=
                              CASE WHEN extract(isodow FROM d) IN (5, 6) THEN 8 ELSE 4 END;
                starts := lower(span) + make_interval(mins => 30 * ((n + t.grid_order) % 3))
                          + CASE WHEN slot = 1 THEN interval '3 hours 30 minutes' ELSE interval '0' END;
                ends := least(starts + make_interval(mins => 120 + 30 * (n % 2)), upper(span));
                CONTINUE WHEN ends <= starts + interval '1 hour';
                c := c_ids[1 + (n * 13) % array_length(c_ids, 1)];
                status := CASE WHEN n % 23 = 0 THEN 'cancelled'
                               WHEN n % 11 = 0 THEN 'pending'
                               ELSE 'confirmed' END;
                b_id := gen_random_uuid();
                ref := 'BR-' || to_char(d, 'YYMMDD') || '-' ||
                       (SELECT string_agg(substr(alphabet, 1 + get_byte(decode(md5(b_id::text), 'hex'), k) % 32, 1), '')
                          FROM generate_series(0, 5) k);
                INSERT INTO bookings (id, venue_id, reference, customer_id, night, starts_at, ends_at,
                                      party_size, status, source, total_deposit, total_min_spend,
                                      occasion, special_requests)
                VALUES (b_id, v_id, ref, c, d, starts, ends,
                        greatest(1, t.capacity - (n % 3)), status,
                        (ARRAY['phone', 'web', 'web', 'desk'])[1 + n % 4],
                        t.deposit * coalesce((SELECT deposit_factor FROM nights WHERE venue_id = v_id AND night = d), 1),
                        t.min_spend * coalesce((SELECT min_spend_factor FROM nights WHERE venue_id = v_id AND night = d), 1),
                        CASE WHEN n % 9 = 0 THEN 'Birthday' WHEN n % 13 = 0 THEN 'Hen party' END,
                        CASE WHEN n % 7 = 0 THEN 'Near the DJ please' END);
                INSERT INTO booking_tables (booking_id, table_id) VALUES (b_id, t.id);
            END LOOP;
        END LOOP;
    END LOOP;
END
$demo$;

-- Demo staff who can sign in (PINs for trying the app, not for a real
-- venue): Sam, manager, 1357; Priya, host, 2468; Alex, host, 3579.  Added
-- whenever this file runs, also to a demo venue loaded before staff had
-- PINs; a PIN already set (changed since) is kept.
INSERT INTO staff (venue_id, name, role, pin_hash)
SELECT v.id, s.name, s.role, private.fd_pin_hash(s.pin)
  FROM venues v,
       (VALUES ('Sam', 'manager', '1357'), ('Priya', 'host', '2468'),
               ('Alex', 'host', '3579')) AS s (name, role, pin)
 WHERE v.id = 'b4c12000-0000-4000-8000-000000000001'
    ON CONFLICT (venue_id, name) DO UPDATE SET pin_hash = EXCLUDED.pin_hash
       WHERE staff.pin_hash IS NULL;
