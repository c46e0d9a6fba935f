/**
 * How Calcite sees a Spar database: schemas and tables read from the coordinator's catalog, and
 * the runner that plans and executes multi-shard SELECTs through Calcite.
 */
package io.spar.adapter;
