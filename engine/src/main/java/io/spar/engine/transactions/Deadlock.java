package io.spar.engine.transactions;

import io.spar.engine.catalog.NodeAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A deadlock found in a {@link WaitGraph}: the transaction chosen to break it, a cycle of waits
 * through that transaction, and the waits of that transaction to cancel.
 *
 * @param victim the youngest distributed transaction that links the cycle across backends
 * @param cycle the waits of a shortest cycle through the victim, starting with the victim's
 * @param victimWaits every wait of the victim inside the deadlocked component
 */
public record Deadlock(TransactionTag victim, List<WaitGraph.Wait> cycle,
    List<WaitGraph.Wait> victimWaits) {

  /** Creates a deadlock, copying the lists. */
  public Deadlock {
    cycle = List.copyOf(cycle);
    victimWaits = List.copyOf(victimWaits);
  }

  /** Returns the nodes that the cycle's waits lie on. */
  public Set<NodeAddress> nodes() {
    return cycle.stream().map(WaitGraph.Wait::node).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Returns the cycle as PostgreSQL reports one in an error's detail, one wait per line. */
  public String describe() {
    return cycle.stream().map(WaitGraph.Wait::describe).collect(Collectors.joining("\n"));
  }
}
