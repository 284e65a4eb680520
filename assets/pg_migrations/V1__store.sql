-- genban's store on PostgreSQL, schema 1: the event log, what is derived from it, the chain
-- head, settings and the audit trail of reveals. Identifiers and names compare byte by byte
-- (COLLATE "C"), so that every list comes out in the order the sled store gives.

-- One row per event, in the order it was appended: `chain_seq` is its place in the one chain
-- over the store, `seq` its place in its ticket's log (from 1). `line` is the stored line, the
-- event's JSON with its `_chain` link, byte for byte as the sled store keeps it.
CREATE TABLE genban_events (
    chain_seq   BIGINT PRIMARY KEY,
    ticket      TEXT COLLATE "C" NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    line        TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ,
    operator    TEXT,
    UNIQUE (ticket, seq)
);

-- One row per ticket: how many events its log holds (the expected sequence a writer checks),
-- its summary (the lookup columns), its compact facts and its search text.
CREATE TABLE genban_tickets (
    id          TEXT COLLATE "C" PRIMARY KEY,
    events      INTEGER NOT NULL CHECK (events >= 1),
    state       TEXT COLLATE "C",
    unit        TEXT COLLATE "C" NOT NULL,
    deadline    DATE,
    resolved_on DATE,
    category    TEXT COLLATE "C" NOT NULL,
    facts       BYTEA NOT NULL,
    search      TEXT NOT NULL
);
CREATE INDEX genban_tickets_state ON genban_tickets (state, id);
CREATE INDEX genban_tickets_due ON genban_tickets (deadline, id) WHERE state = 'in_progress';
CREATE INDEX genban_tickets_resolved ON genban_tickets (resolved_on, id) WHERE resolved_on IS NOT NULL;
CREATE INDEX genban_tickets_unit ON genban_tickets (unit) WHERE state IS NOT NULL AND unit <> '';
CREATE INDEX genban_tickets_category ON genban_tickets (category) WHERE category <> '';

-- The end of the chain, the latest event's instant and the ticket count: one row, locked by
-- every writer for its transaction, so the chain stays one unbroken line.
CREATE TABLE genban_head (
    one          BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    seq          BIGINT NOT NULL DEFAULT 0,
    hash         TEXT,
    latest_at    TIMESTAMPTZ,
    ticket_count BIGINT NOT NULL DEFAULT 0
);
INSERT INTO genban_head (one) VALUES (TRUE);

-- Settings (the store's `meta`).
CREATE TABLE genban_settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

-- The audit trail of reveals, oldest first, with the database role that asked.
CREATE TABLE genban_audit (
    n      BIGSERIAL PRIMARY KEY,
    record TEXT NOT NULL,
    role   TEXT NOT NULL DEFAULT current_user,
    at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
