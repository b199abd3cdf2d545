-- What a table costs on a night: its minimum spend and deposit, with the
-- night's event factors applied, rounded to the penny ONCE per table.  Every
-- total (the deposit charged, the minimum spend committed, suggestions, the
-- night plan, the dialog's totals) is a sum of these per-table prices, so
-- they all agree to the penny: two £33.33 deposits on a ×1.1 night are
-- £36.66 each and £73.32 together, everywhere.

CREATE OR REPLACE FUNCTION private.fd_table_prices(p_venue_id uuid, p_night date)
    RETURNS TABLE (table_id uuid, min_spend numeric, deposit numeric)
    LANGUAGE sql STABLE
AS $$
    SELECT t.id,
           round(t.min_spend * coalesce(n.min_spend_factor, 1), 2),
           round(t.deposit * coalesce(n.deposit_factor, 1), 2)
      FROM public.venue_tables t
      LEFT JOIN public.nights n ON n.venue_id = p_venue_id AND n.night = p_night
     WHERE t.venue_id = p_venue_id
$$;

-- The total for a set of tables on a night.
CREATE OR REPLACE FUNCTION private.fd_tables_price(p_venue_id uuid, p_night date,
                                                   p_table_ids uuid[],
                                                   OUT deposit numeric, OUT min_spend numeric)
    LANGUAGE plpgsql STABLE  -- keeps its plan: once a booking
AS $$
BEGIN
    IF cardinality(p_table_ids) = 1 THEN  -- by key, as fd_tables_refusal (30_rules.sql) says
        SELECT coalesce(sum(p.deposit), 0), coalesce(sum(p.min_spend), 0) INTO deposit, min_spend
          FROM private.fd_table_prices(p_venue_id, p_night) p
         WHERE p.table_id = p_table_ids[1];
    ELSE
        SELECT coalesce(sum(p.deposit), 0), coalesce(sum(p.min_spend), 0) INTO deposit, min_spend
          FROM private.fd_table_prices(p_venue_id, p_night) p
         WHERE p.table_id = ANY (p_table_ids);
    END IF;
END
$$;
