/**
 * Relational expressions in Spar's calling convention: the part of a plan each shard runs.
 */
package io.spar.planner.rel;
