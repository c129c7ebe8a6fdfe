package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The field table drives the whole config: every row has its getter, setter, default and JSON key. */
class GenerationConfigTableTest {

  @Test
  void everyRowHasAPublicGetterAndBuilderSetterNamedAfterIt() {
    for (GenerationConfig.Field f : GenerationConfig.Field.values()) {
      assertThat(publicMethods(GenerationConfig.class, f.javaName, 0)).as("getter %s", f.javaName).isNotEmpty();
      assertThat(publicMethods(GenerationConfig.Builder.class, f.javaName, 1)).as("setter %s", f.javaName)
          .isNotEmpty();
    }
  }

  @Test
  void gettersReturnTheRowDefaults() throws Exception {
    GenerationConfig d = GenerationConfig.defaults();
    for (GenerationConfig.Field f : GenerationConfig.Field.values()) {
      Object got = GenerationConfig.class.getMethod(f.javaName).invoke(d);
      assertThat(unwrap(got)).as(f.javaName).isEqualTo(f.defaultValue);
    }
    assertThat(d.explicitFields()).isEmpty();
  }

  @Test
  void everyHuggingFaceKeyIsReadIntoItsField() {
    for (GenerationConfig.Field f : GenerationConfig.Field.values()) {
      assertThat(GenerationConfig.Field.byHuggingFaceName(f.hfName)).isSameAs(f);
    }
    GenerationConfig c = GenerationConfig.fromHuggingFace(Map.of("top_p", 0.5, "eos_token_id", 7,
        "max_time", 1.5, "sequence_bias", List.of(List.of(List.of(1, 2), -1.0))));
    assertThat(c.explicitFields()).containsExactlyInAnyOrder("top_p", "eos_token_id", "max_time", "sequence_bias");
    assertThat(c.topP()).isEqualTo(0.5);
    assertThat(c.eosTokenIds()).containsExactly(7L);
    assertThat(c.maxTime()).contains(java.time.Duration.ofMillis(1500));
    assertThat(c.sequenceBias()).containsEntry(List.of(1L, 2L), -1.0);
  }

  @Test
  void nullUnsetsOnlyFieldsWhoseDefaultIsUnset() {
    GenerationConfig.Builder b = GenerationConfig.builder()
        .exponentialDecayLengthPenalty(new ExponentialDecayLengthPenalty(2, 1.5));
    assertThat(b.build().explicitFields()).containsExactly("exponential_decay_length_penalty");
    assertThat(b.exponentialDecayLengthPenalty(null).build().explicitFields()).isEmpty();
    assertThatThrownBy(() -> GenerationConfig.builder().earlyStopping(null))
        .isInstanceOf(NullPointerException.class).hasMessage("earlyStopping");
  }

  private static List<Method> publicMethods(Class<?> type, String name, int params) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> m.getName().equals(name) && m.getParameterCount() == params && Modifier.isPublic(m.getModifiers()))
        .toList();
  }

  private static Object unwrap(Object o) {
    if (o instanceof Optional<?> opt) {
      return opt.orElse(null);
    }
    if (o instanceof OptionalInt i) {
      return i.isPresent() ? i.getAsInt() : null;
    }
    if (o instanceof OptionalLong l) {
      return l.isPresent() ? l.getAsLong() : null;
    }
    if (o instanceof OptionalDouble d) {
      return d.isPresent() ? d.getAsDouble() : null;
    }
    return o;
  }
}
