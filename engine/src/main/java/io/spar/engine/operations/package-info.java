/**
 * How distributed tables are made and changed: registering nodes, distributing tables,
 * creating shards with their placements, and propagating DDL to shards.
 */
package io.spar.engine.operations;
