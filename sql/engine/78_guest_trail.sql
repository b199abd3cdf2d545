-- Guests' and the waitlist's trail (64_guests.sql, 66_waitlist.sql), after
-- 70_audit.sql and 72_change_feed.sql, whose trigger functions these use.
--
-- Audit, whoever writes: the venue's tag list (record_id the tag's id), a
-- guest's tags (record_id the guest's id, so the guest's trail and data
-- export have them) and the waitlist's entries.  Feed: every change to an
-- entry is 'waitlist' on its night, so every desk's list follows.

CREATE OR REPLACE TRIGGER guest_tags_audit
    AFTER INSERT OR DELETE ON public.guest_tags
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER guest_tags_audit_update
    AFTER UPDATE ON public.guest_tags
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER customer_tags_audit
    AFTER INSERT OR DELETE ON public.customer_tags
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('customer_id');


CREATE OR REPLACE TRIGGER waitlist_audit
    AFTER INSERT OR DELETE ON public.waitlist
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER waitlist_audit_update
    AFTER UPDATE ON public.waitlist
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE FUNCTION private.fd_outbox_waitlist() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO public.change_outbox (venue_id, night, kind)
    VALUES (coalesce(NEW.venue_id, OLD.venue_id), coalesce(NEW.night, OLD.night), 'waitlist');
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER waitlist_outbox
    AFTER INSERT OR UPDATE OR DELETE ON public.waitlist
    FOR EACH ROW EXECUTE FUNCTION private.fd_outbox_waitlist();

