package io.spar.engine.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spar.engine.catalog.NodeAddress;
import io.spar.engine.transactions.WaitGraph.Backend;
import io.spar.engine.transactions.WaitGraph.Wait;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Test case for issue 8 (item 10): finding distributed deadlocks and their victims. */
class WaitGraphTest {
  static final NodeAddress A = new NodeAddress("a", 5432);
  static final NodeAddress B = new NodeAddress("b", 5432);
  static final NodeAddress C = new NodeAddress("c", 5432);
  static final TransactionTag T1 = tag(1);
  static final TransactionTag T2 = tag(2);
  static final TransactionTag T3 = tag(3);
  static final TransactionTag T4 = tag(4);

  final WaitGraph graph = new WaitGraph();

  static TransactionTag tag(int n) {
    return TransactionTag.of(0x5350_0000_0000_0000L | n);
  }

  /** Adds: the backend {@code waiterPid} of {@code waiter} waits for {@code blocker}'s. */
  Wait wait(NodeAddress node, TransactionTag waiter, int waiterPid, TransactionTag blocker,
      int blockerPid) {
    Wait wait = new Wait(new Backend(node, waiterPid, waiter), new Backend(node, blockerPid,
        blocker), 1000 + waiterPid, "ShareLock on transaction " + blockerPid);
    graph.add(wait);
    return wait;
  }

  void starts(long t1, long t2, long t3) {
    graph.started(T1, t1);
    graph.started(T2, t2);
    graph.started(T3, t3);
  }

  @Test
  void findsATwoTransactionCycleAcrossTwoNodes() {
    starts(100, 200, 300);
    Wait onA = wait(A, T1, 11, T2, 21);
    Wait onB = wait(B, T2, 22, T1, 12);
    List<Deadlock> found = graph.deadlocks();
    assertEquals(1, found.size());
    Deadlock deadlock = found.get(0);
    assertEquals(T2, deadlock.victim(), "the younger transaction is the victim");
    assertEquals(List.of(onB, onA), deadlock.cycle(), "the cycle starts with the victim's wait");
    assertEquals(List.of(onB), deadlock.victimWaits());
    assertEquals(Set.of(A, B), deadlock.nodes());
    assertEquals("Distributed transaction " + T2 + " waits for ShareLock on transaction 12 on"
        + " node b:5432; blocked by distributed transaction " + T1 + ".\n"
        + "Distributed transaction " + T1 + " waits for ShareLock on transaction 21 on node"
        + " a:5432; blocked by distributed transaction " + T2 + ".", deadlock.describe());
  }

  @Test
  void findsAThreeTransactionCycleAcrossThreeNodes() {
    starts(100, 300, 200);
    wait(A, T1, 11, T2, 21);
    wait(B, T2, 22, T3, 32);
    Wait closing = wait(C, T3, 33, T1, 13);
    List<Deadlock> found = graph.deadlocks();
    assertEquals(1, found.size());
    assertEquals(T2, found.get(0).victim());
    assertEquals(3, found.get(0).cycle().size());
    assertEquals(Set.of(A, B, C), found.get(0).nodes());
    assertTrue(found.get(0).cycle().contains(closing));
  }

  @Test
  void findsACycleThroughAnUntaggedBackendAndSacrificesATaggedTransaction() {
    // T1 runs on node A only, so it has no tag; T2 and T3 run on A and B.
    graph.started(T2, 200);
    graph.started(T3, 300);
    wait(A, null, 10, T2, 21);
    wait(B, T2, 22, T3, 32);
    wait(A, T3, 31, null, 10);
    List<Deadlock> found = graph.deadlocks();
    assertEquals(1, found.size());
    assertEquals(T3, found.get(0).victim());
    assertEquals(3, found.get(0).cycle().size());
    assertEquals(List.of(new Wait(new Backend(A, 31, T3), new Backend(A, 10, null), 1031,
        "ShareLock on transaction 10")), found.get(0).victimWaits());
  }

