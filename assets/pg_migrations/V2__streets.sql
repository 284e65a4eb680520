-- Schema 2: each sees what is theirs. Every ticket and event carries the street of the
-- ticket's record; a role named in genban_street_roles sees and writes only its street's rows
-- (row-level security, enforced by the database whatever SQL the role sends); any other role
-- with rights on the tables (the district office, supervisors) sees all. The tables' owner is
-- not bound by the policies.

ALTER TABLE genban_tickets ADD COLUMN street TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE genban_events ADD COLUMN street TEXT COLLATE "C" NOT NULL DEFAULT '';

-- The street of what is stored already: from each ticket's latest record that names one (read
-- from the text, so that a line damaged behind genban's back cannot stop the upgrade; a quote
-- inside a JSON string is escaped, so only the record's own field matches).
UPDATE genban_tickets t SET street = COALESCE((
    SELECT substring(e.line FROM '"street":"([^"\\]*)"') FROM genban_events e
    WHERE e.ticket = t.id AND e.event_type = 'ticket' AND e.line LIKE '%"street":"%'
    ORDER BY e.seq DESC LIMIT 1), '');
UPDATE genban_events e SET street = t.street FROM genban_tickets t WHERE t.id = e.ticket;
CREATE INDEX genban_tickets_street ON genban_tickets (street);
CREATE INDEX genban_events_street ON genban_events (street);

-- Which street each street's role may see.
CREATE TABLE genban_street_roles (
    role   NAME PRIMARY KEY,
    street TEXT COLLATE "C" NOT NULL
);

-- Whether role `r` may see a row of street `s`: a street's role its own street, every other
-- role all. SECURITY DEFINER, so that a role needs no rights on genban_street_roles to ask;
-- the policies pass current_user, which inside the function would be its owner.
CREATE FUNCTION genban_sees(r NAME, s TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT NOT EXISTS (SELECT 1 FROM genban_street_roles WHERE role = r)
        OR EXISTS (SELECT 1 FROM genban_street_roles WHERE role = r AND street = s)
$$;

ALTER TABLE genban_tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE genban_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY genban_street ON genban_tickets
    USING (genban_sees(current_user, street)) WITH CHECK (genban_sees(current_user, street));
CREATE POLICY genban_street ON genban_events
    USING (genban_sees(current_user, street)) WITH CHECK (genban_sees(current_user, street));
