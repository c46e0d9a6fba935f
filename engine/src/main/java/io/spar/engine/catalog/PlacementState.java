package io.spar.engine.catalog;

/**
 * State of a shard placement, with pg_shard's numeric codes.
 */
public enum PlacementState {
  /** Holds the shard's current data; reads and writes use it. */
  FINALIZED(1),
  /** Missed writes; skipped until repaired. */
  INACTIVE(3),
  /** Scheduled for removal. */
  TO_DELETE(4);

  private final int code;

  PlacementState(int code) {
    this.code = code;
  }

  /** Returns pg_shard's numeric code for this state. */
  public int code() {
    return code;
  }

  /** Returns the state with pg_shard's numeric {@code code}. */
  public static PlacementState of(int code) {
    for (PlacementState each : values()) {
      if (each.code == code) {
        return each;
      }
    }
    throw new IllegalArgumentException("unknown shard placement state " + code);
  }
}
