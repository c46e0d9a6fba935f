/**
 * Which parts of a plan move into Spar's convention, and where they leave it for Enumerable.
 */
package io.spar.planner.rules;
