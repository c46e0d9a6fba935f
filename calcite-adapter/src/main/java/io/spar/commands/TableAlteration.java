package io.spar.commands;

import io.spar.commands.DistributionRules.PartitionColumn;
import io.spar.engine.catalog.CatalogSnapshot;
import io.spar.engine.catalog.DistributedTable;
import io.spar.engine.catalog.Shard;
import io.spar.engine.catalog.ShardPlacement;
import io.spar.engine.catalog.SqlQuoting;
import io.spar.engine.catalog.TableName;
import io.spar.engine.operations.ShardDdl;
import io.spar.outcome.SparErrors;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@code ALTER TABLE} or {@code ALTER INDEX} of a distributed table or of one of its
 * indexes, carried to every placement: resolved before it runs on the coordinator, checked
 * after, then written for each shard.
 */
final class TableAlteration {
  private static final String VOLATILE_DEFAULT = "SELECT a.attidentity <> '' OR EXISTS ("
      + "SELECT 1 FROM pg_catalog.pg_attrdef d,"
      + " pg_catalog.regexp_matches(d.adbin::text, ':[a-z]*funcid (\\d+)', 'g') AS f(m)"
      + " JOIN pg_catalog.pg_proc p ON p.oid = f.m[1]::oid"
      + " WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND p.provolatile = 'v')"
      + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::oid AND a.attname = ?";
  private static final String CONSTRAINTS = "SELECT conname::text, contype::text,"
      + " pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint"
      + " WHERE conrelid = %s ORDER BY oid";
  /** PostgreSQL's longest identifier in bytes (NAMEDATALEN - 1). */
  private static final int MAX_NAME_BYTES = 63;

  private final AlterStatement statement;
  private final DistributedTable table;
  private final TableName index;
  private final PartitionColumn partition;
  private final Map<String, String> literalDefaults = new HashMap<>();
  private final Set<String> droppedDefaults = new HashSet<>();

  private TableAlteration(AlterStatement statement, DistributedTable table, TableName index,
      PartitionColumn partition) {
    this.statement = statement;
    this.table = table;
    this.index = index;
    this.partition = partition;
  }

  /**
   * Returns the alteration {@code statement} makes if its object is a distributed table or an
   * index of one, resolved in {@code shell}'s transaction before the statement runs; null if it
   * is another object. Refuses, before anything runs, actions Spar cannot carry to shards.
   */
  static TableAlteration resolve(Connection shell, AlterStatement statement,
      CatalogSnapshot catalog) throws SQLException {
    try (PreparedStatement ps = shell.prepareStatement("SELECT c.oid::bigint,"
        + " c.relkind IN ('i', 'I'), n.nspname::text, c.relname::text, i.indrelid::bigint"
        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid"
        + " WHERE c.oid = pg_catalog.to_regclass(?)")) {
      ps.setString(1, statement.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        boolean isIndex = rs.getBoolean(2);
        DistributedTable table = catalog.table(isIndex ? rs.getLong(5) : rs.getLong(1))
            .orElse(null);
        if (table == null) {
          return null;
        }
        statement.requireSupported(isIndex);
        TableName index = isIndex ? new TableName(rs.getString(3), rs.getString(4)) : null;
        return new TableAlteration(statement, table, index, PartitionColumn.read(shell, table));
      }
    }
  }

  /** Returns the distributed table altered. */
  DistributedTable table() {
    return table;
  }

