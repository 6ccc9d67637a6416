package dev.ticketproof.arch;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.net.Layer;

/**
 * The layering of the main code, checked on its bytecode (the rules and their reasons: docs/kernel.md).
 *
 * <ul>
 *   <li>No cycles between packages, at every depth ({@code kernel}, {@code kernel.check} and {@code kernel.bound} are
 *       three slices).</li>
 *   <li>The trusted kernel depends only on the JDK, Commons Numbers, itself, the weight field ({@code random}),
 *       tensors, the layer records of {@code net}, the {@code Activation} interface and the input limits
 *       ({@code limits}): never on a solver, a construction, a parser, an evaluator or a formatter.</li>
 *   <li>The kernel never calls a layer's forward pass ({@code Layer.forward}): the records are data to it, and its
 *       normal form says what a layer computes.</li>
 *   <li>Only the kernel's packages create verdicts ({@code Verdict.holds}, {@code Verdict.rejected}).</li>
 *   <li>The ticket kernel does not depend on the lemma checkers ({@code kernel.lemma}): they use the kernel, never
 *       the other way round.</li>
 *   <li>Nothing depends on the command line ({@code cli}).</li>
 *   <li>Nothing below the construction depends on it: the kernel, the weight field, tensors, networks,
 *       activations, solvers, statistics, import and targets.</li>
 * </ul>
 */
@AnalyzeClasses(packages = "dev.ticketproof", importOptions = ArchitectureTest.MainClassesOnly.class)
class ArchitectureTest {
  /** Main classes only, whatever the build directory is called ({@code -Dtp.buildDir}). */
  static final class MainClassesOnly implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("/test-classes/") && !location.contains("/src/bench/");
    }
  }

  /** Plain data the kernel reads: the records of {@code net} and the sealed interfaces they implement. */
  static final DescribedPredicate<JavaClass> NET_DATA = describe("layer records of dev.ticketproof.net",
      c -> c.getPackageName().equals("dev.ticketproof.net") && (c.isRecord() || c.isInterface()));

  /** The contract the kernel's own activations implement (the catalog's implementations stay outside). */
  static final DescribedPredicate<JavaClass> ACTIVATION_INTERFACE = describe("the Activation interface",
      c -> c.getName().equals("dev.ticketproof.activation.Activation"));

  @ArchTest
  static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.ticketproof.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule KERNEL_DEPENDS_ON_TRUSTED_BASE_ONLY = classes()
      .that().resideInAPackage("dev.ticketproof.kernel..")
      .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "org.apache.commons.numbers..",
              "dev.ticketproof.kernel..", "dev.ticketproof.random..", "dev.ticketproof.tensor..",
              "dev.ticketproof.limits..")
          .or(NET_DATA).or(ACTIVATION_INTERFACE));

  @ArchTest
  static final ArchRule KERNEL_NEVER_RUNS_A_FORWARD_PASS = noClasses()
      .that().resideInAPackage("dev.ticketproof.kernel..")
      .should().callMethodWhere(describe("a layer's forward pass", call -> call.getName().equals("forward")
          && call.getTargetOwner().isAssignableTo(Layer.class)));

  @ArchTest
  static final ArchRule ONLY_THE_KERNEL_CREATES_VERDICTS = noClasses()
      .that().resideOutsideOfPackage("dev.ticketproof.kernel..")
      .should().callMethod(Verdict.class, "holds")
      .orShould().callMethod(Verdict.class, "rejected", String.class);

  @ArchTest
  static final ArchRule TICKET_KERNEL_DOES_NOT_DEPEND_ON_LEMMA_CHECKERS = noClasses()
      .that().resideInAPackage("dev.ticketproof.kernel..").and().resideOutsideOfPackage("dev.ticketproof.kernel.lemma..")
      .should().dependOnClassesThat().resideInAPackage("dev.ticketproof.kernel.lemma..");

  @ArchTest
  static final ArchRule LIMITS_DEPEND_ON_THE_JDK_ONLY = classes().that().resideInAPackage("dev.ticketproof.limits..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.ticketproof.limits..");

  @ArchTest
  static final ArchRule NOTHING_DEPENDS_ON_CLI = noClasses()
      .that().resideOutsideOfPackage("dev.ticketproof.cli..")
      .should().dependOnClassesThat().resideInAPackage("dev.ticketproof.cli..");

  @ArchTest
  static final ArchRule NOTHING_BELOW_CONSTRUCT_DEPENDS_ON_IT = noClasses()
      .that().resideInAnyPackage("dev.ticketproof.kernel..", "dev.ticketproof.random..", "dev.ticketproof.tensor..",
          "dev.ticketproof.net..", "dev.ticketproof.activation..", "dev.ticketproof.subsetsum..",
          "dev.ticketproof.stats..", "dev.ticketproof.io..", "dev.ticketproof.targets..")
      .should().dependOnClassesThat().resideInAPackage("dev.ticketproof.construct..");
}
