/**
 * JMH benchmarks of Spar against plain pgjdbc on the same local cluster (issue 3).
 *
 * <p>Each benchmark class measures one operation twice in the same run: {@code spar} sends it
 * through {@code jdbc:spar:} to the distributed table {@code bench_kv}, {@code direct} sends the
 * equivalent statement with pgjdbc straight to the shard table {@code bench_kv_<shardid>} on the
 * worker that holds it, so the difference is what Spar adds; {@code shardingsphere} methods send
 * it through ShardingSphere-JDBC ({@link io.spar.benchmarks.ShardingSphereFixture}, in a class
 * loader of its own) to tables of the same layout on the same workers. {@link io.spar.benchmarks.BenchCluster}
 * sets up the cluster (a coordinator and 2 workers, 8 shards, replication factor 1), the table and
 * the key-to-shard map; {@link io.spar.benchmarks.ResultTable} turns JMH's JSON result into the
 * Spar-versus-direct table that {@code benchmarks/run.sh} prints.
 */
package io.spar.benchmarks;
