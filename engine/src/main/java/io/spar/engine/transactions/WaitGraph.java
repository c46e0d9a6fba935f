package io.spar.engine.transactions;

import io.spar.engine.catalog.NodeAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Waits-for graph of the lock waits on all nodes, in which the backends of one distributed
 * transaction are one vertex, and the deadlocks in it that no single PostgreSQL can see.
 *
 * <p>A vertex is a {@link TransactionTag} for backends that hold one, so that a tag links its
 * backends on several nodes, and a {@link Backend} (node, pid) for the others. An edge is a
 * {@link Wait}, waiter to blocker. Every vertex of a strongly connected component waits, directly
 * or not, for every other, so the whole component is stuck. PostgreSQL breaks a component by
 * itself when it is made of backends of one node waiting for each other; it cannot when a
 * chain of waits enters a distributed transaction at one backend and leaves it at another,
 * typically on another node. A transaction with more than one backend among the waits of its
 * component is such a <em>crossing</em> vertex: every chain of waits PostgreSQL cannot see
 * passes through one, and through every one passes such a closed chain (in at one backend,
 * out at the other, and back within the component). So the victim of a component is its
 * youngest crossing transaction, by the start of its first node transaction, ties going to
 * the larger tag. Cancelling it may leave a smaller cycle behind, so victims are chosen until
 * no component has a crossing vertex; components without one are left to PostgreSQL.
 */
public final class WaitGraph {
  /** A backend process on a node, with the tag of its distributed transaction, or null. */
  public record Backend(NodeAddress node, int pid, TransactionTag tag) {
    /** Creates a backend; {@code tag} is null for a backend that holds no tag lock. */
    public Backend {
      Objects.requireNonNull(node);
    }

    private Object vertex() {
      return tag != null ? tag : new Backend(node, pid, null);
    }

    private Backend process() {
      return new Backend(node, pid, null);
    }

    private String describe() {
      return tag != null ? "distributed transaction " + tag : "process " + pid;
    }
  }

  /**
   * One lock wait: {@code waiter} waits for a lock, described as PostgreSQL does (such as
   * "ShareLock on transaction 757"), that {@code blocker} holds or awaits ahead of it, on the
   * same node. {@code waitStart} identifies the wait (its start on the node's clock).
   */
  public record Wait(Backend waiter, Backend blocker, long waitStart, String lock) {
    /** Creates a wait; waiter and blocker must be on the same node. */
    public Wait {
      if (!waiter.node().equals(blocker.node())) {
        throw new IllegalArgumentException("a lock wait lies on one node: " + waiter + ", "
            + blocker);
      }
    }

    /** Returns the node of the wait. */
    public NodeAddress node() {
      return waiter.node();
    }

    /** Returns a sentence in the style of PostgreSQL's deadlock report. */
    public String describe() {
      String who = waiter.describe();
      return Character.toUpperCase(who.charAt(0)) + who.substring(1) + " waits for " + lock
          + " on node " + node() + "; blocked by " + blocker.describe() + ".";
    }
  }

  private final Map<Object, List<Wait>> outgoing = new LinkedHashMap<>();
  private final Map<TransactionTag, Long> starts = new HashMap<>();

  /** Adds a wait. */
  public void add(Wait wait) {
    outgoing.computeIfAbsent(wait.waiter().vertex(), v -> new ArrayList<>()).add(wait);
    outgoing.computeIfAbsent(wait.blocker().vertex(), v -> new ArrayList<>());
  }

  /**
   * Records that a backend of {@code tag} started its transaction at {@code startedAt} (any
   * clock, larger is later); a transaction started when its first backend did.
   */
  public void started(TransactionTag tag, long startedAt) {
    starts.merge(tag, startedAt, Math::min);
  }

  /** Returns the deadlocks to break, each with its victim, youngest first within a component. */
  public List<Deadlock> deadlocks() {
    List<Deadlock> found = new ArrayList<>();
    Set<Object> removed = new HashSet<>();
    boolean more = true;
    while (more) {
      more = false;
      for (Set<Object> component : new Components(outgoing, removed).find()) {
        List<Wait> inside = waitsWithin(component);
        Optional<TransactionTag> victim = youngestCrossing(component, inside);
        if (victim.isPresent()) {
          found.add(new Deadlock(victim.get(), cycleThrough(victim.get(), inside),
              inside.stream().filter(w -> victim.get().equals(w.waiter().tag())).toList()));
          removed.add(victim.get());
          more = true;
        }
      }
    }
    return found;
  }

