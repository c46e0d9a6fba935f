package io.spar.engine.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned migrations that create and evolve the {@code pgs_distribution_metadata} schema.
 *
 * <p>Migrations run in one transaction under an advisory lock, so engine instances that start
 * together never apply one twice. Each entry of {@link #MIGRATIONS} is applied once, in order,
 * and never edited after release: new changes append a new entry.
 */
public final class CatalogMigrations {
  /** Advisory lock key that serializes migrations across processes ("spar" in ASCII). */
  private static final long LOCK_KEY = 0x73706172L;

  private static final List<String> MIGRATIONS = List.of(
      // 1: pg_shard's layout, plus the node list and change notification.
      """
      CREATE TABLE pgs_distribution_metadata.partition (
        relation_id regclass PRIMARY KEY,
        partition_method "char" NOT NULL CHECK (partition_method IN ('h', 'r', 'a')),
        key text NOT NULL);
      CREATE SEQUENCE pgs_distribution_metadata.shard_id_sequence START 10000 MINVALUE 10000;
      CREATE TABLE pgs_distribution_metadata.shard (
        id bigint PRIMARY KEY DEFAULT nextval('pgs_distribution_metadata.shard_id_sequence'),
        relation_id regclass NOT NULL,
        storage "char" NOT NULL DEFAULT 't',
        min_value text,
        max_value text);
      CREATE INDEX shard_relation_index ON pgs_distribution_metadata.shard (relation_id);
      CREATE SEQUENCE pgs_distribution_metadata.shard_placement_id_sequence
        START 10000 MINVALUE 10000;
      CREATE TABLE pgs_distribution_metadata.shard_placement (
        id bigint PRIMARY KEY
          DEFAULT nextval('pgs_distribution_metadata.shard_placement_id_sequence'),
        shard_id bigint NOT NULL REFERENCES pgs_distribution_metadata.shard (id) ON DELETE CASCADE,
        shard_state int NOT NULL CHECK (shard_state IN (1, 2, 3, 4)),
        node_name text NOT NULL,
        node_port int NOT NULL,
        UNIQUE (shard_id, node_name, node_port));
      CREATE TABLE pgs_distribution_metadata.node (
        node_name text NOT NULL,
        node_port int NOT NULL,
        PRIMARY KEY (node_name, node_port));
      CREATE FUNCTION pgs_distribution_metadata.notify_catalog_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('spar_catalog_changed', TG_TABLE_NAME);
          RETURN NULL;
        END $$;
      CREATE TRIGGER partition_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON pgs_distribution_metadata.partition
        FOR EACH STATEMENT EXECUTE FUNCTION pgs_distribution_metadata.notify_catalog_change();
      CREATE TRIGGER shard_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON pgs_distribution_metadata.shard
        FOR EACH STATEMENT EXECUTE FUNCTION pgs_distribution_metadata.notify_catalog_change();
      CREATE TRIGGER shard_placement_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON pgs_distribution_metadata.shard_placement
        FOR EACH STATEMENT EXECUTE FUNCTION pgs_distribution_metadata.notify_catalog_change();
      CREATE TRIGGER node_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON pgs_distribution_metadata.node
        FOR EACH STATEMENT EXECUTE FUNCTION pgs_distribution_metadata.notify_catalog_change();
      CREATE FUNCTION pgs_distribution_metadata.notify_ddl() RETURNS event_trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('spar_catalog_changed', 'ddl');
        END $$;
      DO $$
      BEGIN
        -- Event triggers need a superuser; without one, only DDL sent through Spar invalidates.
        IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          CREATE EVENT TRIGGER spar_ddl_changed ON ddl_command_end
            EXECUTE FUNCTION pgs_distribution_metadata.notify_ddl();
        END IF;
      END $$;
      """,
      // 2: commit records of two-phase commits, read by recovery.
      """
      CREATE SEQUENCE pgs_distribution_metadata.transaction_id_sequence;
      CREATE TABLE pgs_distribution_metadata.transaction (
        transaction_id bigint PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now());
      """,
      // 3: victims of distributed deadlocks, so that a cancelled statement reports 40P01. A row
      // lives from detection until the victim's session reads it; after a crash of the
      // coordinator the sessions it concerned are gone too, so the table need not be logged.
      """
      CREATE UNLOGGED TABLE pgs_distribution_metadata.deadlock_victim (
        tag bigint PRIMARY KEY,
        detected_at timestamptz NOT NULL DEFAULT now(),
        cycle text);
      """,
      // 4: the nodes a two-phase commit sent PREPARE TRANSACTION to ('host:port'), so that
      // recovery keeps a commit record until each of them is known to hold none of it, even
      // once a node has left the catalog. NULL in records written before.
      """
      ALTER TABLE pgs_distribution_metadata.transaction ADD COLUMN nodes text[];
      """,
      // 5: the shell of a distributed table refuses writes that do not come through Spar, which
      // lets its own statements past with the transaction-local setting spar.shell_write.
      """
      CREATE FUNCTION pgs_distribution_metadata.refuse_shell_write() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF current_setting('spar.shell_write', true) = 'on' THEN
            RETURN NULL;
          END IF;
          RAISE EXCEPTION 'cannot % the coordinator''s table of distributed table %',
              CASE TG_OP WHEN 'INSERT' THEN 'insert into' WHEN 'DELETE' THEN 'delete from'
                ELSE lower(TG_OP) END,
              format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            USING ERRCODE = 'feature_not_supported',
              DETAIL = 'The rows of a distributed table live in its shards on the workers.',
              HINT = 'Write to the table through Spar (jdbc:spar: or spar serve), which routes'
                || ' rows to its shards.';
        END $$;
      DO $$
      DECLARE
        distributed regclass;
      BEGIN
        FOR distributed IN SELECT relation_id FROM pgs_distribution_metadata.partition LOOP
          EXECUTE format('CREATE TRIGGER spar_shell_guard BEFORE INSERT OR UPDATE OR DELETE'
              || ' OR TRUNCATE ON %s FOR EACH STATEMENT'
              || ' EXECUTE FUNCTION pgs_distribution_metadata.refuse_shell_write()', distributed);
        END LOOP;
      END $$;
      """,
      // 6: what a session left on its pooled coordinator connection: the settings to apply again
      // when it borrows another (names and values in text form), and the state no other
      // connection could give back (null when there is none). With release and no such state,
      // the settings are reset so the connection can go back to the pool clean. Sequence state
      // counts because currval and lastval would silently answer for another session. Custom
      // settings (custom_names, as the session set them) count because pg_settings does not
      // list them, so they could not be applied again.
      """
      CREATE FUNCTION pgs_distribution_metadata.session_state(release boolean,
          custom_names text[], OUT setting_names text[], OUT setting_values text[],
          OUT kept_for text)
        LANGUAGE plpgsql AS $$
        BEGIN
          SELECT coalesce(array_agg(s.name ORDER BY s.name), '{}'),
                 coalesce(array_agg(current_setting(s.name) ORDER BY s.name), '{}')
            INTO setting_names, setting_values
            FROM pg_catalog.pg_settings s WHERE s.source = 'session'
              -- Set for each transaction from the session's defaults, which are listed.
              AND s.name NOT IN ('transaction_isolation', 'transaction_read_only',
                'transaction_deferrable');
          kept_for := CASE
            WHEN 'role' = ANY (setting_names) OR 'session_authorization' = ANY (setting_names)
              THEN 'SET ROLE or SET SESSION AUTHORIZATION'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_class
                WHERE relnamespace = pg_catalog.pg_my_temp_schema()) THEN 'temporary tables'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE from_sql)
              THEN 'prepared statements'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_cursors WHERE is_holdable)
              THEN 'cursors WITH HOLD'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_listening_channels()) THEN 'LISTEN'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_locks
                WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid())
              THEN 'advisory locks'
            WHEN EXISTS (SELECT 1 FROM unnest(custom_names) AS c(name)
                WHERE coalesce(current_setting(c.name, true), '') <> '') THEN 'custom settings'
          END;
          IF kept_for IS NULL THEN
            BEGIN
              PERFORM pg_catalog.lastval();
              kept_for := 'sequence values (currval, lastval)';
            EXCEPTION WHEN object_not_in_prerequisite_state THEN
              NULL;
            END;
          END IF;
          IF release AND kept_for IS NULL AND setting_names <> '{}' THEN
            RESET ALL;
          END IF;
        END $$;
      """,
      // 7: what each DDL statement did, as PostgreSQL reports it, so that Spar carries it to the
      // shards of the objects concerned whatever the statement's text looked like (comments,
      // quoting, CASCADE, a function running DDL). The reports collect in the transaction-local
      // setting spar.ddl_events, which Spar reads and empties after each DDL statement; it
      // vanishes with the transaction, so DDL run without Spar leaves nothing behind.
      """
      CREATE FUNCTION pgs_distribution_metadata.record_ddl_events(events jsonb) RETURNS void
        LANGUAGE sql AS $$
          SELECT pg_catalog.set_config('spar.ddl_events', (coalesce(nullif(
              pg_catalog.current_setting('spar.ddl_events', true), ''), '[]')::jsonb
              || events)::text, true)
          WHERE events <> '[]'::jsonb
        $$;
      CREATE FUNCTION pgs_distribution_metadata.ddl_command_end() RETURNS event_trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pgs_distribution_metadata.record_ddl_events(coalesce(jsonb_agg(
              jsonb_build_object('event', 'end', 'tag', c.command_tag, 'type', c.object_type,
                'oid', c.objid, 'schema', c.schema_name, 'identity', c.object_identity)), '[]'))
            FROM pg_catalog.pg_event_trigger_ddl_commands() c WHERE NOT c.in_extension;
        END $$;
      CREATE FUNCTION pgs_distribution_metadata.sql_drop() RETURNS event_trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pgs_distribution_metadata.record_ddl_events(coalesce(jsonb_agg(
              jsonb_build_object('event', 'drop', 'tag', tg_tag, 'type', d.object_type,
                'oid', d.objid, 'schema', d.schema_name, 'identity', d.object_identity,
                'original', d.original)), '[]'))
            FROM pg_catalog.pg_event_trigger_dropped_objects() d;
        END $$;
      DO $$
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          RAISE EXCEPTION 'Spar''s coordinator role % must be a superuser', current_user
            USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Spar learns what DDL did from event triggers, which only a superuser'
                || ' can create.';
        END IF;
        CREATE EVENT TRIGGER spar_ddl_command_end ON ddl_command_end
          EXECUTE FUNCTION pgs_distribution_metadata.ddl_command_end();
        CREATE EVENT TRIGGER spar_sql_drop ON sql_drop
          EXECUTE FUNCTION pgs_distribution_metadata.sql_drop();
      END $$;
      """,
      // 8: the moves of rebalance_table_shards and master_drain_node, planned before the
      // first one runs, so that a rebalance cut short (its engine killed) resumes where it
      // stopped; and the view that shows their progress.
      """
      CREATE TABLE pgs_distribution_metadata.rebalance_move (
        plan_id bigint NOT NULL,
        move_id int NOT NULL,
        shard_id bigint NOT NULL,
        table_name text NOT NULL,
        source_name text NOT NULL,
        source_port int NOT NULL,
        target_name text NOT NULL,
        target_port int NOT NULL,
        transfer_mode text,
        state text NOT NULL DEFAULT 'planned'
          CHECK (state IN ('planned', 'moving', 'done', 'skipped', 'failed')),
        bytes bigint,
        started timestamptz,
        finished timestamptz,
        error text,
        PRIMARY KEY (plan_id, move_id));
      CREATE SEQUENCE pgs_distribution_metadata.rebalance_plan_id_seq;
      CREATE VIEW pgs_distribution_metadata.spar_rebalance_progress AS
        SELECT plan_id AS plan, move_id AS move, shard_id AS shard, table_name,
            source_name || ':' || source_port AS "from",
            target_name || ':' || target_port AS "to", state,
            CASE WHEN state = 'done' THEN bytes ELSE 0 END AS bytes_copied,
            bytes AS bytes_total, started, finished, error
          FROM pgs_distribution_metadata.rebalance_move;
      """,
      // 9: the progress of each shard move while it runs, written by the moving engine outside
      // the move's transaction; a row counts only while the move's lock is held, so what a
      // killed engine left shows nowhere (1836021349 is the move locks' first key, "move" in
      // ASCII). The rebalance view takes the running move's bytes.
      """
      CREATE TABLE pgs_distribution_metadata.shard_move (
        shard_id bigint PRIMARY KEY,
        table_name text NOT NULL,
        source_name text NOT NULL,
        source_port int NOT NULL,
        target_name text NOT NULL,
        target_port int NOT NULL,
        transfer_mode text NOT NULL,
        phase text NOT NULL,
        bytes_total bigint,
        bytes_copied bigint NOT NULL DEFAULT 0,
        started timestamptz NOT NULL DEFAULT now(),
        updated timestamptz NOT NULL DEFAULT now());
      CREATE VIEW pgs_distribution_metadata.spar_move_progress AS
        SELECT m.shard_id AS shard, m.table_name,
            m.source_name || ':' || m.source_port AS "from",
            m.target_name || ':' || m.target_port AS "to", m.transfer_mode, m.phase,
            m.bytes_copied, m.bytes_total,
            CASE WHEN m.phase = 'copying' AND m.bytes_copied > 0
                AND m.bytes_total > m.bytes_copied
              THEN (m.updated - m.started)
                * ((m.bytes_total - m.bytes_copied)::float8 / m.bytes_copied)
            END AS estimated_time_left,
            m.started, m.updated
          FROM pgs_distribution_metadata.shard_move m
          WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.database = (SELECT oid FROM pg_catalog.pg_database
                WHERE datname = pg_catalog.current_database())
              AND l.classid = 1836021349
              AND l.objid = (m.shard_id & 4294967295)::oid);
      CREATE OR REPLACE VIEW pgs_distribution_metadata.spar_rebalance_progress AS
        SELECT r.plan_id AS plan, r.move_id AS move, r.shard_id AS shard, r.table_name,
            r.source_name || ':' || r.source_port AS "from",
            r.target_name || ':' || r.target_port AS "to", r.state,
            CASE r.state WHEN 'done' THEN r.bytes
              WHEN 'moving' THEN coalesce(m.bytes_copied, 0) ELSE 0 END AS bytes_copied,
            CASE WHEN r.state = 'moving' THEN coalesce(m.bytes_total, r.bytes)
              ELSE r.bytes END AS bytes_total, r.started, r.finished, r.error, m.phase,
            m.estimated_time_left
          FROM pgs_distribution_metadata.rebalance_move r
          LEFT JOIN pgs_distribution_metadata.spar_move_progress m
            ON r.state = 'moving' AND m.shard = r.shard_id;
      """,
      // 10: a change to placements names its table, so that engines reload that table's
      // placements and keep their plans (see MetadataCache); a placement whose shard is gone
      // by the time the trigger runs, or that changed shards, invalidates everything.
      """
      CREATE FUNCTION pgs_distribution_metadata.notify_placement_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          relation oid;
        BEGIN
          IF TG_OP = 'UPDATE' AND OLD.shard_id IS DISTINCT FROM NEW.shard_id THEN
            PERFORM pg_notify('spar_catalog_changed', TG_TABLE_NAME);
            RETURN NULL;
          END IF;
          SELECT s.relation_id::oid INTO relation FROM pgs_distribution_metadata.shard s
            WHERE s.id = CASE TG_OP WHEN 'DELETE' THEN OLD.shard_id ELSE NEW.shard_id END;
          PERFORM pg_notify('spar_catalog_changed', CASE WHEN relation IS NULL
            THEN TG_TABLE_NAME ELSE 'placements:' || relation::bigint END);
          RETURN NULL;
        END $$;
      DROP TRIGGER shard_placement_changed ON pgs_distribution_metadata.shard_placement;
      CREATE TRIGGER shard_placement_changed AFTER INSERT OR UPDATE OR DELETE
        ON pgs_distribution_metadata.shard_placement
        FOR EACH ROW EXECUTE FUNCTION pgs_distribution_metadata.notify_placement_change();
      CREATE TRIGGER shard_placement_truncated AFTER TRUNCATE
        ON pgs_distribution_metadata.shard_placement
        FOR EACH STATEMENT EXECUTE FUNCTION pgs_distribution_metadata.notify_catalog_change();
      """,
      // 11: DDL that invalidates only the plans naming what it made (see DdlInvalidation)
      // says so, with those names; other DDL invalidates every plan, as before.
      """
      CREATE OR REPLACE FUNCTION pgs_distribution_metadata.notify_ddl() RETURNS event_trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          named boolean;
          names text;
        BEGIN
          SELECT bool_and(c.command_tag IN (""" + DdlInvalidation.sqlTags() + """
              )), string_agg(DISTINCT pg_catalog.quote_ident(CASE
                WHEN c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN
                  (SELECT r.relname FROM pg_catalog.pg_class r WHERE r.oid = c.objid)
                WHEN c.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN
                  (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = c.objid)
                END), ',')
            INTO named, names
            FROM pg_catalog.pg_event_trigger_ddl_commands() c;
          PERFORM pg_catalog.pg_notify('spar_catalog_changed', CASE
            WHEN named AND coalesce(length(names), 0) < 7000
              THEN 'names:' || coalesce(names, '') ELSE 'ddl' END);
        END $$;
      """,
      // 12: a node being drained gets no new shards (as Citus's shouldhaveshards).
      """
      ALTER TABLE pgs_distribution_metadata.node
        ADD COLUMN should_have_shards boolean NOT NULL DEFAULT true;
      """,
      // 13: reference tables ('n', as Citus codes them) have no partition column.
      """
      ALTER TABLE pgs_distribution_metadata.partition
        DROP CONSTRAINT partition_partition_method_check,
        ADD CONSTRAINT partition_partition_method_check
          CHECK (partition_method IN ('h', 'r', 'a', 'n')),
        ALTER COLUMN key DROP NOT NULL,
        ADD CONSTRAINT partition_key_check CHECK ((key IS NULL) = (partition_method = 'n'));
      """,
      // 14: co-location groups of hash tables (see DistributedTable#colocationId).
      """
      CREATE SEQUENCE pgs_distribution_metadata.colocation_id_sequence;
      ALTER TABLE pgs_distribution_metadata.partition ADD COLUMN colocation_id bigint;
      """,
      // 15: distributed schemas (schema-based sharding): each lives on one node, with its
      // tables single-shard ('s') tables in a co-location group of its own.
      """
      ALTER TABLE pgs_distribution_metadata.partition
        DROP CONSTRAINT partition_partition_method_check,
        ADD CONSTRAINT partition_partition_method_check
          CHECK (partition_method IN ('h', 'r', 'a', 'n', 's')),
        DROP CONSTRAINT partition_key_check,
        ADD CONSTRAINT partition_key_check
          CHECK ((key IS NULL) = (partition_method IN ('n', 's')));
      CREATE TABLE pgs_distribution_metadata.tenant_schema (
        schema_id oid PRIMARY KEY,
        colocation_id bigint NOT NULL UNIQUE,
        node_name text NOT NULL,
        node_port int NOT NULL);
      """);

  private CatalogMigrations() {
  }

  /** Applies every migration the coordinator database has not seen yet. */
  public static void migrate(Connection coordinator) throws SQLException {
    boolean autoCommit = coordinator.getAutoCommit();
    coordinator.setAutoCommit(false);
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
      statement.execute("CREATE SCHEMA IF NOT EXISTS pgs_distribution_metadata");
      statement.execute("CREATE TABLE IF NOT EXISTS pgs_distribution_metadata.schema_version"
          + " (version int NOT NULL)");
      int applied = currentVersion(statement);
      for (int version = applied + 1; version <= MIGRATIONS.size(); version++) {
        statement.execute(MIGRATIONS.get(version - 1));
        statement.execute("DELETE FROM pgs_distribution_metadata.schema_version");
        statement.execute("INSERT INTO pgs_distribution_metadata.schema_version VALUES (" + version + ")");
      }
      coordinator.commit();
    } catch (SQLException e) {
      coordinator.rollback();
      throw e;
    } finally {
      coordinator.setAutoCommit(autoCommit);
    }
  }

  private static int currentVersion(Statement statement) throws SQLException {
    try (ResultSet rs = statement.executeQuery(
        "SELECT coalesce(max(version), 0) FROM pgs_distribution_metadata.schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
