/**
 * Where target networks come from: the built-in targets ({@link dev.ticketproof.targets.Builtins}, including the
 * trained {@link dev.ticketproof.targets.Digits}), the generator of random CIFAR-style ResNets
 * ({@link dev.ticketproof.targets.CifarResNet}), the architecture presets of well-known state dicts
 * ({@link dev.ticketproof.targets.Presets}, {@link dev.ticketproof.targets.Architectures}) and loading a target
 * from a tensor file and an architecture ({@link dev.ticketproof.targets.TargetLoader}).
 */
package dev.ticketproof.targets;
