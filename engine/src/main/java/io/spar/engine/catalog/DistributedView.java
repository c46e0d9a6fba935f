package io.spar.engine.catalog;

/**
 * A view of the coordinator that reads a distributed table, directly or through other views.
 * The coordinator's own plan of it would read the distributed tables' empty shells, so Spar
 * plans a query on it with its definition in its place.
 *
 * @param name the view's name
 * @param definition the view's query as {@code pg_get_viewdef} prints it with an empty search
 *     path (names outside {@code pg_catalog} schema-qualified), without a final semicolon
 * @param materialized whether it is a materialized view, whose stored rows came from the shells
 */
public record DistributedView(TableName name, String definition, boolean materialized) {
}
