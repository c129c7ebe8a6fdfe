package io.costgen.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HubModelRefTest {

  @Test
  void parse_readsOrgAndName_andDefaultsRevisionToMain() {
    HubModelRef ref = HubModelRef.parse("hf:Xenova/gpt2");

    assertThat(ref.org()).isEqualTo("Xenova");
    assertThat(ref.name()).isEqualTo("gpt2");
    assertThat(ref.revision()).isEqualTo("main");
    assertThat(ref.repoId()).isEqualTo("Xenova/gpt2");
    assertThat(ref.isCommitSha()).isFalse();
  }

  @Test
  void parse_readsRevisionAfterAt_includingSlashesAndCommitShas() {
    assertThat(HubModelRef.parse("hf:org/model-1.5B_x@v1.0").revision()).isEqualTo("v1.0");
    assertThat(HubModelRef.parse("hf:org/model@refs/pr/12").revision()).isEqualTo("refs/pr/12");
    HubModelRef pinned = HubModelRef.parse("hf:org/model@" + FakeHub.COMMIT);
    assertThat(pinned.revision()).isEqualTo(FakeHub.COMMIT);
    assertThat(pinned.isCommitSha()).isTrue();
  }

  @Test
  void toString_isTheSpec_andParsesBack() {
    HubModelRef ref = HubModelRef.of("TinyLlama", "TinyLlama-1.1B-Chat-v1.0").withRevision("refs/pr/3");

    assertThat(ref.toString()).isEqualTo("hf:TinyLlama/TinyLlama-1.1B-Chat-v1.0@refs/pr/3");
    assertThat(HubModelRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void isHubSpec_tellsSpecsFromPaths() {
    assertThat(HubModelRef.isHubSpec("hf:a/b")).isTrue();
    assertThat(HubModelRef.isHubSpec("/models/gpt2")).isFalse();
    assertThat(HubModelRef.isHubSpec(null)).isFalse();
  }

  @Test
  void parse_rejectsMissingScheme() {
    assertThatThrownBy(() -> HubModelRef.parse("Xenova/gpt2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Xenova/gpt2'")
        .hasMessageContaining("hf:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hf:gpt2", "hf:a/b/c", "hf:", "hf:/"})
  void parse_rejectsSpecsThatAreNotOrgSlashName(String spec) {
    assertThatThrownBy(() -> HubModelRef.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ORG/NAME");
  }

  @Test
  void parse_namesTheBadOrg() {
    assertThatThrownBy(() -> HubModelRef.parse("hf:bad org/gpt2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("org 'bad org' is invalid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a--b", "a..b", "-ab", "ab.", "x/y", ""})
  void constructor_rejectsBadNames_namingTheField(String name) {
    assertThatThrownBy(() -> HubModelRef.of("org", name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name '" + name + "' is invalid");
  }

  @Test
  void parse_rejectsEmptyRevision() {
    assertThatThrownBy(() -> HubModelRef.parse("hf:Xenova/gpt2@"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("revision after '@' is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc", "a..b", "/main", "main/", "a//b", "has space", "refs", "x@y"})
  void parse_rejectsBadRevisions_namingTheRevision(String revision) {
    assertThatThrownBy(() -> HubModelRef.parse("hf:org/model@" + revision))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("revision '" + revision + "' is invalid");
  }

  @Test
  void isCommitSha_requiresFortyLowerCaseHexDigits() {
    assertThat(HubModelRef.of("a", "b").withRevision("abc123").isCommitSha()).isFalse();
    assertThat(HubModelRef.of("a", "b").withRevision(FakeHub.COMMIT.toUpperCase()).isCommitSha())
        .isFalse();
  }
}
