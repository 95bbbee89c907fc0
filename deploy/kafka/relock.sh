#!/usr/bin/env bash
# Regenerate jars.lock from pom.xml with Maven (only maintainers need mvn; users never do).
# Usage: deploy/kafka/relock.sh   (edit the versions in pom.xml first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
mvn -q -f "$here/pom.xml" dependency:list -DincludeScope=runtime \
    -DoutputAbsoluteArtifactFilename=true -DoutputFile="$list"
version_of() { grep -o "$1:jar:[^:]*" "$list" | cut -d: -f4; }
kafka="$(version_of org.apache.kafka:kafka_2.13)"
slf4j="$(version_of org.slf4j:slf4j-api)"
binding="$(version_of org.apache.logging.log4j:log4j-slf4j2-impl)"
{
  echo "# Runtime jars of a Kafka ${kafka} broker (kafka_2.13) plus the SLF4J 2 -> Log4j2 binding."
  echo "# Produced from deploy/kafka/pom.xml (kafka_2.13 ${kafka}, slf4j-api ${slf4j}, log4j-slf4j2-impl ${binding})"
  echo "# with: mvn -f deploy/kafka/pom.xml dependency:list -DincludeScope=runtime; regenerate: deploy/kafka/relock.sh"
  echo "# Columns (tab-separated): sha256, size in bytes, path below https://repo1.maven.org/maven2/"
  # lines look like "group:artifact:jar[:classifier]:version:scope:/abs/path.jar"
  grep -E '^ +[^ ]+:jar:.*\.jar$' "$list" | sed 's/^ *//' | while IFS=: read -r group artifact _ f4 f5 f6 f7; do
    if [ -n "$f7" ]; then classifier="-$f4" version="$f5" jar="$f7"; else classifier="" version="$f4" jar="$f6"; fi
    relative="${group//.//}/$artifact/$version/$artifact-$version$classifier.jar"
    printf '%s\t%s\t%s\n' "$(sha256sum "$jar" | cut -d' ' -f1)" "$(stat -c %s "$jar")" "$relative"
  done | sort -t $'\t' -k3
} > "$here/jars.lock.new"
mv "$here/jars.lock.new" "$here/jars.lock"
echo "wrote $here/jars.lock ($(grep -vc '^#' "$here/jars.lock") jars, Kafka ${kafka})"
