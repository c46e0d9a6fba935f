package io.spar.engine.execution;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Runs one task per node at once, so that work on several nodes costs one round trip of
 * latency instead of one per node. The first task runs on the calling thread: a single node
 * costs no hand-off between threads.
 *
 * <p>Each task must use only its own node's connection; anything shared with the session
 * (joining a node, recording what was written) stays with the caller, before or after.
 */
public final class NodeTasks {
  private NodeTasks() {
  }

  /** Work on one item, typically one node. */
  @FunctionalInterface
  public interface Task<T, R> {
    /** Runs the work for {@code item}. */
    R run(T item) throws SQLException;
  }

  /**
   * What one task ended with: its value, or the SQLException it threw.
   *
   * @param value the task's result, if it succeeded
   * @param failure the task's exception, or null
   */
  public record Outcome<R>(R value, SQLException failure) {
  }

  /**
   * Runs {@code task} for every item of {@code items} at once, the others on {@code threads},
   * and returns their outcomes in the order of {@code items} once all have ended. A runtime
   * exception of any task is thrown after all have ended.
   */
  public static <T, R> List<Outcome<R>> run(Executor threads, List<T> items, Task<T, R> task) {
    List<CompletableFuture<Outcome<R>>> others = new ArrayList<>();
    for (T each : items.subList(Math.min(1, items.size()), items.size())) {
      others.add(CompletableFuture.supplyAsync(() -> attempt(task, each), threads));
    }
    List<Outcome<R>> outcomes = new ArrayList<>();
    RuntimeException unexpected = null;
    if (!items.isEmpty()) {
      try {
        outcomes.add(attempt(task, items.get(0)));
      } catch (RuntimeException e) {
        unexpected = e;
        outcomes.add(null);
      }
    }
    for (CompletableFuture<Outcome<R>> each : others) {
      try {
        outcomes.add(each.join());
      } catch (CompletionException e) {
        RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
        unexpected = unexpected == null ? cause : unexpected;
        outcomes.add(null);
      }
    }
    if (unexpected != null) {
      throw unexpected;
    }
    return outcomes;
  }

  private static <T, R> Outcome<R> attempt(Task<T, R> task, T item) {
    try {
      return new Outcome<>(task.run(item), null);
    } catch (SQLException e) {
      return new Outcome<>(null, e);
    }
  }
}