  private List<Wait> waitsWithin(Set<Object> component) {
    List<Wait> inside = new ArrayList<>();
    for (Object vertex : component) {
      for (Wait wait : outgoing.get(vertex)) {
        if (component.contains(wait.blocker().vertex())) {
          inside.add(wait);
        }
      }
    }
    return inside;
  }

  private Optional<TransactionTag> youngestCrossing(Set<Object> component, List<Wait> inside) {
    Map<TransactionTag, Set<Backend>> backends = new HashMap<>();
    for (Wait wait : inside) {
      for (Backend each : List.of(wait.waiter(), wait.blocker())) {
        if (each.tag() != null) {
          backends.computeIfAbsent(each.tag(), t -> new HashSet<>()).add(each.process());
        }
      }
    }
    // An unknown start counts as old: a transaction is only sacrificed for being young.
    Comparator<TransactionTag> age = Comparator
        .comparingLong((TransactionTag tag) -> starts.getOrDefault(tag, Long.MIN_VALUE))
        .thenComparingLong(TransactionTag::value);
    return component.stream()
        .filter(v -> v instanceof TransactionTag tag && backends.get(tag).size() > 1)
        .map(TransactionTag.class::cast)
        .max(age);
  }

  /** Returns a shortest cycle of waits through {@code victim}, starting with its own wait. */
  private static List<Wait> cycleThrough(TransactionTag victim, List<Wait> inside) {
    Map<Object, List<Wait>> within = new HashMap<>();
    inside.forEach(w -> within.computeIfAbsent(w.waiter().vertex(), v -> new ArrayList<>())
        .add(w));
    Map<Object, Wait> reachedBy = new HashMap<>();
    Deque<Object> queue = new ArrayDeque<>(List.of(victim));
    while (!queue.isEmpty()) {
      Object vertex = queue.poll();
      for (Wait wait : within.getOrDefault(vertex, List.of())) {
        Object next = wait.blocker().vertex();
        if (next.equals(victim)) {
          List<Wait> cycle = new ArrayList<>(List.of(wait));
          for (Object at = vertex; !at.equals(victim); at = reachedBy.get(at).waiter().vertex()) {
            cycle.add(0, reachedBy.get(at));
          }
          return cycle;
        }
        if (!reachedBy.containsKey(next)) {
          reachedBy.put(next, wait);
          queue.add(next);
        }
      }
    }
    throw new IllegalStateException("a vertex of a strongly connected component lies on a cycle");
  }

  /** Tarjan's strongly connected components that contain a cycle, skipping removed vertices. */
  private static final class Components {
    private final Map<Object, List<Wait>> outgoing;
    private final Set<Object> removed;
    private final Map<Object, Integer> index = new HashMap<>();
    private final Map<Object, Integer> lowLink = new HashMap<>();
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Set<Object> onStack = new HashSet<>();
    private final List<Set<Object>> found = new ArrayList<>();

    Components(Map<Object, List<Wait>> outgoing, Set<Object> removed) {
      this.outgoing = outgoing;
      this.removed = removed;
    }

    List<Set<Object>> find() {
      for (Object vertex : outgoing.keySet()) {
        if (!removed.contains(vertex) && !index.containsKey(vertex)) {
          visit(vertex);
        }
      }
      return found;
    }

    private void visit(Object vertex) {
      index.put(vertex, index.size());
      lowLink.put(vertex, index.get(vertex));
      stack.push(vertex);
      onStack.add(vertex);
      boolean selfLoop = false;
      for (Wait wait : outgoing.get(vertex)) {
        Object next = wait.blocker().vertex();
        if (removed.contains(next)) {
          continue;
        }
        selfLoop |= next.equals(vertex);
        if (!index.containsKey(next)) {
          visit(next);
          lowLink.put(vertex, Math.min(lowLink.get(vertex), lowLink.get(next)));
        } else if (onStack.contains(next)) {
          lowLink.put(vertex, Math.min(lowLink.get(vertex), index.get(next)));
        }
      }
      if (lowLink.get(vertex).equals(index.get(vertex))) {
        Set<Object> component = new LinkedHashSet<>();
        Object member;
        do {
          member = stack.pop();
          onStack.remove(member);
          component.add(member);
        } while (!member.equals(vertex));
        if (component.size() > 1 || selfLoop) {
          found.add(component);
        }
      }
    }
  }
}
