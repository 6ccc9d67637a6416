package dev.ticketproof.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/cli.md against the command line's picocli model ({@link Main#commandLine()}, walked through every
 * subcommand). The page gives each command a heading {@code ## `NAME`} ({@code ### `subset-sum stats`} for a
 * subcommand); a command's section runs from its heading to the next heading of the same or a higher level, and the
 * text of a parent's section before its first subheading (the flags its subcommands share) belongs to its
 * subcommands too. Every option of a command (all its {@code --} names; {@code --help} and {@code --version}, which
 * every command has, are documented once at the top) must be named in its section, and every flag the page names must
 * be an option of the command it is written for: the command a code span or a command line starts with
 * ({@code `construct --around X`}, {@code ./ticketproof eval ...}), the command written right before it
 * ({@code as eval --ticket does}), else the command whose section it is in (or one of that command's parents or
 * subcommands); a flag outside every command's section must be an option of some command.
 */
class CliDocsTest {
  static final Path PAGE = Path.of("docs", "cli.md");

  /** A flag: two dashes and a name, not part of a longer word or flag. */
  static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[A-Za-z][A-Za-z0-9-]*");

  /**
   * The flags a section names on purpose that are no option of the command they are read for: "COMMAND FLAG" (the
   * section's command) to the reason.
   */
  static final Map<String, String> ELSEWHERE = Map.of(
      // the shell use of docs/ticket_loader.py, whose own --input reads what the data flags read
      "export --input", "docs/ticket_loader.py's --input",
      // sweep's CSV has one column per spec field, named as the construct flag it sets
      "sweep --NAME", "a column name pattern, not a flag",
      // the figures' footers name the git commit as `git rev-parse --short HEAD` prints it
      "report --short", "git rev-parse's --short");

  /** Commands by qualified name without the root's ({@code construct}, {@code subset-sum stats}). */
  static final Map<String, CommandSpec> COMMANDS = new LinkedHashMap<>();

  static List<Section> sections;

  /**
   * One heading of the page.
   *
   * @param command the command it documents (a heading {@code `NAME`} that names one), or null
   * @param context the command whose section it lies in: its own, or the nearest enclosing heading's; null for the
   *     top of the page and sections such as "Data files"
   * @param level the number of {@code #}
   * @param own its text up to the next heading of any level
   * @param whole its text up to the next heading of the same or a higher level
   */
  record Section(String title, String command, String context, int level, String own, String whole) {}

  @BeforeAll
  static void read() throws IOException {
    walk(Main.commandLine());
    sections = sections(Files.readString(PAGE));
  }

  private static void walk(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    String q = spec.qualifiedName().replaceFirst("^ticketproof ?", "");
    COMMANDS.put(q, spec);
    for (CommandLine sub : cl.getSubcommands().values()) walk(sub);
  }

