package io.spar.engine.catalog;

/**
 * Schema-qualified name of a relation, as PostgreSQL stores it (already case-folded).
 */
public record TableName(String schema, String name) {

  /** Returns the name of shard {@code shardId} of this table: {@code name_shardid}. */
  public TableName shardName(long shardId) {
    return new TableName(schema, name + "_" + shardId);
  }

  /** Returns the quoted, schema-qualified SQL form, such as {@code "public"."articles"}. */
  public String quoted() {
    return SqlQuoting.identifier(schema) + "." + SqlQuoting.identifier(name);
  }

  @Override
  public String toString() {
    return schema + "." + name;
  }
}
