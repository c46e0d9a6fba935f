package io.spar.adapter;

/**
 * Column of a PostgreSQL relation as the catalog describes it.
 */
record PgColumn(String name, String typeName, int typeModifier, boolean notNull) {
}
