#!/usr/bin/env bash
# P@1 and MRR@10 of folio and of four in-browser doc search engines on every query set
# in tests/relevance/, as one Markdown table (a row per set, a column per engine).
#
#   tests/relevance/compare.sh [--misses FILE] [--timeout SECONDS] [FOLIO]
#
# FOLIO is the binary to measure (default: target/release/folio). The corpora and the
# evaluation harness come from ../shared beside the checkout (or $SHARED): each corpus
# is unpacked into a temp dir, folio serves each content root on 127.0.0.1, and
# ../shared/eval/relevance.py scores folio (--server) and minisearch, lunr, elasticlunr
# and flexsearch (--peer, on the same pages). --misses writes folio's misses, set by
# set, to FILE. A peer that runs longer than --timeout (default 300 s) on a set is
# stopped, shown as such, and not run again on the same pages.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=${SHARED:-$repo/../shared}
misses=""
limit=300
folio=$repo/target/release/folio
while [ $# -gt 0 ]; do
  case $1 in
    --misses) misses=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    *) folio=$1; shift ;;
  esac
done
[ -x "$folio" ] || { echo "compare.sh: no folio binary at $folio" >&2; exit 2; }
folio=$(cd "$(dirname "$folio")" && pwd)/$(basename "$folio")
if [ ! -d "$shared/corpora" ] || [ ! -d "$shared/eval" ]; then
  echo "compare.sh: $shared/corpora and $shared/eval are needed" >&2
  exit 2
fi
shared=$(cd "$shared" && pwd)
if [ -n "$misses" ]; then
  : >"$misses"
  misses=$(cd "$(dirname "$misses")" && pwd)/$(basename "$misses")
fi

tmp=$(mktemp -d)
server=""
stop() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap 'stop; rm -rf "$tmp"' EXIT

echo "unpacking the corpora and installing the peers into $tmp" >&2
mkdir -p "$tmp/tldr" "$tmp/tldr-en" "$tmp/mdbook-peers"
tar -xzf "$shared/corpora/tldr-pages.tar.gz" -C "$tmp/tldr"
tar -xzf "$shared/corpora/tldr-pages.tar.gz" -C "$tmp/tldr-en" pages
tar -xzf "$shared/corpora/vitepress-docs.tar.gz" -C "$tmp"
tar -xzf "$shared/corpora/mdbook-guide.tar.gz" -C "$tmp"
# mdBook serves a folder's README.md as its index page and searches only the chapters
# SUMMARY.md lists: the peers get the guide's chapters with README.md as index.md.
cp -r "$tmp/mdbook-guide/src/." "$tmp/mdbook-peers"
rm "$tmp/mdbook-peers/SUMMARY.md" "$tmp/mdbook-peers/404.md"
find "$tmp/mdbook-peers" -name README.md -execdir mv README.md index.md \;
cp -r "$shared/eval" "$tmp/eval"
(cd "$tmp/eval" && npm ci --no-audit --no-fund --silent) >&2

engines=(minisearch lunr elasticlunr flexsearch)
declare -A timed_out
rows=()

# The last line of relevance.py's output, P@1=0.917 MRR=0.944 n=60, as "0.917 / 0.944".
cell() { sed -n 's/^P@1=\([0-9.]*\) MRR=\([0-9.]*\) n=.*/\1 \/ \2/p' | tail -n 1; }

# serve ROOT: starts folio on ROOT (read once, a fresh index) and waits for its pages.
serve() {
  local out=$tmp/folio.out
  (cd "$tmp" && exec "$folio" serve --content "$1" --index "$(mktemp -d "$tmp/index.XXXX")" \
    --templates "$tmp/no-templates" --addr 127.0.0.1:0 --no-watch >"$out" 2>"$tmp/folio.log") &
  server=$!
  base=""
  for _ in $(seq 600); do
    base=$(head -n 1 "$out" 2>/dev/null | sed -n 's#^\(http://[^/]*\)/.*#\1#p')
    if [ -n "$base" ] && curl -fsS "$base/readyz" 2>/dev/null | grep -q '"loaded":true'; then
      return
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "compare.sh: folio did not serve $1; its log:" >&2
  cat "$tmp/folio.log" >&2
  exit 1
}

# measure SET FOLIO_ROOT PEER_ROOT: one row of the table.
measure() {
  local set=$1 root=$2 peers=$3 queries=$repo/tests/relevance/$1.jsonl row output
  echo "$set: folio" >&2
  serve "$root"
  output=$(python3 "$tmp/eval/relevance.py" --queries "$queries" --server "$base" --show-misses)
  stop
  row="| $set | $(cell <<<"$output")"
  if [ -n "$misses" ]; then
    { echo "## $set"; grep '^MISS ' <<<"$output" || true; echo; } >>"$misses"
  fi
  for engine in "${engines[@]}"; do
    if [ -n "${timed_out[$engine:$peers]:-}" ]; then
      row+=" | skipped (${timed_out[$engine:$peers]})"
      continue
    fi
    echo "$set: $engine" >&2
    if output=$(timeout "$limit" python3 "$tmp/eval/relevance.py" --queries "$queries" \
      --peer "$engine" --content "$peers"); then
      row+=" | $(cell <<<"$output")"
    elif [ $? -eq 124 ]; then
      timed_out[$engine:$peers]="over $limit s on $set"
      row+=" | over $limit s"
    else
      row+=" | failed"
    fi
  done
  rows+=("$row |")
}

measure content "$repo/content" "$repo/content"
measure mdn "$shared/corpora/mdn-http-status" "$shared/corpora/mdn-http-status"
measure tldr-en "$tmp/tldr-en/pages" "$tmp/tldr-en/pages"
measure tldr-zh "$tmp/tldr" "$tmp/tldr"
measure tldr-de "$tmp/tldr" "$tmp/tldr"
measure vitepress "$tmp/vitepress-docs" "$tmp/vitepress-docs"
measure mdbook "$tmp/mdbook-guide" "$tmp/mdbook-peers"

echo "P@1 / MRR@10 on tests/relevance/*.jsonl; folio: $folio ($("$folio" --version))"
echo
echo "| set | folio |$(printf ' %s |' "${engines[@]}")"
echo "| --- | --- |$(printf ' --- |%.0s' "${engines[@]}")"
printf '%s\n' "${rows[@]}"
