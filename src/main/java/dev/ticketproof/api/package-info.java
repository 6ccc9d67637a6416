/**
 * The library's entry point: build a certified ticket for a target in a few lines, verify it, evaluate it
 * (docs/library.md). Types of this package carry an API status in their documentation: <em>stable</em> (kept
 * compatible within a major version) or <em>experimental</em> (may change).
 */
package dev.ticketproof.api;
