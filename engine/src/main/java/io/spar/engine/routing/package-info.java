/**
 * Which shards a statement must touch: pruning by constraints on the partition column, with
 * parameter values bound at execution time.
 */
package io.spar.engine.routing;
