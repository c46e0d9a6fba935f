package io.spar.engine.catalog;

import java.util.Comparator;

/**
 * Address of a PostgreSQL server that Spar talks to: the coordinator or a worker node.
 *
 * <p>Nodes sort by (host, port), the order pg_shard used to place shards deterministically.
 */
public record NodeAddress(String host, int port) implements Comparable<NodeAddress> {
  private static final Comparator<NodeAddress> ORDER =
      Comparator.comparing(NodeAddress::host).thenComparingInt(NodeAddress::port);

  @Override
  public int compareTo(NodeAddress other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
