/**
 * [subset-sum] and [subset-sum-products]: solvers that return certificates ({@link dev.ticketproof.subsetsum.SubsetSum},
 * {@link dev.ticketproof.subsetsum.SubsetSumCertificates}), the "all z" coverage check
 * ({@link dev.ticketproof.subsetsum.Coverage}), width bounds ({@link dev.ticketproof.subsetsum.WidthBound}), the
 * product law ({@link dev.ticketproof.subsetsum.Products}) and reproducible experiments
 * ({@link dev.ticketproof.subsetsum.Experiments}). Proof pages: proofs/subset-sum.md, proofs/subset-sum-products.md.
 */
package dev.ticketproof.subsetsum;
