package dev.ticketproof.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code java} block of docs/library.md compiles against the library and runs. */
class LibraryDocTest {
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

  @Test
  void examplesCompileAndRun(@TempDir Path dir) throws Exception {
    String doc = Files.readString(Path.of("docs/library.md"));
    Matcher m = BLOCK.matcher(doc);
    List<String> classes = new ArrayList<>();
    List<String> files = new ArrayList<>();
    while (m.find()) {
      Matcher c = CLASS.matcher(m.group(1));
      assertThat(c.find()).as("a java block of docs/library.md declares no public class").isTrue();
      Path f = dir.resolve(c.group(1) + ".java");
      Files.writeString(f, m.group(1));
      classes.add(c.group(1));
      files.add(f.toString());
    }
    assertThat(classes).as("java blocks of docs/library.md").hasSizeGreaterThanOrEqualTo(3);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
        "-Xlint:all", "-Werror"));
    args.addAll(files);
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
    assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      for (String name : classes) {
        Method main = loader.loadClass(name).getMethod("main", String[].class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
          main.invoke(null, (Object) new String[0]);
        } finally {
          System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).as(name + " printed").contains("verdict: holds").doesNotContain("rejected");
      }
    }
  }
}
