/**
 * TicketProof: certified strong lottery tickets for convolutional and residual networks (docs/library.md).
 *
 * <p>Exported: the library's entry point ({@code api}), the trusted kernel that judges certificates ({@code kernel}
 * and its {@code check}, {@code bound} and {@code lemma} packages), the readers and writers of files ({@code io}),
 * and the plain data those packages' signatures name: networks and their layers ({@code net}), tensors
 * ({@code tensor}), activations ({@code activation}), measurements of a ticket ({@code measure}) and the exception
 * naming a parameter at fault ({@code limits}). The constructions, solvers, generators, reports and the command line
 * are implementation and stay inside.
 *
 * <p>Four runtime dependencies carry no module name of their own (Commons Math 3, EJML, the pickle reader,
 * VectorGraphics2D): they are required by the names the JDK derives from their jar files.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.ticketproof {
  requires java.desktop;
  requires java.management;
  requires org.apache.commons.numbers.core;
  requires org.apache.commons.numbers.gamma;
  requires org.apache.commons.statistics.interval;
  requires org.apache.commons.csv;
  requires transitive commons.math3;
  requires ejml.core;
  requires ejml.ddense;
  requires pickle;
  requires transitive com.google.gson;
  requires info.picocli;
  requires me.tongfei.progressbar;
  requires org.knowm.xchart;
  requires VectorGraphics2D;

  exports dev.ticketproof.api;
  exports dev.ticketproof.kernel;
  exports dev.ticketproof.kernel.check;
  exports dev.ticketproof.kernel.bound;
  exports dev.ticketproof.kernel.lemma;
  exports dev.ticketproof.io;
  exports dev.ticketproof.net;
  exports dev.ticketproof.tensor;
  exports dev.ticketproof.activation;
  exports dev.ticketproof.measure;
  exports dev.ticketproof.limits;
  exports dev.ticketproof.random;

  // picocli creates the commands and sets their options by reflection
  opens dev.ticketproof.cli to info.picocli;
}
