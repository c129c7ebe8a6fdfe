package io.costgen.onnx.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Picks the files a costgen model folder needs from a repository listing: the metadata files and
 * one ONNX decoder with its external-data files. See {@link HubDownloader} for the order.
 */
final class FileSelection {

  /** Metadata fetched when present, in this order. */
  static final List<String> METADATA_FILES =
      List.of(
          "config.json",
          "generation_config.json",
          "genai_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  private FileSelection() {}

  /** A file in the repository; {@code size} -1 and {@code sha256} null when unknown. */
  record RemoteFile(String path, long size, String sha256) {
    static RemoteFile unknown(String path) {
      return new RemoteFile(path, -1, null);
    }
  }

  /**
   * ONNX decoder candidates, most preferred first. Without a variant: {@code model.onnx},
   * {@code onnx/decoder_model_merged.onnx}, {@code onnx/model.onnx}, {@code decoder_model_merged.onnx},
   * {@code onnx/decoder_model_merged_quantized.onnx}, {@code decoder_model_merged_quantized.onnx}.
   * With variant {@code V}: {@code model_V.onnx}, {@code onnx/decoder_model_merged_V.onnx},
   * {@code onnx/model_V.onnx}, {@code decoder_model_merged_V.onnx}.
   */
  static List<String> onnxCandidates(String variant) {
    if (variant == null) {
      return List.of(
          "model.onnx",
          "onnx/decoder_model_merged.onnx",
          "onnx/model.onnx",
          "decoder_model_merged.onnx",
          "onnx/decoder_model_merged_quantized.onnx",
          "decoder_model_merged_quantized.onnx");
    }
    return List.of(
        "model_" + variant + ".onnx",
        "onnx/decoder_model_merged_" + variant + ".onnx",
        "onnx/model_" + variant + ".onnx",
        "decoder_model_merged_" + variant + ".onnx");
  }

  /**
   * External-data names probed when the repository cannot be listed: {@code X.onnx.data} and
   * {@code X.onnx_data} beside {@code X.onnx}.
   */
  static List<String> externalDataGuesses(String onnxPath) {
    return List.of(onnxPath + ".data", onnxPath + "_data");
  }

  /**
   * Whether {@code path} is external data of {@code onnxPath}: same folder, named
   * {@code X.onnx.data*} or {@code X.onnx_data*} (covers transformers.js shards
   * {@code X.onnx_data_1}, ...).
   */
  static boolean isExternalDataOf(String path, String onnxPath) {
    for (String prefix : externalDataGuesses(onnxPath)) {
      if (path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code path} is a safe relative path: non-empty segments, no {@code .} or {@code ..},
   * no backslash, colon or control characters.
   */
  static boolean isSafeRelativePath(String path) {
    if (path == null || path.isEmpty() || path.length() > 1024) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == '\\' || c == ':' || c == 0x7f) {
        return false;
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The files to fetch, in order: listed metadata files, the ONNX graph, its external data.
   *
   * @throws HubException (status 404) when the listing holds no matching ONNX decoder
   */
  static List<RemoteFile> select(
      HubModelRef ref, List<RemoteFile> listed, String variant, String onnxFile)
      throws HubException {
    Map<String, RemoteFile> byPath = new LinkedHashMap<>();
    for (RemoteFile f : listed) {
      if (isSafeRelativePath(f.path())) {
        byPath.put(f.path(), f);
      }
    }
    List<RemoteFile> plan = new ArrayList<>();
    for (String name : METADATA_FILES) {
      RemoteFile f = byPath.get(name);
      if (f != null) {
        plan.add(f);
      }
    }
    List<String> candidates = onnxFile != null ? List.of(onnxFile) : onnxCandidates(variant);
    RemoteFile onnx = null;
    for (String candidate : candidates) {
      onnx = byPath.get(candidate);
      if (onnx != null) {
        break;
      }
    }
    if (onnx == null) {
      String available =
          byPath.keySet().stream()
              .filter(p -> p.endsWith(".onnx"))
              .limit(20)
              .collect(Collectors.joining(", "));
      String wanted =
          onnxFile != null
              ? onnxFile
              : variant != null ? "an ONNX decoder of variant '" + variant + "'" : "an ONNX decoder";
      throw new HubException(
          "model or file not found: "
              + ref
              + " has no "
              + wanted
              + " (looked for "
              + String.join(", ", candidates)
              + "; ONNX files there: "
              + (available.isEmpty() ? "none" : available)
              + ")",
          404,
          null);
    }
    plan.add(onnx);
    for (RemoteFile f : byPath.values()) {
      if (isExternalDataOf(f.path(), onnx.path())) {
        plan.add(f);
      }
    }
    return List.copyOf(plan);
  }
}
