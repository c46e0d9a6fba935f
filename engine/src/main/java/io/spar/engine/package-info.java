/**
 * Spar's engine: everything about distributed tables that does not need Calcite.
 */
package io.spar.engine;
