package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel's hand-written header JSON reader: what Gson writes (io.TicketWriter), strict RFC 8259. */
class HeaderJsonTest {
  private static Map<String, Object> sample(String label) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "ticketproof-ticket");
    m.put("version", 2);
    m.put("target", label);
    m.put("rho", 15);
    m.put("lambda", 0.05);
    m.put("seed", -7L);
    m.put("inputLow", -1.0);
    m.put("eps", 1e-4);
    m.put("upto", null);
    m.put("claimedBound", "Infinity");
    m.put("claimedFailedInstances", 123456789012L);
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"builtin:small-fc", "/tmp/a b/c=d&e<f>'g\".pt", "tab\there\nnewline\\back\u0001\u2028é"})
  void readsWhatGsonWrites(String label) {
    Map<String, Object> m = sample(label);
    JsonObject o = new JsonObject();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (e.getValue() instanceof Number n) o.addProperty(e.getKey(), n);
      else o.addProperty(e.getKey(), (String) e.getValue());
    }
    String gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o);
    Map<String, Object> back = HeaderJson.parse(gson);
    assertThat(back.get("target")).isEqualTo(label);
    assertThat(back).doesNotContainKey("upto");
    assertThat(back.get("eps")).isEqualTo(new BigDecimal("1.0E-4"));
    assertThat(back.get("claimedFailedInstances")).isEqualTo(new BigDecimal("123456789012"));
  }

  @Test
  void readsEveryValueKind() {
    Map<String, Object> m = HeaderJson.parse(" {\"a\" : \"x\\u0041\\/\", \"b\":-0.5e+2,\"c\":true,\"d\":false,\"e\":null,"
        + "\"f\":0} \n");
    assertThat(m).containsEntry("a", "xA/").containsEntry("b", new BigDecimal("-0.5e+2"))
        .containsEntry("c", true).containsEntry("d", false).containsEntry("e", null)
        .containsEntry("f", BigDecimal.ZERO);
    assertThat(HeaderJson.parse("{}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{", "{\"a\":1,}", "{\"a\":1}x", "{\"a\":1}{}", "{\"a\":1,\"a\":2}",
      "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":NaN}", "{\"a\":Infinity}", "{'a':1}", "{a:1}", "{\"a\":01}",
      "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":\"\u0001\"}", "{\"a\":\"\\x\"}",
      "{\"a\":\"\\u12\"}", "{\"a\":\"open}", "{/*c*/\"a\":1}", "{\"a\" 1}", "{\"a\":tru}"})
  void rejectsWhatStrictJsonRejects(String text) {
    assertThatThrownBy(() -> HeaderJson.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a strict JSON header");
  }

  @Test
  void namesDuplicatesAndNesting() {
    assertThatThrownBy(() -> HeaderJson.parse("{\"rho\":1,\"rho\":2}")).hasMessageContaining("duplicate key \"rho\"");
    assertThatThrownBy(() -> HeaderJson.parse("{\"rho\":{\"x\":1}}")).hasMessageContaining("\"rho\": nested");
  }

  @Test
  void readsEveryEscapeAndWhitespaceAndNamesTheOffset() {
    Map<String, Object> m = HeaderJson.parse("{\t\"k\"\r\n:\"\\\"\\\\\\b\\f\\n\\r\\t\\u00e9\",\"n\":1E-2,\"p\":2e+1}");
    assertThat(m).containsEntry("k", "\"\\\b\f\n\r\t\u00e9").containsEntry("n", new BigDecimal("1E-2"))
        .containsEntry("p", new BigDecimal("2e+1"));
    // a value Gson writes (escaping <, >, &, =, ' and controls as \\u) reads back with every character
    String all = "\"\\\b\f\n\r\t\u0001<>&='\u2028\u2029/";
    JsonObject o = new JsonObject();
    o.addProperty("s", all);
    assertThat(HeaderJson.parse(new GsonBuilder().setPrettyPrinting().create().toJson(o))).containsEntry("s", all);
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":\"\\uzzzz\"}")).hasMessageContaining("bad \\u escape at offset");
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":-}")).hasMessageContaining("\"a\": expected a value at offset 6");
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":1e+}")).hasMessageContaining("digits expected in the exponent");
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":1} x")).hasMessageContaining("trailing content after the object"
        + " at offset 8");
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":\"x")).hasMessageContaining("unterminated string");
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":\"\\u00")).hasMessageContaining("truncated \\u escape");
    // a complete escape that ends the input: what is missing is the closing quote, not escape digits
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":\"\\u0041")).hasMessageContaining("unterminated string at offset 12");
    assertThatThrownBy(() -> HeaderJson.parse("{\"a\":\"\\u004")).hasMessageContaining("truncated \\u escape");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":", "{\"a\":-", "{\"a\":0", "{\"a\":1.", "{\"a\":1.5", "{\"a\":1e", "{\"a\":1e-",
      "{\"a\":1e5", "{\"a\":\"x\\", "{\"a\":\"\\u0041", "{\"a\"", "{\"a"})
  void inputEndingInsideAValueIsAnErrorNamed(String text) {
    // never an index error: every read checks the end of the input first
    assertThatThrownBy(() -> HeaderJson.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a strict JSON header").hasMessageContaining("at offset");
  }
}
