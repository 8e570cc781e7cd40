namespace ReviewFlow.Audit.Chain;

/// <summary>
/// The tamper-evident chain, in SQL only: one formula (<c>rf_event_hash</c>) used by the trigger that chains each
/// appended event and by verification, so no .NET code ever re-serialises an event's JSON (docs/adr/0007).
/// hash = sha256(prev_hash || utf8("{len(stream)}:{stream}|{version}|{seq}|{event id}|{timestamp µs}|{len(type)}:{type}|") || utf8(data::text))
/// where prev_hash is the stream's previous chain hash, or 32 zero bytes for its first event.
/// Beside the hash each row records how the event arrived (docs/adr/0013): the login role, the transaction, the clock
/// time, and <c>via</c> — "marten" when the outermost caller was Marten's append function, "new-stream" for Marten's
/// single-INSERT start of a stream, "direct" for any other INSERT, "install" when the installer chained an event stored
/// before the trigger existed.
/// </summary>
public static class EventChainSql
{
    public const string Table = "rf_event_chain";

    public static string Install(string schema) => $"""
        SELECT pg_advisory_xact_lock(hashtext('reviewflow-audit-chain:{schema}'));
        CREATE TABLE IF NOT EXISTS {schema}.rf_event_chain (
            seq_id     bigint PRIMARY KEY,
            stream_id  text NOT NULL,
            version    bigint NOT NULL,
            at         timestamptz NOT NULL,
            prev_hash  bytea NOT NULL,
            hash       bytea NOT NULL
        );
        ALTER TABLE {schema}.rf_event_chain
            ADD COLUMN IF NOT EXISTS appended_by text,
            ADD COLUMN IF NOT EXISTS txid bigint,
            ADD COLUMN IF NOT EXISTS chained_at timestamptz DEFAULT clock_timestamp(),
            ADD COLUMN IF NOT EXISTS via text;
        CREATE INDEX IF NOT EXISTS rf_event_chain_stream ON {schema}.rf_event_chain (stream_id, version);
        CREATE INDEX IF NOT EXISTS rf_event_chain_at ON {schema}.rf_event_chain (at, seq_id);

        CREATE OR REPLACE FUNCTION {schema}.rf_event_hash(
            prev bytea, stream_id text, version bigint, seq_id bigint, id uuid, type text, data jsonb, ts timestamptz)
        -- plpgsql, not sql: called from the trigger, a sql function is planned again on every call (measured: 20,000
        -- appends 1.7 s without the chain, 6.4 s with a sql function, 1.8 s with this one).
        RETURNS bytea LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
        BEGIN
            RETURN sha256(prev
                || convert_to(length(stream_id) || ':' || stream_id || '|' || version || '|' || seq_id || '|' || id || '|'
                              || (extract(epoch FROM ts) * 1000000)::bigint || '|' || length(type) || ':' || type || '|', 'UTF8')
                || convert_to(data::text, 'UTF8'));
        END
        $fn$;

        -- Chains one stored event that is not chained yet: the installer's path, for events stored before the trigger
        -- existed (the trigger does the same on NEW). SECURITY DEFINER: the services' role may only read the chain;
        -- this function (owned by the schema owner) writes it. session_user is the login role (current_user is the
        -- definer here).
        DROP FUNCTION IF EXISTS {schema}.rf_chain_row(bigint);
        CREATE OR REPLACE FUNCTION {schema}.rf_chain_row(event_seq bigint, arrived_via text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $fn$
        DECLARE
            ev {schema}.mt_events%ROWTYPE;
            prev bytea;
        BEGIN
            SELECT * INTO ev FROM {schema}.mt_events WHERE seq_id = event_seq;
            SELECT c.hash INTO prev FROM {schema}.rf_event_chain c
             WHERE c.stream_id = ev.stream_id ORDER BY c.version DESC LIMIT 1;
            prev := coalesce(prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
            INSERT INTO {schema}.rf_event_chain (seq_id, stream_id, version, at, prev_hash, hash, appended_by, txid, via)
            VALUES (ev.seq_id, ev.stream_id, ev.version, ev.timestamp, prev,
                    {schema}.rf_event_hash(prev, ev.stream_id, ev.version, ev.seq_id, ev.id, ev.type, ev.data, ev.timestamp),
                    session_user, txid_current(), arrived_via);
        END
        $fn$;
        REVOKE ALL ON FUNCTION {schema}.rf_chain_row(bigint, text) FROM PUBLIC;

        -- "marten" when the outermost frame of the call stack is Marten's append function in this schema, called at top
        -- level as Marten calls it (appends to a stream). "new-stream" for Marten's other path (StartStream): a top-level
        -- INSERT into a stream with no event from an earlier transaction, whose row this transaction wrote, stamped with
        -- this transaction's time (not back-dated).
        -- Anything else is "direct": an INSERT into an existing stream, a DO block, a function of one's own (pg_temp
        -- prints as pg_temp_N.…). Text inside a statement cannot forge the last line: a statement's lines are followed
        -- by its caller's frame. Unqualified when the schema was on the search_path as Marten compiled it.
        CREATE OR REPLACE FUNCTION {schema}.rf_chain_event() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $fn$
        DECLARE
            stack text;
            frame text;
            via text := 'direct';
            prev bytea;
        BEGIN
            GET DIAGNOSTICS stack = PG_CONTEXT;
            -- The outermost frame (the stack's last line) must read
            -- "PL/pgSQL function [{schema}.]mt_quick_append_events(<argument types>) line <digits> at SQL statement".
            -- Tested with string functions: the regular expression that did the same cost ~55 µs per event, more than
            -- the rest of this trigger (docs/performance.md, "The chain trigger's provenance test").
            frame := split_part(stack, E'\n', -1);
            frame := CASE WHEN starts_with(frame, 'PL/pgSQL function {schema}.mt_quick_append_events(')
                               THEN substr(frame, length('PL/pgSQL function {schema}.mt_quick_append_events(') + 1)
                          WHEN starts_with(frame, 'PL/pgSQL function mt_quick_append_events(')
                               THEN substr(frame, length('PL/pgSQL function mt_quick_append_events(') + 1) END;
            frame := substr(frame, position(')' in frame)); -- from the first ')': ") line <digits> at SQL statement"
            IF starts_with(frame, ') line ') AND right(frame, 17) = ' at SQL statement' AND length(frame) > 24
               AND translate(substr(frame, 8, length(frame) - 24), '0123456789', '') = '' THEN
                via := 'marten';
            ELSIF position(E'\n' in stack) = 0 AND NEW.timestamp >= now() - interval '1 minute'
                  AND NOT EXISTS (SELECT 1 FROM {schema}.rf_event_chain c WHERE c.stream_id = NEW.stream_id AND c.txid IS DISTINCT FROM txid_current())
                  AND EXISTS (SELECT 1 FROM {schema}.mt_streams s
                               WHERE s.id = NEW.stream_id AND s.xmin::text::bigint = txid_current() % 4294967296) THEN
                via := 'new-stream';
            END IF;
            -- rf_chain_row's work on NEW itself (the stored row of an AFTER trigger): no second SECURITY DEFINER call
            -- with its search_path switch, no re-read of the event (measured: docs/performance.md, "Levers tried").
            SELECT c.hash INTO prev FROM {schema}.rf_event_chain c
             WHERE c.stream_id = NEW.stream_id ORDER BY c.version DESC LIMIT 1;
            prev := coalesce(prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
            INSERT INTO {schema}.rf_event_chain (seq_id, stream_id, version, at, prev_hash, hash, appended_by, txid, via)
            VALUES (NEW.seq_id, NEW.stream_id, NEW.version, NEW.timestamp, prev,
                    {schema}.rf_event_hash(prev, NEW.stream_id, NEW.version, NEW.seq_id, NEW.id, NEW.type, NEW.data, NEW.timestamp),
                    session_user, txid_current(), via);
            RETURN NULL;
        END
        $fn$;

        DO $do$
        DECLARE
            e record;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'rf_chain_event'
                           AND tgrelid = '{schema}.mt_events'::regclass) THEN
                -- Appends wait while the events already stored are chained and the trigger is created: nothing slips between.
                LOCK TABLE {schema}.mt_events IN SHARE ROW EXCLUSIVE MODE;
                FOR e IN SELECT * FROM {schema}.mt_events ev
                          WHERE NOT EXISTS (SELECT 1 FROM {schema}.rf_event_chain c WHERE c.seq_id = ev.seq_id)
                          ORDER BY ev.seq_id LOOP
                    PERFORM {schema}.rf_chain_row(e.seq_id, 'install');
                END LOOP;
                CREATE TRIGGER rf_chain_event AFTER INSERT ON {schema}.mt_events
                    FOR EACH ROW EXECUTE FUNCTION {schema}.rf_chain_event();
            END IF;
        END
        $do$;

        -- Export manifests: written once after an export completed, never changed.
        CREATE TABLE IF NOT EXISTS {schema}.rf_audit_export (
            id          uuid PRIMARY KEY,
            created_at  timestamptz NOT NULL DEFAULT now(),
            created_by  text NOT NULL,
            manifest    jsonb NOT NULL
        );

        -- Signed checkpoints of the chain heads (docs/adr/0013): a copy for the download endpoint; verification never
        -- trusts it (the auditor's file or the configured sink is what counts).
        CREATE TABLE IF NOT EXISTS {schema}.rf_audit_checkpoint (
            number       bigint PRIMARY KEY,
            last_seq_id  bigint NOT NULL,
            taken_at     timestamptz NOT NULL,
            envelope     jsonb NOT NULL
        );
        """;

