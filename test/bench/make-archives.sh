#!/usr/bin/env bash
# Make the big archives the imgdiff benchmark (test/bench/run.mjs) reads, with a REAL Docker engine.
#
#   bash test/bench/make-archives.sh          # from anywhere; writes only into test/bench/.cache/
#
# Idempotent: every output that already exists is kept; only missing ones are made. Delete
# test/bench/.cache/ (or a single file in it) to remake. Needs: root, docker.io (via
# ../shared/tools/dockerd-up.sh), GNU tar, gzip, node, ~25 GB free on the engine's disk while it runs
# (vfs storage copies the whole rootfs per step).
#
# Outputs in test/bench/.cache/:
#   ctx/usr.tar          build context: sorted tar of /usr/share + part of /usr/lib (>= 1 GiB, >= 50,000 files)
#   big.save.tar         docker save imgdiff-bench-big:latest
#   big.save.tar.gz      gzip -1 of big.save.tar
#   big.export.tar       docker create (never started) + docker export of that image
#   big2.save.tar        same image, but the 64 MiB step writes a 1536 MiB file (same file count, ~2x bytes)
#   meta.json            sizes, file counts, the rollback step (the chmod step) and how it was made
#
# Dockerfile (classic builder, --network none):
#   FROM busybox:latest                       (docker load -i fixtures/busybox.save.tar)
#   ADD usr.tar /                             one ~1.3 GB layer
#   RUN rm -rf three big trees                whiteouts
#   RUN busybox dd ... 300 files              ~300 MB of new random files, sizes 4 KiB .. 2 MiB
#   RUN chmod -R g+w /usr/share/man           metadata-only changes (the rollback target)
#   RUN busybox dd ... 64 MiB                 (big2: 1536 MiB)
#   ENV / CMD
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="$here/.cache"
ctx="$cache/ctx"
mkdir -p "$ctx"
cd "$root"

log() { printf '== [%s] %s\n' "$(date +%T)" "$*" >&2; }
t0=$(date +%s)

BIG=imgdiff-bench-big:latest
BIG2=imgdiff-bench-big2:latest
CNAME=imgdiff-bench-export
# Trees added from this machine (relative to /). /usr/share is ~0.7 GB / 47k files here; these
# /usr/lib trees are static package files (no caches, sockets or state).
TREES=(usr/share usr/lib/llvm-14 usr/lib/gcc usr/lib/python3 usr/lib/python3.11)
RM_TREES='/usr/share/locale /usr/share/doc /usr/lib/gcc'
CHMOD_TREE=/usr/share/man
GZIP_LEVEL=1
MIN_BYTES=$((1024 * 1024 * 1024))
MIN_FILES=50000

need() { [ -s "$cache/$1" ]; }
all_done() { need big.save.tar && need big.save.tar.gz && need big.export.tar && need big2.save.tar && need meta.json; }

if all_done; then
  log "all outputs present in $cache (delete them to remake)"
  exit 0
fi

log "disk before: $(df -h /work | tail -1)"

# ------------------------------------------------------------------ build context tar
if ! need ctx/usr.tar; then
  existing=()
  for t in "${TREES[@]}"; do [ -d "/$t" ] && existing+=("$t"); done
  log "making build context tar of: ${existing[*]}"
  tar --sort=name --numeric-owner --no-xattrs --no-acls --no-selinux \
      --exclude='__pycache__' --exclude='*.pyc' \
      --warning=no-file-changed --warning=no-file-ignored \
      -C / -cf "$ctx/usr.tar.tmp" "${existing[@]}"
  mv "$ctx/usr.tar.tmp" "$ctx/usr.tar"
fi
# Count regular files (not hard links) and their bytes as stored in the tar.
read -r ctx_files ctx_bytes < <(tar -tvf "$ctx/usr.tar" | awk '$1 ~ /^-/ {n++; b += $3} END {printf "%d %d\n", n, b}')
log "context: $ctx_files regular files, $ctx_bytes content bytes, tar $(stat -c %s "$ctx/usr.tar") bytes"
if [ "$ctx_files" -lt "$MIN_FILES" ] || [ "$ctx_bytes" -lt "$MIN_BYTES" ]; then
  echo "build context too small ($ctx_files files, $ctx_bytes bytes; want >= $MIN_FILES files and >= $MIN_BYTES bytes): add trees to TREES" >&2
  rm -f "$ctx/usr.tar"
  exit 1
fi

dockerfile() { # dockerfile <MiB of the last big file>
  cat <<EOF
FROM busybox:latest
ADD usr.tar /
RUN rm -rf $RM_TREES
RUN mkdir -p /data/gen && i=1 && while [ \$i -le 300 ]; do busybox dd if=/dev/urandom of=/data/gen/f\$i bs=4096 count=\$(( (i * 37) % 500 + 1 )) 2>/dev/null || exit 1; i=\$((i + 1)); done
RUN chmod -R g+w $CHMOD_TREE
RUN busybox dd if=/dev/urandom of=/data/blob.bin bs=1048576 count=$1 2>/dev/null
ENV BENCH_IMAGE=big
CMD ["sh"]
EOF
}
dockerfile 64 >"$ctx/Dockerfile.big"
dockerfile 1536 >"$ctx/Dockerfile.big2"

