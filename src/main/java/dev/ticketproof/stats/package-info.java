/** Empirical checks of probabilistic bounds with exact (Clopper-Pearson) confidence intervals. */
package dev.ticketproof.stats;