  /**
   * Checks what the statement did to the coordinator's table, and decides how shards treat
   * the defaults it added or set.
   */
  void check(Connection shell) throws SQLException {
    partition.requireKept(shell);
    DistributionRules.requireCoveringUniqueness(shell, table);
    if (statement.addedColumns().isEmpty() && statement.setDefaults().isEmpty()) {
      return;
    }
    Map<String, Object[]> columns = new HashMap<>();
    try (PreparedStatement ps = shell.prepareStatement(ShardDdl.COLUMNS)) {
      ps.setLong(1, table.relationId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.put(rs.getString(1), new Object[] {rs.getString(2), rs.getString(3),
              rs.getBoolean(4), rs.getBoolean(5)});
        }
      }
    }
    for (String each : statement.setDefaults()) {
      Object[] column = columns.get(each);
      if (column != null && column[1] != null && !(Boolean) column[2]) {
        droppedDefaults.add(each);
      }
    }
    for (String each : statement.addedColumns()) {
      Object[] column = columns.get(each);
      if (column == null || column[1] == null || (Boolean) column[2] || (Boolean) column[3]) {
        continue;
      }
      if (!statement.addedDefaults().contains(each) || isVolatile(shell, each)) {
        throw SparErrors.error(SparErrors.FEATURE_NOT_SUPPORTED, "cannot add column \"" + each
            + "\" with a volatile default to distributed table \"" + table.name().name()
            + "\"", "Each placement would fill the existing rows with values of its own.",
            "Add the column without the default, set it with ALTER COLUMN … SET DEFAULT, then"
                + " UPDATE the existing rows.");
      }
      // Evaluated once, as PostgreSQL evaluates it once for every existing row.
      try (PreparedStatement ps = shell.prepareStatement("SELECT pg_catalog.quote_nullable(("
          + column[1] + ")::text)")) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          literalDefaults.put(each, rs.getString(1) + "::" + column[0]);
        }
      }
    }
  }

  private boolean isVolatile(Connection shell, String column) throws SQLException {
    try (PreparedStatement ps = shell.prepareStatement(VOLATILE_DEFAULT)) {
      ps.setLong(1, table.relationId());
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** Runs the statement, written for each shard, on every placement. */
  void apply(ShardChanges changes, Connection shell, CatalogSnapshot catalog)
      throws SQLException {
    AlterStatement.Defaults defaults = AlterStatement.of(literalDefaults, droppedDefaults);
    for (Shard shard : changes.current(table).shards()) {
      List<String> statements = statement.forShard(shardNames(shard, shell, catalog), defaults);
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        for (String sql : statements) {
          changes.run(placement, shard, sql);
        }
      }
    }
    if (statement.addsUnnamedConstraints()) {
      nameConstraints(changes, shell);
    }
  }

  private AlterStatement.Shard shardNames(Shard shard, Connection shell,
      CatalogSnapshot catalog) {
    return new AlterStatement.Shard() {
      @Override
      public String object() {
        return index == null ? shard.shardName().quoted()
            : new TableName(shard.shardName().schema(), index.name() + "_" + shard.id())
                .quoted();
      }

      @Override
      public long id() {
        return shard.id();
      }

      @Override
      public String referenced(String name) throws SQLException {
        try (PreparedStatement ps = shell.prepareStatement(
            "SELECT pg_catalog.to_regclass(?)::oid::bigint")) {
          ps.setString(1, name);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            DistributedTable referenced = catalog.table(rs.getLong(1)).orElseThrow(
                () -> new IllegalStateException("foreign key to local table " + name));
            int index = table.shards().stream().map(Shard::id).toList().indexOf(shard.id());
            return referenced.shards().get(index).shardName().quoted();
          }
        }
      }
    };
  }

  /**
   * Gives the constraints PostgreSQL named after each shard the names of the shell's, with the
   * shard id as suffix, matching them by type and definition.
   */
  private void nameConstraints(ShardChanges changes, Connection shell) throws SQLException {
    List<String[]> wanted = new ArrayList<>();
    try (PreparedStatement ps = shell.prepareStatement(
        String.format(CONSTRAINTS, "?::oid"))) {
      ps.setLong(1, table.relationId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          wanted.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        }
      }
    }
    for (Shard shard : changes.current(table).shards()) {
      String shardTable = shard.shardName().quoted();
      for (ShardPlacement placement : shard.finalizedPlacements()) {
        List<Object[]> present = changes.query(placement, shard, String.format(CONSTRAINTS,
            SqlQuoting.literal(shardTable) + "::regclass")).rows();
        Set<String> names = new HashSet<>();
        present.forEach(row -> names.add((String) row[0]));
        Set<String> expected = new HashSet<>();
        wanted.forEach(c -> expected.add(shardName(c[0], shard.id())));
        for (String[] constraint : wanted) {
          String name = shardName(constraint[0], shard.id());
          if (names.contains(name)) {
            continue;
          }
          for (Object[] row : present) {
            if (!expected.contains(row[0]) && row[1].equals(constraint[1])
                && definition((String) row[2]).equals(definition(constraint[2]))) {
              changes.run(placement, shard, "ALTER TABLE " + shardTable + " RENAME CONSTRAINT "
                  + SqlQuoting.identifier((String) row[0]) + " TO "
                  + SqlQuoting.identifier(name));
              row[0] = name;
              break;
            }
          }
        }
      }
    }
  }

  /** Returns a constraint definition without the table a foreign key references. */
  private static String definition(String constraintDefinition) {
    return constraintDefinition.replaceAll("REFERENCES .*?\\(", "REFERENCES (");
  }

  /** Returns {@code name} with the shard id as suffix, cut as PostgreSQL cuts long names. */
  static String shardName(String name, long shardId) {
    String full = name + "_" + shardId;
    while (full.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      full = full.substring(0, full.length() - 1);
    }
    return full;
  }
}
