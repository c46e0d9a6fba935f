/**
 * How a pushed-down subtree runs: pruning shards at execution time, running their queries in
 * parallel and converting values to Calcite's internal representation.
 */
package io.spar.planner.exec;