  /** The page's headings (outside fenced code) and their texts. */
  static List<Section> sections(String page) {
    String[] lines = page.split("\n", -1);
    List<int[]> heads = new ArrayList<>(); // {line, level}
    List<String> titles = new ArrayList<>();
    boolean fence = false;
    Pattern heading = Pattern.compile("^(#{1,6})\\s+(.+?)\\s*$");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].stripLeading().startsWith("```")) fence = !fence;
      Matcher m = heading.matcher(lines[i]);
      if (!fence && m.matches()) {
        heads.add(new int[] {i, m.group(1).length()});
        titles.add(m.group(2));
      }
    }
    List<Section> out = new ArrayList<>();
    List<String> contexts = new ArrayList<>();
    for (int h = 0; h < heads.size(); h++) {
      int line = heads.get(h)[0];
      int level = heads.get(h)[1];
      int ownEnd = h + 1 < heads.size() ? heads.get(h + 1)[0] : lines.length;
      int wholeEnd = lines.length;
      for (int k = h + 1; k < heads.size(); k++) {
        if (heads.get(k)[1] <= level) {
          wholeEnd = heads.get(k)[0];
          break;
        }
      }
      Matcher named = Pattern.compile("^`([a-z][a-z -]*)`$").matcher(titles.get(h));
      String command = named.matches() && COMMANDS.containsKey(named.group(1)) ? named.group(1) : null;
      String context = command;
      for (int k = h - 1; context == null && k >= 0; k--) {
        if (heads.get(k)[1] < level) {
          context = contexts.get(k);
          break;
        }
      }
      contexts.add(context);
      out.add(new Section(titles.get(h), command, context, level, join(lines, line + 1, ownEnd),
          join(lines, line + 1, wholeEnd)));
    }
    return out;
  }

  private static String join(String[] lines, int from, int to) {
    return String.join("\n", java.util.Arrays.asList(lines).subList(from, Math.max(from, to)));
  }

  /**
   * The flags a text names, each with the command it is written for ({@code fallback} unless a code span, a fenced
   * block or the word before it names another).
   */
  static List<String[]> flags(String text, String fallback) {
    List<String[]> out = new ArrayList<>();
    StringBuilder prose = new StringBuilder();
    StringBuilder block = null;
    for (String line : text.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        if (block == null) {
          block = new StringBuilder();
        } else {
          String b = block.toString();
          Matcher cmd = Pattern.compile("ticketproof\\s+(.*)").matcher(b);
          String named = cmd.find() ? commandAt(cmd.group(1)) : null;
          inline(b, named != null ? named : fallback, out);
          block = null;
        }
        continue;
      }
      (block != null ? block : prose).append(line).append('\n');
    }
    // code spans (which may run over a line break) that start with a command line belong to that command
    String p = prose.toString();
    Matcher span = Pattern.compile("`([^`]*)`").matcher(p);
    int last = 0;
    while (span.find()) {
      inline(p.substring(last, span.start()), fallback, out);
      String s = span.group(1).replaceFirst("^\\$\\s+", "").replaceFirst("^(\\./)?ticketproof\\s+", "");
      String named = commandAt(s);
      inline(span.group(1), named != null ? named : fallback, out);
      last = span.end();
    }
    inline(p.substring(last), fallback, out);
    return out;
  }

  /** The flags of a text without code spans: the command written right before a flag, else {@code fallback}. */
  private static void inline(String text, String fallback, List<String[]> out) {
    Matcher f = FLAG.matcher(text);
    while (f.find()) {
      String before = text.substring(0, f.start());
      String named = null;
      for (String q : COMMANDS.keySet()) {
        if (!q.isEmpty() && Pattern.compile("(?<![\\w-])" + Pattern.quote(q) + "\\s+$").matcher(before).find()
            && (named == null || q.length() > named.length())) {
          named = q;
        }
      }
      out.add(new String[] {f.group(), named != null ? named : fallback});
    }
  }

  /** The command a command line (without {@code ./ticketproof}) starts with, the longest that fits, or null. */
  static String commandAt(String line) {
    String best = null;
    for (String q : COMMANDS.keySet()) {
      if (!q.isEmpty() && (line.equals(q) || line.startsWith(q + " ") || line.startsWith(q + "\n"))
          && (best == null || q.length() > best.length())) {
        best = q;
      }
    }
    return best;
  }

  /** The options a command's help lists, without the --help and --version every command has. */
  static List<OptionSpec> documented(CommandSpec spec) {
    return spec.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp() && !o.hidden()).toList();
  }

  /** Every name of every option of the command, its parents (up to the root) and its subcommands. */
  static Set<String> accepted(String command) {
    Set<String> names = new TreeSet<>();
    for (Map.Entry<String, CommandSpec> e : COMMANDS.entrySet()) {
      String q = e.getKey();
      boolean parent = q.isEmpty() || command.equals(q) || command.startsWith(q + " ");
      boolean child = command.isEmpty() || q.startsWith(command + " ");
      if (parent || child) {
        for (OptionSpec o : e.getValue().options()) names.addAll(List.of(o.names()));
      }
    }
    return names;
  }

  static Section section(String command) {
    List<Section> found = sections.stream().filter(s -> command.equals(s.command())).toList();
    assertThat(found).as("one section `%s` in %s", command, PAGE).hasSize(1);
    return found.get(0);
  }

  @Test
  void theWalkFindsEveryCommand() {
    assertThat(COMMANDS.keySet()).contains("construct", "verify", "eval", "inspect", "export", "demo", "sweep",
        "report", "activations", "subset-sum", "subset-sum stats", "subset-sum coverage", "subset-sum width");
  }

  /** A heading that names a command in backticks names an existing one (a removed command leaves no section). */
  @Test
  void everyCommandHeadingNamesACommand() {
    for (Section s : sections) {
      if (s.title().matches("`[a-z][a-z -]*`")) {
        assertThat(COMMANDS).as("heading %s names a command", s.title())
            .containsKey(s.title().substring(1, s.title().length() - 1));
      }
    }
  }

  @Test
  void everyOptionIsNamedInItsCommandsSection() {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandSpec> e : COMMANDS.entrySet()) {
      String command = e.getKey();
      List<OptionSpec> options = documented(e.getValue());
      if (command.isEmpty() || options.isEmpty()) continue;
      Set<String> named = new LinkedHashSet<>();
      for (String[] f : flags(section(command).whole(), command)) {
        if (f[1].equals(command)) named.add(f[0]);
      }
      // a parent's text before its first subheading: the flags its subcommands share
      for (String parent = parentOf(command); parent != null; parent = parentOf(parent)) {
        String p = parent;
        sections.stream().filter(s -> p.equals(s.command())).findFirst().ifPresent(s -> {
          for (String[] f : flags(s.own(), p)) {
            if (f[1].equals(p)) named.add(f[0]);
          }
        });
      }
      for (OptionSpec o : options) {
        for (String name : o.names()) {
          if (name.startsWith("--") && !named.contains(name)) missing.add(command + " " + name);
        }
      }
    }
    assertThat(missing).as("options not named in their command's section of " + PAGE).isEmpty();
  }

  @Test
  void everyFlagOnThePageIsAnOptionOfItsCommand() {
    Set<String> all = accepted("");
    List<String> unknown = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (Section s : sections) {
      for (String[] f : flags(s.own(), s.context())) {
        String flag = f[0];
        String command = f[1];
        if (command == null) {
          if (!all.contains(flag)) unknown.add("(" + s.title() + ") " + flag + ": no command has it");
          continue;
        }
        if (accepted(command).contains(flag)) continue;
        String key = (s.context() == null ? "" : s.context()) + " " + flag;
        if (ELSEWHERE.containsKey(key)) {
          used.add(key);
        } else {
          unknown.add("(" + s.title() + ") " + flag + ": no option of " + command);
        }
      }
    }
    assertThat(unknown).as("flags of " + PAGE + " that are no option of their command").isEmpty();
    assertThat(used).as("exceptions that still apply").isEqualTo(new TreeSet<>(ELSEWHERE.keySet()));
  }

  private static String parentOf(String command) {
    int space = command.lastIndexOf(' ');
    return space < 0 ? null : command.substring(0, space);
  }
}
