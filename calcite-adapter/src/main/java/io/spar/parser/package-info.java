/**
 * How SQL text becomes a Calcite parse tree with PostgreSQL's lexical rules.
 */
package io.spar.parser;
