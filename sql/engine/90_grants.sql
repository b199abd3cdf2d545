-- Who may use what.  Applied last, after every other engine file, so it
-- sees every object; nothing is granted anywhere else.  Nothing is open by
-- default: 0005 revoked the default privileges, and this file revokes
-- PUBLIC's EXECUTE on every engine function again (a function created by
-- another role would otherwise get it) before granting, object by object,
-- what the application role needs.
--
-- frontdesk_app (NOLOGIN) is the role the desks and the website log in
-- through (a LOGIN role that is a member of it).  It may read the tables and
-- call the API below; it may not write a table directly, nor use the
-- private schema.  Every API function runs as its owner (SECURITY DEFINER,
-- search_path pinned), so all writes go through the engine's rules.
--
-- Roles are cluster-wide and many databases may migrate at once on one
-- server (the tests do): creating the role tolerates another having just
-- created it.

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'frontdesk_app') THEN
        BEGIN
            CREATE ROLE frontdesk_app NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created concurrently by another database's migration
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
REVOKE ALL ON SCHEMA private FROM PUBLIC, frontdesk_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, frontdesk_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, frontdesk_app;

-- Only the engine's roles may connect to this database; and pg_locks, which
-- shows the advisory-lock keys sessions hold, is the owner's alone here, so
-- no login can read a key off a booking in progress and take it.  Changing
-- a database's ACL needs its owner, and pg_lock_status's a superuser: an
-- upgrade run by a less privileged owner says so and carries on (`frontdesk
-- db check` and the lock keys' secret still stand).
DO $connect$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO frontdesk_app', current_database());
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

GRANT USAGE ON SCHEMA public TO frontdesk_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO frontdesk_app;

-- The seed's contract.
GRANT EXECUTE ON FUNCTION
    public.acquire_booking_lock(uuid, date, time),
    public.release_booking_lock(uuid, date, time),
    public.check_table_availability(uuid, date, time, time, uuid),
    public.create_booking_atomic(uuid, text, text, text, uuid[], date, time, time, integer, uuid,
                                 text, text, text),
    public.get_optimal_table_combinations(uuid, date, time, time, integer)
    TO frontdesk_app;

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
    public.audit_entries(uuid, timestamptz, timestamptz, text, text, uuid, integer),
    public.monitoring_alerts(uuid)
    TO frontdesk_app;

-- Live updates: the elected relay and every listener.
GRANT EXECUTE ON FUNCTION
    public.relay_elect(),
    public.relay_changes(integer),
    public.relay_if_stalled(interval),
    public.change_summary_since(uuid, bigint, integer),
    public.change_feed_head(uuid)
    TO frontdesk_app;

-- Staff and sessions (16_staff.sql): signing in and out, and the manager's
-- staff functions (each asks for a manager's session itself).
GRANT EXECUTE ON FUNCTION
    public.sign_in(uuid, text, text),
    public.sign_out(),
    public.add_staff(uuid, text, text, text),
    public.set_staff_pin(uuid, text, text),
    public.set_staff_active(uuid, text, boolean),
    public.unlock_staff(uuid, text)
    TO frontdesk_app;

-- A PIN's hash is the owner's alone: the app reads every other column of
-- staff (revoking the table's SELECT also revokes its column grants, so this
-- is the same on every re-apply).
REVOKE SELECT ON public.staff FROM frontdesk_app;
GRANT SELECT (id, venue_id, name, role, is_active, created_at, failed_pins, locked_until)
    ON public.staff TO frontdesk_app;
