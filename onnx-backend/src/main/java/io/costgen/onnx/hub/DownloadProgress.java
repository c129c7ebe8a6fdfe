package io.costgen.onnx.hub;

import java.util.Objects;

/**
 * A snapshot of a model download, in bytes. Totals are {@code -1} when unknown (the hub did not
 * list sizes and the server sent no length); {@code fileCount} is {@code -1} when the file list is
 * not known up front (the listing API failed and candidates are probed one by one).
 *
 * <p>Within one file, {@code fileBytes} only grows, except when a server ignores a resume
 * {@code Range} request and the file restarts from byte 0. Bytes of files already in the cache
 * count as done. Immutable.
 *
 * @param model the model being downloaded
 * @param file the repository-relative path of the current file, e.g. {@code onnx/model.onnx}
 * @param fileIndex 1-based index of the current file
 * @param fileCount number of files to fetch, or -1 when unknown
 * @param fileBytes bytes of the current file on disk so far (resumed bytes included)
 * @param fileTotalBytes size of the current file in bytes, or -1 when unknown
 * @param overallBytes bytes of all files so far
 * @param overallTotalBytes size of all files in bytes, or -1 when unknown
 */
public record DownloadProgress(
    HubModelRef model,
    String file,
    int fileIndex,
    int fileCount,
    long fileBytes,
    long fileTotalBytes,
    long overallBytes,
    long overallTotalBytes) {

  public DownloadProgress {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(file, "file");
  }
}
