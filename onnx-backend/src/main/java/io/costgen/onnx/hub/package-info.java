/**
 * Downloads model folders from the Hugging Face Hub into a local cache: {@link
 * io.costgen.onnx.hub.HubModelRef} parses {@code hf:ORG/NAME[@REVISION]}, {@link
 * io.costgen.onnx.hub.HubDownloader} fetches, resumes and verifies the files a costgen model folder
 * needs, {@link io.costgen.onnx.hub.ProgressListener} reports bytes. Environment: {@code
 * HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}, {@code COSTGEN_OFFLINE}, {@code
 * COSTGEN_CACHE}. JDK HTTP client only; no other network library.
 */
package io.costgen.onnx.hub;
