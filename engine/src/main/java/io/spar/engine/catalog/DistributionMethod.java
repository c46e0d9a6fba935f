package io.spar.engine.catalog;

import java.util.Locale;

/**
 * How rows of a distributed table are assigned to shards, with pg_shard's one-letter codes.
 */
public enum DistributionMethod {
  /** By the hash of the partition column into equal slices of the int32 range. */
  HASH('h'),
  /** By non-overlapping value ranges of the partition column. */
  RANGE('r'),
  /** By load batches; shard ranges are only recorded, never enforced. */
  APPEND('a'),
  /**
   * Not at all: a reference table has one shard, with no partition column, placed on every
   * worker (Citus's code {@code 'n'}). Made by {@code create_reference_table}, never named to
   * {@code master_create_distributed_table}.
   */
  REFERENCE('n'),
  /**
   * Not at all, as a reference table, but placed on one node: a table of a distributed schema
   * (schema-based sharding) has one shard, with no partition column, on its schema's node, and
   * is co-located with the schema's other tables. Made by DDL in such a schema, never named to
   * {@code master_create_distributed_table}.
   */
  SINGLE('s');

  private final char code;

  DistributionMethod(char code) {
    this.code = code;
  }

  /** Returns the code stored in {@code partition.partition_method}. */
  public char code() {
    return code;
  }

  /** Returns the method with the stored {@code code}. */
  public static DistributionMethod ofCode(char code) {
    for (DistributionMethod each : values()) {
      if (each.code == code) {
        return each;
      }
    }
    throw new IllegalArgumentException("unknown partition method '" + code + "'");
  }

  /**
   * Returns the method named by a user, as {@code 'hash'}, {@code 'h'}, {@code 'range'},
   * {@code 'r'}, {@code 'append'} or {@code 'a'}.
   *
   * @throws IllegalArgumentException if the name is none of those
   */
  public static DistributionMethod ofUserName(String name) {
    String lower = name.trim().toLowerCase(Locale.ROOT);
    for (DistributionMethod each : values()) {
      if (each != REFERENCE && each != SINGLE
          && (lower.equals(each.name().toLowerCase(Locale.ROOT))
          || lower.equals(String.valueOf(each.code)))) {
        return each;
      }
    }
    throw new IllegalArgumentException("unrecognized partition method \"" + name + "\"");
  }
}
