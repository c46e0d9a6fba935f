/**
 * How a Calcite connection sees a Spar database: {@link io.spar.adapter.SparSchemaFactory}
 * gives a model schemas and tables read from the coordinator's catalog, whose scans Spar's
 * planner rules push to the shards. Spar's own statements do not go through Calcite's planner
 * (see {@code io.spar.multishard}).
 */
package io.spar.adapter;