    /// <summary>
    /// Grants for the services' login role (docs/operations.md, "Database roles"): everything Marten needs, but no
    /// UPDATE, DELETE or TRUNCATE on the events and the chain, and no direct writes to the chain at all.
    /// </summary>
    /// <summary>Hangfire's tables (the timers): plain DML for the services' role.</summary>
    public static string GrantHangfire(string hangfireSchema, string role) => $"""
        GRANT USAGE ON SCHEMA {hangfireSchema} TO "{role}";
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {hangfireSchema} TO "{role}";
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {hangfireSchema} TO "{role}";
        """;

    /// <summary>
    /// The services' role's statement timeout, if the installer may set it (ALTER ROLE needs CREATEROLE): otherwise a
    /// notice, and the DBA sets it (docs/operations.md). Not idle_in_transaction_session_timeout: the async daemon
    /// holds its leader lock in an idle transaction; appends set that limit for themselves (DocumentSagaRepository).
    /// </summary>
    public static string LimitAppRole(string role, TimeSpan statementTimeout) => $"""
        DO $$ BEGIN
          EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', '{role}', '{(long)statementTimeout.TotalMilliseconds}ms');
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE NOTICE 'not allowed to set statement_timeout on role %', '{role}';
        END $$;
        """;

    public static string GrantAppRole(string schema, string role) => $"""
        GRANT USAGE ON SCHEMA {schema} TO "{role}";
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO "{role}";
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO "{role}";
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO "{role}";
        REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.mt_events FROM "{role}";
        REVOKE DELETE, TRUNCATE ON {schema}.mt_streams FROM "{role}";
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}.rf_event_chain FROM "{role}";
        REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.rf_audit_export FROM "{role}";
        REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.rf_audit_checkpoint FROM "{role}";
        REVOKE EXECUTE ON FUNCTION {schema}.rf_chain_row(bigint, text) FROM "{role}";
        -- Tables Marten creates later (new document types) get the same DML grants.
        ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}";
        ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "{role}";
        """;
}
