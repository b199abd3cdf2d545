-- Who may use what.  Applied last, after every other engine file, so it
-- sees every object; nothing is granted anywhere else, and
-- docs/grants.md lists every function and view with the roles that may use
-- it (tests/core/test_grants.py compares the two: a new function is
-- callable by nobody until that table and this file say so).  Nothing is
-- open by default: 0005 revoked the default privileges, and this file
-- revokes PUBLIC's rights on every engine object again before granting.
--
-- One NOLOGIN group per channel; a login (frontdesk db add-login) is a
-- member of one:
--   frontdesk_desk    the desks: the desk's functions and the seed's
--                     contract, each write under a signed-in session
--                     (16_staff.sql); reads of guests' data need one too.
--   frontdesk_web     the venue's website: the seed's contract only, no
--                     session (its login is its proof), audited as the
--                     website; the venue's layout, no personal data.
--   frontdesk_report  reporting: figures without personal data.
-- frontdesk_app, the first release's single role, is kept as a member of
-- frontdesk_desk so that its logins go on working as desks.  No group may
-- write a table, use the private schema or call a private helper; every API
-- function runs as its owner (SECURITY DEFINER, search_path pinned), so all
-- writes go through the engine's rules.
--
-- Roles are cluster-wide and many databases may migrate at once on one
-- server (the tests do): creating a role tolerates another having just
-- created it.

DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['frontdesk_desk', 'frontdesk_web', 'frontdesk_report',
                             'frontdesk_app'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created concurrently by another database's migration
            END;
        END IF;
    END LOOP;
    IF NOT pg_has_role('frontdesk_app', 'frontdesk_desk', 'MEMBER') THEN
        BEGIN
            GRANT frontdesk_desk TO frontdesk_app;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$roles$;

-- Nothing for anyone by default: every function of ours (not the
-- extensions') loses PUBLIC's EXECUTE.
DO $deny$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p
              WHERE p.pronamespace IN ('public'::regnamespace, 'private'::regnamespace)
                AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                 WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                   AND d.deptype = 'e')
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$deny$;
DO $revoke$
DECLARE
    f regprocedure;
BEGIN
    -- What an earlier release granted the groups goes too: this file is the
    -- whole of what they have.
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p
              WHERE p.pronamespace IN ('public'::regnamespace, 'private'::regnamespace)
                AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                 WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                   AND d.deptype = 'e')
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM frontdesk_desk, frontdesk_web, '
                       'frontdesk_report, frontdesk_app', f);
    END LOOP;
END
$revoke$;
REVOKE ALL ON SCHEMA private FROM PUBLIC, frontdesk_desk, frontdesk_web, frontdesk_report,
    frontdesk_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, frontdesk_desk, frontdesk_web,
    frontdesk_report, frontdesk_app;
REVOKE ALL ON ALL TABLES IN SCHEMA private FROM PUBLIC, frontdesk_desk, frontdesk_web,
    frontdesk_report, frontdesk_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, frontdesk_desk, frontdesk_web,
    frontdesk_report, frontdesk_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Only the engine's roles may connect to this database; and pg_locks, which
-- shows the advisory-lock keys sessions hold, is the owner's alone here, so
-- no login can read a key off a booking in progress and take it.  Changing
-- a database's ACL needs its owner, and pg_lock_status's a superuser: an
-- upgrade run by a less privileged owner says so and carries on (`frontdesk
-- db check` and the lock keys' secret still stand).
DO $connect$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO frontdesk_desk, frontdesk_web, '
                   'frontdesk_report, frontdesk_app', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'only the database''s owner can keep other logins out of it: %', SQLERRM;
END
$connect$;
DO $locks$
BEGIN
    REVOKE EXECUTE ON FUNCTION pg_catalog.pg_lock_status() FROM PUBLIC;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'only a superuser can hide pg_locks from other logins: %', SQLERRM;
END
$locks$;

GRANT USAGE ON SCHEMA public TO frontdesk_desk, frontdesk_web, frontdesk_report;

-- The schema's revision: a desk checks it is not behind before it opens.
GRANT SELECT ON public.alembic_version TO frontdesk_desk;

-- The venue's layout and hours: what a desk draws and the website offers.
GRANT SELECT ON public.venues, public.opening_hours, public.nights, public.floors,
    public.venue_tables, public.table_joins
    TO frontdesk_desk, frontdesk_web;

-- The seed's contract: the website's and the desks'.
GRANT EXECUTE ON FUNCTION
    public.acquire_booking_lock(uuid, date, time),
    public.release_booking_lock(uuid, date, time),
    public.check_table_availability(uuid, date, time, time, uuid),
    public.create_booking_atomic(uuid, text, text, text, uuid[], date, time, time, integer, uuid,
                                 text, text, text),
    public.get_optimal_table_combinations(uuid, date, time, time, integer)
    TO frontdesk_desk, frontdesk_web;

-- The desk's functions.
GRANT EXECUTE ON FUNCTION
    public.current_night(uuid),
    public.desk_book(uuid, uuid, uuid[], date, timestamptz, timestamptz, integer, text, text, text,
                     text, text, text, text, date),
    public.desk_suggestions(uuid, date, timestamptz, timestamptz, integer),
    public.walk_in(uuid, uuid[], integer, text, integer),
    public.move_booking(uuid, uuid[], timestamptz, timestamptz, integer),
    public.set_booking_status(uuid, text),
    public.hold_tables(uuid, uuid[], date, timestamptz, timestamptz),
    public.release_holds(uuid),
    public.night_plan(uuid, date),
    public.night_summary(uuid, date),
    public.create_customer(uuid, text, text, text, date, text),
    public.update_customer(uuid, uuid, text, text, text, date, text),
    public.match_or_create_customer(uuid, text, text, text, date),
    public.search_customers(uuid, text[], text, text, integer),
    public.find_bookings(uuid, text[], text, text, text, date, integer),
    public.audit_entries(uuid, timestamptz, timestamptz, text, text, uuid, integer)
    TO frontdesk_desk;

-- The manager's screens (each asks for a manager's session itself): the
-- audit log, live monitoring, reports.
GRANT EXECUTE ON FUNCTION
    public.audit_changes(uuid, timestamptz, timestamptz, text, text, uuid, text, text[],
                         timestamptz, uuid, integer),
    public.monitoring_now(uuid),
    public.report_range(uuid, date, date)
    TO frontdesk_desk;

