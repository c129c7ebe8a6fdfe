package io.costgen.onnx.hub;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model repository on the Hugging Face Hub at one revision, written {@code hf:ORG/NAME[@REVISION]}
 * (for example {@code hf:Xenova/gpt2}, {@code hf:Xenova/gpt2@main}, {@code hf:org/model@refs/pr/1}
 * or a 40-hex commit sha). The revision defaults to {@value #DEFAULT_REVISION}.
 *
 * <p>{@code org} and {@code name} follow the Hub's repository-id rules: 1 to 96 characters from
 * {@code [A-Za-z0-9._-]}, starting and ending with a letter, digit or {@code _}, without
 * {@code --} or {@code ..}. A revision is a branch, tag or commit: {@code /}-separated segments of
 * {@code [A-Za-z0-9._-]}, each starting with a letter, digit or {@code _}, without {@code ..}.
 * Immutable and thread-safe.
 */
public record HubModelRef(String org, String name, String revision) {

  /** The prefix that marks a Hub model spec. */
  public static final String SCHEME = "hf:";

  /** The revision used when a spec names none. */
  public static final String DEFAULT_REVISION = "main";

  private static final Pattern REPO_PART =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?");
  private static final Pattern REVISION =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*");
  private static final Pattern COMMIT_SHA = Pattern.compile("[0-9a-f]{40}");
  private static final String REPO_RULE =
      "1-96 characters from [A-Za-z0-9._-], starting and ending with a letter, digit or '_',"
          + " without '--' or '..'";

  /**
   * Validates every part.
   *
   * @throws IllegalArgumentException naming the bad part, its value and the allowed form
   */
  public HubModelRef {
    checkRepoPart("org", org);
    checkRepoPart("name", name);
    Objects.requireNonNull(revision, "revision");
    if (revision.length() > 255
        || !REVISION.matcher(revision).matches()
        || revision.contains("..")
        || revision.equals("refs")) {
      throw new IllegalArgumentException(
          "revision '"
              + revision
              + "' is invalid: expected a branch, tag or commit sha made of '/'-separated"
              + " segments of [A-Za-z0-9._-] (at most 255 characters, no '..'), e.g. main,"
              + " v1.0 or refs/pr/1");
    }
  }

  /** The model {@code org/name} at revision {@value #DEFAULT_REVISION}. */
  public static HubModelRef of(String org, String name) {
    return new HubModelRef(org, name, DEFAULT_REVISION);
  }

  /**
   * Parses {@code hf:ORG/NAME[@REVISION]}.
   *
   * @throws IllegalArgumentException when the scheme is missing or a part is invalid; the message
   *     names the part and quotes the spec
   */
  public static HubModelRef parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    String form = "expected hf:ORG/NAME[@REVISION], e.g. hf:Xenova/gpt2 or hf:Xenova/gpt2@main";
    if (!isHubSpec(spec)) {
      throw new IllegalArgumentException(
          "model spec '" + spec + "' is invalid: missing the 'hf:' prefix; " + form);
    }
    String rest = spec.substring(SCHEME.length());
    String revision = DEFAULT_REVISION;
    int at = rest.indexOf('@');
    if (at >= 0) {
      revision = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (revision.isEmpty()) {
        throw new IllegalArgumentException(
            "model spec '" + spec + "' is invalid: the revision after '@' is empty; " + form);
      }
    }
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(
          "model spec '" + spec + "' is invalid: '" + rest + "' is not ORG/NAME; " + form);
    }
    try {
      return new HubModelRef(rest.substring(0, slash), rest.substring(slash + 1), revision);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model spec '" + spec + "': " + e.getMessage(), e);
    }
  }

  /** Whether {@code spec} starts with {@value #SCHEME}, i.e. names a Hub model, not a path. */
  public static boolean isHubSpec(String spec) {
    return spec != null && spec.startsWith(SCHEME);
  }

  /** This model at another revision. */
  public HubModelRef withRevision(String newRevision) {
    return new HubModelRef(org, name, newRevision);
  }

  /** The Hub repository id, {@code org/name}. */
  public String repoId() {
    return org + "/" + name;
  }

  /** Whether the revision is a full 40-hex commit sha (immutable, so a cached copy is final). */
  public boolean isCommitSha() {
    return COMMIT_SHA.matcher(revision).matches();
  }

  /** The spec form, {@code hf:org/name@revision}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return SCHEME + org + "/" + name + "@" + revision;
  }

  private static void checkRepoPart(String field, String value) {
    Objects.requireNonNull(value, field);
    if (!REPO_PART.matcher(value).matches() || value.contains("--") || value.contains("..")) {
      throw new IllegalArgumentException(field + " '" + value + "' is invalid: " + REPO_RULE);
    }
  }
}
