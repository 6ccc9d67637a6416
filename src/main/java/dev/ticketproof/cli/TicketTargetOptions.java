package dev.ticketproof.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --target PATH [--arch SPEC] [--prefix P] [--input-shape C,H,W]}: the target of a ticket, for the commands that read a
 * ticket (verify, export); a built-in target is named by the ticket's header.
 */
final class TicketTargetOptions {
  @Option(names = "--target", description = "The target file (not needed for builtin: targets).")
  String target;

  @Mixin ArchOption arch;

  @Mixin InputShapeOption inputShape;

  /** The target file (an input an output must not overwrite), or null for a built-in target or none. */
  Path file() { return target == null || target.startsWith("builtin:") ? null : Path.of(target); }

  /** The ticket in {@code file} with its target ({@link TargetOptions#ticket}). */
  TargetOptions.Ticket ticket(Path file) { return TargetOptions.ticket(file, target, arch, inputShape.value); }
}