# ------------------------------------------------------------------ engine work
engine_needed=
need big.save.tar && need big.export.tar && need big2.save.tar || engine_needed=1
if [ -n "$engine_needed" ]; then
  DOCKER_HOST=$(bash "$root/../shared/tools/dockerd-up.sh")
  export DOCKER_HOST
  export DOCKER_BUILDKIT=0
  log "engine $DOCKER_HOST: $(docker version --format '{{.Server.Version}}') ($(docker info --format '{{.Driver}}'))"
  had_busybox=
  docker image inspect busybox:latest >/dev/null 2>&1 && had_busybox=1
  cleanup() {
    docker rm -f "$CNAME" >/dev/null 2>&1 || true
    docker rmi "$BIG" "$BIG2" >/dev/null 2>&1 || true
    [ -n "$had_busybox" ] || docker rmi busybox:latest >/dev/null 2>&1 || true
    rm -f "$cache"/*.tmp
  }
  trap cleanup EXIT
  docker load -i fixtures/busybox.save.tar >&2

  # The three come from one build so that they share layers; remake all three if one is missing.
  rm -f "$cache/big.save.tar" "$cache/big.export.tar" "$cache/big2.save.tar" "$cache/big.save.tar.gz" "$cache/meta.json"
  log "docker build $BIG"
  docker build --network none --force-rm -f "$ctx/Dockerfile.big" -t "$BIG" "$ctx" >&2
  log "docker save $BIG"
  docker save -o "$cache/big.save.tar.tmp" "$BIG"
  mv "$cache/big.save.tar.tmp" "$cache/big.save.tar"
  log "docker create + export (never started)"
  docker rm -f "$CNAME" >/dev/null 2>&1 || true
  docker create --network none --name "$CNAME" "$BIG" >/dev/null
  docker export -o "$cache/big.export.tar.tmp" "$CNAME"
  docker rm "$CNAME" >/dev/null
  mv "$cache/big.export.tar.tmp" "$cache/big.export.tar"
  log "docker build $BIG2 (reuses the cached steps of $BIG up to the big file)"
  docker build --network none --force-rm -f "$ctx/Dockerfile.big2" -t "$BIG2" "$ctx" >&2
  log "docker save $BIG2"
  docker save -o "$cache/big2.save.tar.tmp" "$BIG2"
  mv "$cache/big2.save.tar.tmp" "$cache/big2.save.tar"
  log "disk at peak-ish: $(df -h /work | tail -1)"
  cleanup
  trap - EXIT
fi

if ! need big.save.tar.gz; then
  log "gzip -$GZIP_LEVEL big.save.tar"
  gzip -"$GZIP_LEVEL" -n -c "$cache/big.save.tar" >"$cache/big.save.tar.gz.tmp"
  mv "$cache/big.save.tar.gz.tmp" "$cache/big.save.tar.gz"
fi

# ------------------------------------------------------------------ meta.json
log "writing meta.json"
count_files() { tar -tvf "$1" | awk '$1 ~ /^-/ {n++} END {print n + 0}'; }
# Regular files inside every layer of a save archive (summed over layers).
save_layer_files() {
  local a=$1 n=0 l
  for l in $(tar -tf "$a" | grep '/layer.tar$'); do
    n=$((n + $(tar -xOf "$a" "$l" | tar -tv | awk '$1 ~ /^-/ {n++} END {print n + 0}')))
  done
  echo "$n"
}
config_of() { # the image config JSON of a (single-image) save archive
  local a=$1 cfg
  cfg=$(tar -xOf "$a" manifest.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].Config))')
  tar -xOf "$a" "$cfg"
}
# Step numbers as imgdiff inspect prints them: history entries, oldest first, from 1.
chmod_step=$(config_of "$cache/big.save.tar" | node -e '
  let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
    const h = JSON.parse(s).history; const i = h.findIndex(e => (e.created_by||"").includes("chmod -R"));
    console.log(i + 1) })')
history_len=$(config_of "$cache/big.save.tar" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).history.length))')
# Cross-check with imgdiff itself when it is built.
imgdiff_step=null
if [ -f "$root/dist/commands/inspect.js" ]; then
  imgdiff_step=$(node "$root/bin/run.js" inspect "$cache/big.save.tar" --json 2>/dev/null | node -e '
    let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{ try {
      const st = JSON.parse(s).images[0].steps.find(x => (x.createdBy||"").includes("chmod -R"));
      console.log(st ? st.step : "null") } catch { console.log("null") } })') || imgdiff_step=null
fi
size() { stat -c %s "$cache/$1"; }
cat >"$cache/meta.json.tmp" <<EOF
{
  "made": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "rollbackStep": $chmod_step,
  "rollbackStepImgdiffInspect": $imgdiff_step,
  "rollbackStepIs": "RUN chmod -R g+w $CHMOD_TREE",
  "historyEntries": $history_len,
  "gzipLevel": $GZIP_LEVEL,
  "context": {"trees": "$(printf '%s ' "${TREES[@]}" | sed 's/ $//')", "regularFiles": $ctx_files, "contentBytes": $ctx_bytes, "tarBytes": $(size ctx/usr.tar)},
  "files": {
    "big.save.tar": {"bytes": $(size big.save.tar), "regularFilesInLayers": $(save_layer_files "$cache/big.save.tar")},
    "big.save.tar.gz": {"bytes": $(size big.save.tar.gz)},
    "big.export.tar": {"bytes": $(size big.export.tar), "regularFiles": $(count_files "$cache/big.export.tar")},
    "big2.save.tar": {"bytes": $(size big2.save.tar), "regularFilesInLayers": $(save_layer_files "$cache/big2.save.tar")}
  },
  "lastStepMiB": {"big": 64, "big2": 1536},
  "seconds": $(($(date +%s) - t0))
}
EOF
mv "$cache/meta.json.tmp" "$cache/meta.json"
cat "$cache/meta.json" >&2
log "done in $(($(date +%s) - t0)) s; disk after: $(df -h /work | tail -1)"
