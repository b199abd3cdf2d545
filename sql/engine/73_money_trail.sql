-- Spend's trail (62_money.sql): every row of booking_spend is audited
-- against its booking (record_id is the booking's id, so the booking's
-- history shows what was spent, by whom, at which terminal) and goes out on
-- the change feed as 'spend' with the booking's tables, so that every
-- desk's grid repaints its progress.  After 70_audit.sql and
-- 72_change_feed.sql, whose trigger functions these use.

CREATE OR REPLACE TRIGGER booking_spend_audit
    AFTER INSERT OR UPDATE OR DELETE ON public.booking_spend
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('booking_id');

CREATE OR REPLACE FUNCTION private.fd_outbox_spend() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    r public.booking_spend := coalesce(NEW, OLD);
BEGIN
    INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
    SELECT b.venue_id, b.night,
           ARRAY(SELECT bt.table_id FROM public.booking_tables bt WHERE bt.booking_id = b.id),
           b.id, 'spend'
      FROM public.bookings b
     WHERE b.id = r.booking_id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER booking_spend_outbox
    AFTER INSERT OR UPDATE OR DELETE ON public.booking_spend
    FOR EACH ROW EXECUTE FUNCTION private.fd_outbox_spend();
