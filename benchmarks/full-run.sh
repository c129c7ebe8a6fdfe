#!/usr/bin/env bash
# One full benchmark run, as BENCHMARKS.md reports it: builds the bench jar and the Jlama driver
# (Java 21+), then runs the side-by-side suites (fresh child JVMs), the last-position-logits
# TTFT/RSS comparison, the cost path part by part on stories260k, and the virtual-thread pinning
# benchmark, recording the load average before and after each. Output: $OUT (default
# bench-out/), one file per part, plus load.txt. Needs ../shared/models (stories260k) and ~6 GB RAM.
# Usage: benchmarks/full-run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench-out}
JAVA25=${COSTGEN_JLAMA_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
quick=${1:-}
mkdir -p "$OUT"
load() { echo "$(date -u +%FT%TZ) $1: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"; }

mvn -B -q -ntp -pl benchmarks -am package -DskipTests
if [ -x "$JAVA25" ]; then
  JAVA_HOME=$(dirname "$(dirname "$JAVA25")") mvn -B -q -ntp -f benchmarks/jlama-driver/pom.xml package -DskipTests
fi
JAR=benchmarks/target/costgen-bench.jar

load "suites before"
java -jar "$JAR" $quick --out "$OUT/suites.md" > "$OUT/suites.log" 2>&1
load "suites after"

rounds=4; [ "$quick" = --quick ] && rounds=1
load "last-position before"
java -Xmx2g -XX:MaxDirectMemorySize=4g -cp "$JAR" io.costgen.bench.logits.LastPositionBenchmark \
  --rounds "$rounds" > "$OUT/last-position.md" 2> "$OUT/last-position.log"
load "last-position after"

cprounds=300; [ "$quick" = --quick ] && cprounds=20
load "cost-path before"
java -cp "$JAR" io.costgen.bench.overhead.CostPathBenchmark --null-backend yes --rounds 3000 --jit-warmup 10000 \
  > "$OUT/cost-path-instant.md" 2> "$OUT/cost-path-instant.log"
java -cp "$JAR" io.costgen.bench.overhead.CostPathBenchmark --rounds "$cprounds" --jit-warmup 10000 \
  > "$OUT/cost-path-stories260k.md" 2> "$OUT/cost-path-stories260k.log"
load "cost-path after"

if [ -x "$JAVA25" ]; then
  load "virtual-threads before"
  "$JAVA25" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
    io.costgen.bench.vthreads.VirtualThreadBenchmark --rounds "$rounds" --tokens 16 \
    > "$OUT/virtual-threads.md" 2> "$OUT/virtual-threads.log"
  load "virtual-threads after"
fi
echo "results in $OUT/"