  @Test
  void leavesACycleOnOneNodeToPostgresql() {
    starts(100, 200, 300);
    wait(A, T1, 11, T2, 21);
    wait(A, T2, 21, T1, 11);
    wait(B, null, 50, null, 51);
    wait(B, null, 51, null, 50);
    assertEquals(List.of(), graph.deadlocks());
  }

  @Test
  void findsNothingWithoutACycle() {
    starts(100, 200, 300);
    wait(A, T1, 11, T2, 21);
    wait(B, T2, 22, T3, 32);
    wait(B, null, 40, T3, 32);
    wait(A, T3, 31, null, 41);
    assertEquals(List.of(), graph.deadlocks());
  }

  @Test
  void breaksTwoDisjointCyclesWithTwoVictims() {
    starts(100, 200, 300);
    graph.started(T4, 50);
    wait(A, T1, 11, T2, 21);
    wait(B, T2, 22, T1, 12);
    wait(A, T3, 31, T4, 41);
    wait(B, T4, 42, T3, 32);
    List<TransactionTag> victims = graph.deadlocks().stream().map(Deadlock::victim).toList();
    assertEquals(Set.of(T2, T3), Set.copyOf(victims));
    assertEquals(2, victims.size());
  }

  @Test
  void choosesTheTransactionThatStartedLast() {
    // The start of a transaction is that of its first backend, on whichever node.
    graph.started(T1, 500);
    graph.started(T1, 150);
    graph.started(T2, 200);
    graph.started(T2, 400);
    wait(A, T1, 11, T2, 21);
    wait(B, T2, 22, T1, 12);
    assertEquals(T2, graph.deadlocks().get(0).victim());
  }

  @Test
  void breaksTiesByTheLargerTagAndTreatsAnUnknownStartAsOld() {
    graph.started(T1, 100);
    graph.started(T2, 100);
    wait(A, T1, 11, T2, 21);
    wait(B, T2, 22, T1, 12);
    assertEquals(T2, graph.deadlocks().get(0).victim());

    WaitGraph unknown = new WaitGraph();
    unknown.started(T1, 100);
    unknown.add(new Wait(new Backend(A, 11, T1), new Backend(A, 21, T2), 1, "x"));
    unknown.add(new Wait(new Backend(B, 22, T2), new Backend(B, 12, T1), 2, "y"));
    assertEquals(T1, unknown.deadlocks().get(0).victim());
  }

  @Test
  void choosesAnotherVictimWhenTheFirstLeavesACycleBehind() {
    // T2 is in two cycles, with T1 and with T3; the youngest, T3, only breaks one.
    starts(100, 200, 300);
    wait(A, T1, 11, T2, 21);
    wait(B, T2, 22, T1, 12);
    wait(A, T3, 31, T2, 21);
    wait(B, T2, 22, T3, 32);
    List<TransactionTag> victims = graph.deadlocks().stream().map(Deadlock::victim).toList();
    assertEquals(List.of(T3, T2), victims);
  }

  @Test
  void neverSacrificesATransactionThatOnlyClosesALocalCycle() {
    // T1 and T2 deadlock on node A (PostgreSQL's to break); T2 and T3 across A and B (ours).
    starts(300, 100, 200);
    wait(A, T1, 11, T2, 21);
    wait(A, T2, 21, T1, 11);
    wait(B, T2, 22, T3, 32);
    wait(A, T3, 31, T2, 21);
    List<TransactionTag> victims = graph.deadlocks().stream().map(Deadlock::victim).toList();
    assertEquals(List.of(T3), victims, "T1 is youngest but only closes the local cycle");
  }

  @Test
  void findsATransactionThatWaitsForItselfThroughTwoBackendsOnOneNode() {
    starts(100, 200, 300);
    wait(A, T1, 11, T1, 12);
    List<Deadlock> found = graph.deadlocks();
    assertEquals(1, found.size());
    assertEquals(T1, found.get(0).victim());
  }

  @Test
  void refusesAWaitBetweenNodes() {
    assertThrows(IllegalArgumentException.class, () -> new Wait(new Backend(A, 1, T1),
        new Backend(B, 2, T2), 0, "x"));
  }
}
