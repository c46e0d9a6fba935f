/**
 * How statements run on their nodes: connection pools, per-session node connections, parallel
 * reads over placements, replicated writes that mark failed placements inactive, and the
 * statement log.
 */
package io.spar.engine.execution;
