package io.costgen.onnx.hub;

import static io.costgen.onnx.hub.FakeHub.COMMIT;
import static io.costgen.onnx.hub.FakeHub.bytes;
import static io.costgen.onnx.hub.FakeHub.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubDownloaderTest {
  private static final HubModelRef LLAMA = HubModelRef.parse("hf:acme/tiny-llama");
  private static final HubModelRef GPT2 = HubModelRef.parse("hf:Xenova/gpt2");

  @TempDir Path cache;

  private FakeHub hub;
  private Map<String, byte[]> llama;
  private Map<String, byte[]> gpt2;

  @BeforeEach
  void startHub() throws IOException {
    llama = new LinkedHashMap<>();
    llama.put(".gitattributes", text("*.onnx filter=lfs\n"));
    llama.put("README.md", text("# tiny llama\n"));
    llama.put("config.json", text("{\"model_type\":\"llama\",\"num_hidden_layers\":2}"));
    llama.put("generation_config.json", text("{\"eos_token_id\":2}"));
    llama.put("tokenizer.json", bytes(20_000, 1));
    llama.put("tokenizer_config.json", text("{\"bos_token\":\"<s>\"}"));
    llama.put("special_tokens_map.json", text("{\"eos_token\":\"</s>\"}"));
    llama.put("model.onnx", bytes(200_000, 2));
    llama.put("model.onnx.data", bytes(300_000, 3));
    llama.put("onnx/model.onnx", bytes(1_000, 4));
    llama.put("model.onnx_data/../../../evil", bytes(10, 5));

    gpt2 = new LinkedHashMap<>();
    gpt2.put("config.json", text("{\"model_type\":\"gpt2\"}"));
    gpt2.put("generation_config.json", text("{\"eos_token_id\":50256}"));
    gpt2.put("tokenizer.json", bytes(30_000, 6));
    gpt2.put("tokenizer_config.json", text("{}"));
    gpt2.put("onnx/decoder_model.onnx", bytes(5_000, 7));
    gpt2.put("onnx/decoder_model_merged.onnx", bytes(150_000, 8));
    gpt2.put("onnx/decoder_model_merged.onnx_data", bytes(120_000, 9));
    gpt2.put("onnx/decoder_model_merged_fp16.onnx", bytes(75_000, 10));
    gpt2.put("onnx/decoder_model_merged_quantized.onnx", bytes(40_000, 11));
    gpt2.put("onnx/decoder_with_past_model.onnx", bytes(5_000, 12));

    hub = new FakeHub().repo("acme/tiny-llama", llama).repo("Xenova/gpt2", gpt2);
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  private HubDownloader.Builder downloader() {
    return HubDownloader.builder()
        .endpoint(hub.endpoint())
        .cacheDir(cache)
        .environment(name -> null);
  }

  private static List<String> filesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !p.startsWith(".costgen-complete-"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static List<Path> partFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".part")).collect(Collectors.toList());
    }
  }

  @Test
  void download_fetchesMetadataAndRootModelWithExternalData_andNothingElse() throws IOException {
    Path folder = downloader().build().download(LLAMA);

    assertThat(folder).isEqualTo(cache.resolve("acme--tiny-llama").resolve(COMMIT));
    assertThat(filesUnder(folder))
        .containsExactly(
            "config.json",
            "generation_config.json",
            "model.onnx",
            "model.onnx.data",
            "special_tokens_map.json",
            "tokenizer.json",
            "tokenizer_config.json");
    for (String f : filesUnder(folder)) {
      assertThat(folder.resolve(f)).as(f).hasBinaryContent(llama.get(f));
    }
    assertThat(cache.resolve("acme--tiny-llama/refs/main")).hasContent(COMMIT);
    assertThat(hub.gets("/model.onnx"))
        .singleElement()
        .satisfies(r -> assertThat(r.path()).contains("/resolve/" + COMMIT + "/"));
    assertThat(partFiles(cache)).isEmpty();
  }

  @Test
  void download_usesTransformersJsLayout_withItsExternalData_whenNoRootModel() throws IOException {
    Path folder = downloader().build().download(GPT2);

    assertThat(filesUnder(folder))
        .containsExactly(
            "config.json",
            "generation_config.json",
            "onnx/decoder_model_merged.onnx",
            "onnx/decoder_model_merged.onnx_data",
            "tokenizer.json",
            "tokenizer_config.json");
    assertThat(folder.resolve("onnx/decoder_model_merged.onnx"))
        .hasBinaryContent(gpt2.get("onnx/decoder_model_merged.onnx"));
  }

  @Test
  void download_fetchesRequestedVariantOnly() throws IOException {
    Path folder = downloader().variant("fp16").build().download(GPT2);

    assertThat(filesUnder(folder))
        .contains("onnx/decoder_model_merged_fp16.onnx", "config.json")
        .doesNotContain("onnx/decoder_model_merged.onnx", "onnx/decoder_model_merged.onnx_data");
  }

  @Test
  void download_fetchesNamedOnnxFile() throws IOException {
    Path folder =
        downloader().onnxFile("onnx/decoder_model_merged_quantized.onnx").build().download(GPT2);

    assertThat(filesUnder(folder))
        .contains("onnx/decoder_model_merged_quantized.onnx")
        .doesNotContain("onnx/decoder_model_merged.onnx");
  }

  @Test
  void download_failsListingTheOnnxFiles_whenVariantIsMissing() {
    assertThatThrownBy(() -> downloader().variant("q4").build().download(GPT2))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("variant 'q4'")
        .hasMessageContaining("onnx/decoder_model_merged_fp16.onnx")
        .satisfies(e -> assertThat(((HubException) e).statusCode()).isEqualTo(404));
  }

  @Test
  void download_probesTheUsualNames_whenTheListingApiFails() throws IOException {
    hub.listingStatus = 500;

    Path folder = downloader().build().download(GPT2);

    assertThat(folder).isEqualTo(cache.resolve("Xenova--gpt2").resolve(COMMIT));
    assertThat(filesUnder(folder))
        .containsExactly(
            "config.json",
            "generation_config.json",
            "onnx/decoder_model_merged.onnx",
            "onnx/decoder_model_merged.onnx_data",
            "tokenizer.json",
            "tokenizer_config.json");
    assertThat(folder.resolve("onnx/decoder_model_merged.onnx_data"))
        .hasBinaryContent(gpt2.get("onnx/decoder_model_merged.onnx_data"));
    assertThat(cache.resolve("Xenova--gpt2/refs/main")).hasContent(COMMIT);
  }

  @Test
  void download_sendsBearerTokenToTheHub_butNotToTheRedirectedCdn() throws IOException {
    hub.redirectLfsToCdn = true;

    Path folder = downloader().token("hf_secret").build().download(LLAMA);

    assertThat(folder.resolve("model.onnx.data")).hasBinaryContent(llama.get("model.onnx.data"));
    assertThat(hub.requests("hub"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
    assertThat(hub.requests("cdn"))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.authorization()).isNull());
  }

  @Test
  void download_sendsNoAuthorization_withoutToken() throws IOException {
    downloader().build().download(LLAMA);

    assertThat(hub.requests).isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isNull());
  }

  @Test
  void download_resumesAnExistingPartFile_withARangeRequest() throws IOException {
    byte[] model = llama.get("model.onnx");
    Path snapshot = cache.resolve("acme--tiny-llama").resolve(COMMIT);
    Files.createDirectories(snapshot);
    Files.write(snapshot.resolve("model.onnx.part"), java.util.Arrays.copyOf(model, 70_000));

    Path folder = downloader().build().download(LLAMA);

    assertThat(hub.gets("/model.onnx"))
        .singleElement()
        .satisfies(r -> assertThat(r.range()).isEqualTo("bytes=70000-"));
    assertThat(folder.resolve("model.onnx")).hasBinaryContent(model);
    assertThat(partFiles(cache)).isEmpty();
  }

  @Test
  void download_resumesFromTheCdn_afterTheConnectionDropsMidFile() throws IOException {
    hub.redirectLfsToCdn = true;
    hub.dropAfterBytes.put("model.onnx", 50_000);

    Path folder = downloader().build().download(LLAMA);

    List<FakeHub.Request> cdnModelGets =
        hub.requests("cdn").stream()
            .filter(r -> r.path().endsWith(FakeHub.sha256(llama.get("model.onnx"))))
            .collect(Collectors.toList());
    assertThat(cdnModelGets).extracting(FakeHub.Request::range).containsExactly(null, "bytes=50000-");
    assertThat(folder.resolve("model.onnx")).hasBinaryContent(llama.get("model.onnx"));
  }

  @Test
  void download_keepsThePartFile_andResumesOnTheNextCall_whenAttemptsRunOut() throws IOException {
    hub.dropAfterBytes.put("model.onnx.data", 60_000);
    HubDownloader once = downloader().maxAttempts(1).build();
    Path snapshot = cache.resolve("acme--tiny-llama").resolve(COMMIT);

    assertThatThrownBy(() -> once.download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("model.onnx.data")
        .hasMessageContaining("run again to resume");
    // The server sends 60,000 bytes, then drops the connection; how many of them the client
    // reads before it sees the drop depends on the TCP stack, so resume from whatever was kept.
    long kept = Files.size(snapshot.resolve("model.onnx.data.part"));
    assertThat(kept).isBetween(0L, 60_000L);
    assertThat(snapshot.resolve("model.onnx.data")).doesNotExist();
    assertThat(once.findCached(LLAMA)).isEmpty();

    Path folder = once.download(LLAMA);

    List<String> ranges = hub.gets("/model.onnx.data").stream().map(FakeHub.Request::range).toList();
    assertThat(ranges).hasSize(2);
    assertThat(ranges.get(0)).isNull();
    if (kept > 0) {
      assertThat(ranges.get(1)).isEqualTo("bytes=" + kept + "-");
    } else {
      assertThat(ranges.get(1)).isIn(null, "bytes=0-");
    }
    assertThat(folder.resolve("model.onnx.data")).hasBinaryContent(llama.get("model.onnx.data"));
  }

  @Test
  void download_restartsFromByteZero_whenTheServerIgnoresRange() throws IOException {
    hub.ignoreRange = true;
    Path snapshot = cache.resolve("acme--tiny-llama").resolve(COMMIT);
    Files.createDirectories(snapshot);
    Files.write(snapshot.resolve("model.onnx.part"), bytes(70_000, 99));

    Path folder = downloader().build().download(LLAMA);

    assertThat(hub.gets("/model.onnx"))
        .singleElement()
        .satisfies(r -> assertThat(r.range()).isEqualTo("bytes=70000-"));
    assertThat(folder.resolve("model.onnx")).hasBinaryContent(llama.get("model.onnx"));
  }

  @Test
  void download_startsOver_whenThePartIsAlreadyWhole() throws IOException {
    byte[] model = llama.get("model.onnx");
    Path snapshot = cache.resolve("acme--tiny-llama").resolve(COMMIT);
    Files.createDirectories(snapshot);
    Files.write(snapshot.resolve("model.onnx.part"), model);

    Path folder = downloader().build().download(LLAMA);

    assertThat(hub.gets("/model.onnx"))
        .extracting(FakeHub.Request::range)
        .containsExactly("bytes=200000-", null);
    assertThat(folder.resolve("model.onnx")).hasBinaryContent(model);
  }

  @Test
  void download_deletesTheFileAndFails_whenSha256Mismatches() {
    hub.announcedSha256.put("model.onnx", "ab".repeat(32));
    HubDownloader downloader = downloader().build();
    Path snapshot = cache.resolve("acme--tiny-llama").resolve(COMMIT);

    assertThatThrownBy(() -> downloader.download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("sha256 mismatch for model.onnx")
        .hasMessageContaining("ab".repeat(32));
    assertThat(snapshot.resolve("model.onnx")).doesNotExist();
    assertThat(snapshot.resolve("model.onnx.part")).doesNotExist();
    assertThat(downloader.findCached(LLAMA)).isEmpty();
  }

  @Test
  void download_checksTheLinkedEtag_whenTheListingIsUnavailable() {
    hub.listingStatus = 404;
    hub.sendErrorCodes = false;
    hub.redirectLfsToCdn = true;
    hub.announcedSha256.put("onnx/decoder_model_merged.onnx", "cd".repeat(32));

    assertThatThrownBy(() -> downloader().build().download(GPT2))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("sha256 mismatch for onnx/decoder_model_merged.onnx");
    assertThat(cache.resolve("Xenova--gpt2").resolve(COMMIT).resolve("onnx/decoder_model_merged.onnx"))
        .doesNotExist();
  }

  @Test
  void offline_returnsTheCachedFolder_resolvingMainThroughRefs() throws IOException {
    Path online = downloader().build().download(LLAMA);
    hub.close();

    HubDownloader offline = downloader().offline(true).build();
    HubDownloader offlineByEnv =
        HubDownloader.builder()
            .endpoint(hub.endpoint())
            .cacheDir(cache)
            .environment(name -> name.equals("HF_HUB_OFFLINE") ? "1" : null)
            .build();

    assertThat(offline.download(LLAMA)).isEqualTo(online);
    assertThat(offlineByEnv.offline()).isTrue();
    assertThat(offlineByEnv.download(LLAMA)).isEqualTo(online);
  }

  @Test
  void offline_throwsHubUnavailable_whenNotCached() {
    assertThatThrownBy(() -> downloader().offline(true).build().download(LLAMA))
        .isInstanceOf(HubUnavailableException.class)
        .hasMessageContaining("hf:acme/tiny-llama@main is not cached")
        .hasMessageContaining("offline")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void download_intoACacheThatCannotBeWritten_throwsUncheckedHubException_namingTheFolder() throws IOException {
    // A regular file where the cache folder should go: creating folders under it fails for any user.
    Path file = Files.writeString(cache.resolve("not-a-dir"), "x");
    HubDownloader blocked = downloader().cacheDir(file.resolve("hub")).build();
    assertThatThrownBy(() -> blocked.download(LLAMA))
        .isInstanceOf(HubException.class)
        .isInstanceOf(io.costgen.cost.CostgenException.class)
        .hasMessageContaining(file.resolve("hub").toString())
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void offline_doesNotUseAnIncompleteDownload() throws IOException {
    hub.dropAfterBytes.put("model.onnx", 1_000);
    HubDownloader once = downloader().maxAttempts(1).build();
    assertThatThrownBy(() -> once.download(LLAMA)).isInstanceOf(HubException.class);

    assertThatThrownBy(() -> downloader().offline(true).build().download(LLAMA))
        .isInstanceOf(HubUnavailableException.class);
  }

  @Test
  void download_throwsHubUnreachable_whenThePortIsClosed() throws IOException {
    URI closed = closedPortEndpoint();

    assertThatThrownBy(() -> downloader().endpoint(closed).build().download(LLAMA))
        .isInstanceOf(HubUnreachableException.class)
        .hasMessageStartingWith("hub unreachable at " + closed)
        .hasMessageContaining("connection refused")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void download_throwsHubUnreachable_whenTheHubNeverAnswers() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      URI endpoint = URI.create("http://127.0.0.1:" + silent.getLocalPort());

      assertThatThrownBy(
              () ->
                  downloader()
                      .endpoint(endpoint)
                      .requestTimeout(Duration.ofMillis(300))
                      .build()
                      .download(LLAMA))
          .isInstanceOf(HubUnreachableException.class)
          .hasMessageContaining("no response within the request timeout");
    }
  }

  @Test
  void download_usesTheCache_whenTheHubIsUnreachable() throws IOException {
    Path online = downloader().build().download(LLAMA);

    Path fallback = downloader().endpoint(closedPortEndpoint()).build().download(LLAMA);

    assertThat(fallback).isEqualTo(online);
  }

  @Test
  void download_usesACachedCommitShaRevision_withoutTheNetwork() throws IOException {
    Path online = downloader().build().download(LLAMA);
    hub.requests.clear();

    Path pinned = downloader().build().download(LLAMA.withRevision(COMMIT));

    assertThat(pinned).isEqualTo(online);
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void download_reportsAnUnknownModel_asNotFound() {
    HubModelRef missing = HubModelRef.parse("hf:acme/nope");

    assertThatThrownBy(() -> downloader().build().download(missing))
        .isInstanceOf(HubException.class)
        .isNotInstanceOf(HubUnreachableException.class)
        .hasMessageStartingWith("model not found: hf:acme/nope@main")
        .satisfies(e -> assertThat(((HubException) e).statusCode()).isEqualTo(404));
  }

  @Test
  void download_reportsModelOrFileNotFound_whenAMirrorHasNoListingApi() {
    hub.sendErrorCodes = false;
    HubModelRef missing = HubModelRef.parse("hf:acme/nope");

    assertThatThrownBy(() -> downloader().build().download(missing))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("model or file not found: hf:acme/nope@main")
        .satisfies(e -> assertThat(((HubException) e).statusCode()).isEqualTo(404));
  }

  @Test
  void download_reportsAnUnknownRevision() {
    assertThatThrownBy(() -> downloader().build().download(LLAMA.withRevision("v9")))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("revision not found: hf:acme/tiny-llama@v9");
  }

  @Test
  void download_mentionsHfToken_onHttp401() {
    hub.requiredToken = "hf_right";

    assertThatThrownBy(() -> downloader().build().download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("set HF_TOKEN")
        .satisfies(e -> assertThat(((HubException) e).statusCode()).isEqualTo(401));
    assertThatThrownBy(() -> downloader().token("hf_wrong").build().download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HF_TOKEN")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hf_wrong"));
    assertThat(cache.resolve("acme--tiny-llama/refs")).doesNotExist();
  }

  @Test
  void download_fetchesAPrivateModel_withTheRightToken() throws IOException {
    hub.requiredToken = "hf_right";

    Path folder = downloader().token("hf_right").build().download(LLAMA);

    assertThat(folder.resolve("model.onnx")).hasBinaryContent(llama.get("model.onnx"));
  }

  @Test
  void download_ignoresUnsafePathsInTheListing() throws IOException {
    downloader().build().download(LLAMA);

    assertThat(hub.requests).noneSatisfy(r -> assertThat(r.path()).contains("evil"));
    try (Stream<Path> s = Files.walk(cache.getParent())) {
      assertThat(s.filter(p -> p.getFileName().toString().equals("evil"))).isEmpty();
    }
  }

  @Test
  void concurrentDownloadsOfOneModel_produceOneIntactCopy() throws Exception {
    HubDownloader first = downloader().build();
    HubDownloader second = downloader().build();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Path> a = () -> {
        start.await();
        return first.download(LLAMA);
      };
      Callable<Path> b = () -> {
        start.await();
        return second.download(LLAMA);
      };
      Future<Path> fa = pool.submit(a);
      Future<Path> fb = pool.submit(b);
      start.countDown();

      assertThat(fa.get()).isEqualTo(fb.get());
      Path folder = fa.get();
      assertThat(folder.resolve("model.onnx")).hasBinaryContent(llama.get("model.onnx"));
      assertThat(folder.resolve("model.onnx.data")).hasBinaryContent(llama.get("model.onnx.data"));
      assertThat(hub.gets("/model.onnx")).hasSize(1);
      assertThat(hub.gets("/model.onnx.data")).hasSize(1);
      assertThat(partFiles(cache)).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void progress_growsMonotonically_andReachesTheTotals() throws IOException {
    List<DownloadProgress> events = Collections.synchronizedList(new ArrayList<>());
    List<DownloadProgress> completed = Collections.synchronizedList(new ArrayList<>());
    ProgressListener recorder =
        new ProgressListener() {
          @Override
          public void onProgress(DownloadProgress p) {
            events.add(p);
          }

          @Override
          public void onFileComplete(DownloadProgress p) {
            completed.add(p);
          }
        };

    downloader().progress(recorder).build().download(LLAMA);

    long expectedTotal =
        Stream.of(
                "config.json",
                "generation_config.json",
                "tokenizer.json",
                "tokenizer_config.json",
                "special_tokens_map.json",
                "model.onnx",
                "model.onnx.data")
            .mapToLong(f -> llama.get(f).length)
            .sum();
    assertThat(completed).hasSize(7).allSatisfy(p -> assertThat(p.fileCount()).isEqualTo(7));
    assertThat(completed).extracting(DownloadProgress::fileIndex).containsExactly(1, 2, 3, 4, 5, 6, 7);
    for (DownloadProgress done : completed) {
      assertThat(done.fileBytes()).isEqualTo(done.fileTotalBytes()).isEqualTo(llama.get(done.file()).length);
    }
    DownloadProgress last = completed.get(completed.size() - 1);
    assertThat(last.overallBytes()).isEqualTo(last.overallTotalBytes()).isEqualTo(expectedTotal);
    assertThat(events.stream().filter(p -> p.file().equals("model.onnx")).count())
        .as("several updates for a 200 kB file")
        .isGreaterThan(2);
    for (int i = 1; i < events.size(); i++) {
      DownloadProgress prev = events.get(i - 1);
      DownloadProgress cur = events.get(i);
      assertThat(cur.overallBytes()).isGreaterThanOrEqualTo(prev.overallBytes());
      assertThat(cur.overallTotalBytes()).isEqualTo(expectedTotal);
      if (cur.file().equals(prev.file())) {
        assertThat(cur.fileBytes()).isGreaterThanOrEqualTo(prev.fileBytes());
      }
    }
  }

  @Test
  void download_completes_whenTheProgressListenerThrows() throws IOException {
    ProgressListener broken =
        p -> {
          throw new IllegalStateException("listener bug");
        };

    Path folder = downloader().progress(broken).build().download(LLAMA);

    assertThat(folder.resolve("model.onnx")).hasBinaryContent(llama.get("model.onnx"));
  }

  @Test
  void findCached_isEmptyBeforeDownload_andTheFolderAfter() throws IOException {
    HubDownloader downloader = downloader().build();
    assertThat(downloader.findCached(LLAMA)).isEmpty();

    Path folder = downloader.download(LLAMA);

    assertThat(downloader.findCached(LLAMA)).contains(folder);
    assertThat(downloader().variant("fp16").build().findCached(LLAMA)).isEmpty();
  }

  @Test
  void builder_readsDefaultsFromTheEnvironment() {
    Map<String, String> env =
        Map.of(
            "HF_ENDPOINT", "http://mirror.example:8080/hf",
            "HF_TOKEN", "hf_abc",
            "COSTGEN_OFFLINE", "true",
            "COSTGEN_CACHE", cache.toString());

    HubDownloader fromEnv = HubDownloader.builder().environment(env::get).build();
    HubDownloader bare = HubDownloader.builder().environment(name -> null).build();

    assertThat(fromEnv.endpoint()).isEqualTo(URI.create("http://mirror.example:8080/hf"));
    assertThat(fromEnv.hasToken()).isTrue();
    assertThat(fromEnv.offline()).isTrue();
    assertThat(fromEnv.cacheDir()).isEqualTo(cache.resolve("hub"));
    assertThat(bare.endpoint()).isEqualTo(HubDownloader.DEFAULT_ENDPOINT);
    assertThat(bare.hasToken()).isFalse();
    assertThat(bare.offline()).isFalse();
    assertThat(bare.cacheDir())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "costgen", "hub"));
  }

  @Test
  void builder_explicitValuesWinOverTheEnvironment() {
    HubDownloader d =
        HubDownloader.builder()
            .environment(Map.of("HF_HUB_OFFLINE", "1", "HF_TOKEN", "hf_env")::get)
            .token(null)
            .offline(false)
            .build();

    assertThat(d.hasToken()).isFalse();
    assertThat(d.offline()).isFalse();
  }

  @Test
  void builder_rejectsBadSettings_namingThem() {
    HubDownloader.Builder b = HubDownloader.builder();
    assertThatThrownBy(() -> b.maxAttempts(0)).hasMessageContaining("maxAttempts: 0");
    assertThatThrownBy(() -> b.endpoint(URI.create("ftp://x"))).hasMessageContaining("endpoint 'ftp://x'");
    assertThatThrownBy(() -> b.variant("fp 16")).hasMessageContaining("variant 'fp 16'");
    assertThatThrownBy(() -> b.onnxFile("../x.onnx")).hasMessageContaining("onnxFile '../x.onnx'");
    assertThatThrownBy(() -> b.onnxFile("onnx/model.bin")).hasMessageContaining("ending in .onnx");
    assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> b.token("hf bad")).hasMessageContaining("token is invalid");
    assertThatThrownBy(
            () -> HubDownloader.builder().environment(n -> n.equals("HF_ENDPOINT") ? "huggingface.co" : null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HF_ENDPOINT 'huggingface.co'");
    assertThatThrownBy(() -> HubDownloader.builder().variant("fp16").onnxFile("model.onnx").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conflict");
  }

  private static URI closedPortEndpoint() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Issue 11 defect 9: a listing announcing 100 bytes still got 300 MB written before the mismatch was caught. */
  @Test
  void download_stopsAtTheAnnouncedSize_andDeletesThePart() throws IOException {
    hub.announcedSize.put("model.onnx.data", 100L);
    hub.streamBytes.put("model.onnx.data", 300L << 20);
    assertThatThrownBy(() -> downloader().build().download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("model.onnx.data")
        .hasMessageContaining("larger than the 100 bytes the hub announced");
    assertThat(partFiles(cache)).isEmpty();
    // the client stopped reading at once: the server got out no more than its socket buffers hold
    assertThat(hub.streamedBytes.get("model.onnx.data")).isLessThan(32L << 20);
  }

  /** Issue 11 defect 9: with no size known, a 300 MB config.json was cached. */
  @Test
  void download_capsJsonFilesOfUnknownSize_at64MiB() throws IOException {
    hub.listingStatus = 500; // no listing: sizes unknown
    hub.streamBytes.put("config.json", 300L << 20);
    assertThatThrownBy(() -> downloader().build().download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining("at most 67108864 bytes (64 MiB)");
    assertThat(partFiles(cache)).isEmpty();
    assertThat(hub.streamedBytes.get("config.json")).isLessThan((64L << 20) + (32L << 20));
  }

  @Test
  void download_refusesAJsonFileAnnouncedAbove64MiB_beforeFetchingIt() throws IOException {
    hub.announcedSize.put("tokenizer.json", 100L << 20);
    assertThatThrownBy(() -> downloader().build().download(LLAMA))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("tokenizer.json is announced with 104857600 bytes");
    assertThat(hub.gets("tokenizer.json")).isEmpty();
  }
}