-- Live updates: the elected relay and every listener.
GRANT EXECUTE ON FUNCTION
    public.relay_elect(),
    public.relay_changes(integer),
    public.relay_if_stalled(interval),
    public.change_summary_since(uuid, bigint, integer),
    public.change_feed_head(uuid)
    TO frontdesk_desk;

-- Staff and sessions (16_staff.sql): who can sign in, signing in and out,
-- and the manager's staff functions (each asks for a manager's session).
GRANT EXECUTE ON FUNCTION
    public.sign_in_names(uuid),
    public.sign_in(uuid, text, text),
    public.sign_out(),
    public.add_staff(uuid, text, text, text),
    public.set_staff_pin(uuid, text, text),
    public.set_staff_active(uuid, text, boolean),
    public.unlock_staff(uuid, text)
    TO frontdesk_desk;

-- Figures without personal data, for reporting (desks read them through
-- the manager's monitoring_now).
GRANT SELECT ON public.monitoring_figures TO frontdesk_report;
GRANT SELECT ON public.report_nights TO frontdesk_report;
GRANT SELECT (id, name, time_zone, currency) ON public.venues TO frontdesk_report;

-- Guests' rights (46_guest_rights.sql): a guest's data as JSON, and its
-- erasure; each asks for a manager's session itself.
GRANT EXECUTE ON FUNCTION
    public.export_guest(uuid, uuid),
    public.erase_guest(uuid, uuid)
    TO frontdesk_desk;

-- Venue setup and table blocks (58_setup.sql): a manager's, each asks for a
-- manager's session itself; a new venue is the owner's (venue import).
GRANT EXECUTE ON FUNCTION
    public.venue_setup(uuid),
    public.save_venue_setup(uuid, jsonb),
    public.block_table(uuid, uuid, date, timestamptz, timestamptz, text),
    public.unblock_table(uuid)
    TO frontdesk_desk;

-- Changing a booking after it is made (55_booking_edit.sql): its details as
-- stored (with the guest's date of birth) and its extras corrected; each
-- asks for a session itself.
GRANT EXECUTE ON FUNCTION
    public.booking_details(uuid),
    public.update_booking_details(uuid, text, text, text, text)
    TO frontdesk_desk;

-- Putting a mistaken status back (54_desk_changes.sql): the same person
-- within minutes, a manager at any time; it asks for the session itself.
GRANT EXECUTE ON FUNCTION public.revert_status(uuid) TO frontdesk_desk;

-- Guests' profiles and the door's waitlist (64_guests.sql, 66_waitlist.sql):
-- each asks for a desk's session itself; the tag list's save, the banned
-- tag and the ban's override for a manager's.
GRANT EXECUTE ON FUNCTION
    public.guest_profile(uuid, uuid),
    public.guest_tag_list(uuid),
    public.save_guest_tags(uuid, jsonb),
    public.set_guest_tags(uuid, uuid, uuid[]),
    public.set_guest_notes(uuid, uuid, text),
    public.override_guest_ban(uuid, text),
    public.add_to_waitlist(uuid, text, integer, text, integer, text),
    public.waitlist_night(uuid, date),
    public.waitlist_suggestions(uuid, uuid),
    public.seat_from_waitlist(uuid, uuid, uuid[]),
    public.waitlist_left(uuid, uuid)
    TO frontdesk_desk;

-- Money on the night (62_money.sql): spend against the minimum, the
-- deposit's status, the till's export matched and imported; each asks for
-- a session itself (a correction, a refund or a forfeit for a manager's).
GRANT EXECUTE ON FUNCTION
    public.record_spend(uuid, numeric, text),
    public.set_deposit_status(uuid, text, text),
    public.pos_match(uuid, date, json),
    public.import_pos_spend(uuid, date, json)
    TO frontdesk_desk;
