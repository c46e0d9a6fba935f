/**
 * What a statement produces, shared by every stage of the pipeline: its result (rows, an update
 * count, warnings) or an error shaped exactly like PostgreSQL's.
 */
package io.spar.outcome;
