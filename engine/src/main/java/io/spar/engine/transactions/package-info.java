/**
 * How a session's writes commit atomically across nodes: transaction state, two-phase commit
 * with commit records in the coordinator, and recovery of prepared transactions.
 */
package io.spar.engine.transactions;
