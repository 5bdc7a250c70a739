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
#   ctx/usr.tar          the base tree: `tar -C / -cf usr.tar usr/share usr/lib/x86_64-linux-gnu` (sorted;
#                        >= 1 GiB, >= 50,000 files). Like that command, it has NO entries of its own
#                        for the parents `usr/` and `usr/lib/` (issue 8): Docker makes them itself.
#   big.save.tar         docker save imgdiff-bench-big:latest
#   step2.save.tar       docker save of its base image (steps 1-2: busybox + usr.tar as the layer,
#                        byte for byte): the related save for save-vs-save, sharing both layers
#   big.save.tar.gz      gzip -1 of big.save.tar
#   big.export.tar       docker create (never started) + docker export of that image
#   big2.save.tar        same image, but the 64 MiB step writes a 2048 MiB file (same file count, ~2x bytes)
#   meta.json            sizes, file counts, the rollback step (the chmod step) and how it was made
#
# Base image imgdiff-bench-base (docker load of an archive assembled here, see make_base_save):
#   step 1: busybox's layer (fixtures/busybox.save.tar)
#   step 2: "ADD file:... in /" = ctx/usr.tar, one ~1.6 GB layer without usr/ or usr/lib/ entries
# Dockerfile (classic builder, --network none):
#   FROM imgdiff-bench-base
#   RUN rm -rf three big trees                whiteouts (under /usr/share only)
#   RUN busybox dd ... 300 files              ~300 MB of new random files, sizes 4 KiB .. 2 MiB
#   RUN chmod -R g+w /usr/share/man           metadata-only changes (the rollback target)
#   RUN busybox dd ... 64 MiB                 (big2: 2048 MiB)
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
BASE=imgdiff-bench-base:latest
CNAME=imgdiff-bench-export
# Trees added from this machine (relative to /), named as the issue-8 reporter did:
#   tar -C / -cf base.tar usr/share usr/lib/x86_64-linux-gnu
# so the tar holds `usr/share/` and `usr/lib/x86_64-linux-gnu/` but no `usr/` or `usr/lib/` entry.
# Here that is ~0.8 GB / 64k files + ~0.75 GB / 2.7k files (static package files, a few hard links).
TREES=(usr/share usr/lib/x86_64-linux-gnu)
# Whiteouts only under /usr/share: a RUN layer that changes anything under usr/lib/ also writes an
# entry for usr/lib/ itself (moby's diff adds the parents of changed paths), which would hide the
# implied usr/lib of the base layer from the final image.
RM_TREES='/usr/share/locale /usr/share/doc /usr/share/go-1.19'
CHMOD_TREE=/usr/share/man
GZIP_LEVEL=1
# big2: the last step writes this much instead of 64 MiB, so big2.save.tar has ~2x the bytes of big.save.tar
BIG2_MIB=2048
MIN_BYTES=$((1024 * 1024 * 1024))
MIN_FILES=50000

need() { [ -s "$cache/$1" ]; }
all_done() { need big.save.tar && need big.save.tar.gz && need big.export.tar && need big2.save.tar && need step2.save.tar && need meta.json; }

if all_done; then
  log "all outputs present in $cache (delete them to remake)"
  exit 0
fi

log "disk before: $(df -h /work | tail -1)"

# ------------------------------------------------------------------ build context tar
# A context made from other trees (an older version of this script) is remade.
if need ctx/usr.tar && [ "$(cat "$ctx/usr.tar.trees" 2>/dev/null)" != "${TREES[*]}" ]; then
  log "ctx/usr.tar was made from other trees: remaking it"
  rm -f "$ctx/usr.tar"
fi
if ! need ctx/usr.tar; then
  existing=()
  for t in "${TREES[@]}"; do [ -d "/$t" ] && existing+=("$t"); done
  log "making build context tar of: ${existing[*]}"
  # No --parents-like option, no `usr` operand: GNU tar writes an entry for each named tree and
  # what is under it, never for the parents of a name.
  tar --sort=name --numeric-owner --no-xattrs --no-acls --no-selinux \
      --exclude='__pycache__' --exclude='*.pyc' \
      --warning=no-file-changed --warning=no-file-ignored \
      -C / -cf "$ctx/usr.tar.tmp" "${existing[@]}"
  mv "$ctx/usr.tar.tmp" "$ctx/usr.tar"
  echo "${TREES[*]}" >"$ctx/usr.tar.trees"
fi
# Issue 8: the base layer must not hold entries for the parents usr/ and usr/lib/.
parent_entries=$(tar -tf "$ctx/usr.tar" | grep -Ec '^(\./)?usr(/lib)?/?$' || true)
if [ "$parent_entries" -ne 0 ]; then
  echo "ctx/usr.tar has $parent_entries entries for usr/ or usr/lib/ (issue 8 wants none)" >&2
  exit 1
fi
# Count regular files (not hard links) and their bytes as stored in the tar.
read -r ctx_files ctx_bytes < <(tar -tvf "$ctx/usr.tar" | awk '$1 ~ /^-/ {n++; b += $3} END {printf "%d %d\n", n, b}')
log "context: $ctx_files regular files, $ctx_bytes content bytes, tar $(stat -c %s "$ctx/usr.tar") bytes"
if [ "$ctx_files" -lt "$MIN_FILES" ] || [ "$ctx_bytes" -lt "$MIN_BYTES" ]; then
  echo "build context too small ($ctx_files files, $ctx_bytes bytes; want >= $MIN_FILES files and >= $MIN_BYTES bytes): add trees to TREES" >&2
  rm -f "$ctx/usr.tar"
  exit 1
fi

# ------------------------------------------------------------------ base image (issue 8)
# A build's `ADD usr.tar /` would NOT keep the tar as the layer: the engine unpacks it (making
# usr/lib with 0755 and the ADD time) and commits a diff of the rootfs, which then holds usr/ and
# usr/lib/ entries of its own. So the base image is assembled as a docker-save archive instead:
# busybox's layer, then ctx/usr.tar as it is (diff_id = sha256 of usr.tar), history "ADD file:... in /",
# and `docker load`ed. Loading applies the layer with moby's UnpackLayer, which makes the missing
# parent usr/lib itself (mode 0600, load-time mtime); busybox's layer already has usr/.
make_base_save() { # make_base_save <dir>
  local d=$1 usr_hex
  rm -rf "$d"
  mkdir -p "$d"
  tar -xf fixtures/busybox.save.tar -C "$d"
  usr_hex=$(sha256sum "$ctx/usr.tar" | cut -d' ' -f1)
  mkdir -p "$d/$usr_hex"
  ln "$ctx/usr.tar" "$d/$usr_hex/layer.tar" 2>/dev/null || cp "$ctx/usr.tar" "$d/$usr_hex/layer.tar"
  node - "$d" "$usr_hex" "$BASE" <<'EOF'
const fs = require('fs'), path = require('path'), crypto = require('crypto')
const [dir, hex, tag] = process.argv.slice(2)
const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))[0]
const cfg = JSON.parse(fs.readFileSync(path.join(dir, m.Config), 'utf8'))
const now = new Date().toISOString()
const add = `/bin/sh -c #(nop) ADD file:${hex} in / `
delete cfg.comment
cfg.created = now
cfg.container_config = {...cfg.container_config, Cmd: ['/bin/sh', '-c', `#(nop) ADD file:${hex} in / `]}
cfg.rootfs.diff_ids.push(`sha256:${hex}`)
cfg.history.push({created: now, created_by: add, comment: 'imgdiff bench: usr.tar as the layer, as given (no usr/ or usr/lib/ entry)'})
const bytes = Buffer.from(JSON.stringify(cfg))
const id = crypto.createHash('sha256').update(bytes).digest('hex')
fs.rmSync(path.join(dir, m.Config))
fs.rmSync(path.join(dir, 'repositories'), {force: true})
fs.writeFileSync(path.join(dir, `${id}.json`), bytes)
fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify([{Config: `${id}.json`, RepoTags: [tag], Layers: [...m.Layers, `${hex}/layer.tar`]}]))
EOF
}

dockerfile() { # dockerfile <MiB of the last big file>
  cat <<EOF
FROM $BASE
RUN rm -rf $RM_TREES
RUN mkdir -p /data/gen && i=1 && while [ \$i -le 300 ]; do busybox dd if=/dev/urandom of=/data/gen/f\$i bs=4096 count=\$(( (i * 37) % 500 + 1 )) 2>/dev/null || exit 1; i=\$((i + 1)); done
RUN chmod -R g+w $CHMOD_TREE
RUN busybox dd if=/dev/urandom of=/data/blob.bin bs=1048576 count=$1 2>/dev/null
ENV BENCH_IMAGE=big
CMD ["sh"]
EOF
}
# The build context holds only the Dockerfiles (the big tree comes in with the base image).
bctx="$ctx/build"
mkdir -p "$bctx"
rm -f "$ctx"/Dockerfile.*
dockerfile 64 >"$bctx/Dockerfile.big"
dockerfile "$BIG2_MIB" >"$bctx/Dockerfile.big2"

# ------------------------------------------------------------------ engine work
engine_needed=
need big.save.tar && need big.export.tar && need big2.save.tar && need step2.save.tar || engine_needed=1
if [ -n "$engine_needed" ]; then
  DOCKER_HOST=$(bash "$root/../shared/tools/dockerd-up.sh")
  export DOCKER_HOST
  export DOCKER_BUILDKIT=0
  log "engine $DOCKER_HOST: $(docker version --format '{{.Server.Version}}') ($(docker info --format '{{.Driver}}'))"
  cleanup() {
    docker rm -f "$CNAME" >/dev/null 2>&1 || true
    docker rmi "$BIG" "$BIG2" "$BASE" >/dev/null 2>&1 || true
    rm -rf "$ctx/base"
    rm -f "$cache"/*.tmp "$cache"/.tmp-*
  }
  trap cleanup EXIT

  # The four come from one base image so that they share layers; remake all four if one is missing.
  rm -f "$cache/big.save.tar" "$cache/big.export.tar" "$cache/big2.save.tar" "$cache/step2.save.tar" \
    "$cache/big.save.tar.gz" "$cache/meta.json"
  log "docker load $BASE: busybox's layer + ctx/usr.tar as it is"
  make_base_save "$ctx/base"
  tar -C "$ctx/base" --hard-dereference -cf - . | docker load >&2
  rm -rf "$ctx/base"
  log "docker save $BASE (step 2)"
  docker save -o "$cache/step2.save.tar.tmp" "$BASE"
  mv "$cache/step2.save.tar.tmp" "$cache/step2.save.tar"
  log "docker build $BIG"
  docker build --network none --force-rm -f "$bctx/Dockerfile.big" -t "$BIG" "$bctx" >&2
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
  docker build --network none --force-rm -f "$bctx/Dockerfile.big2" -t "$BIG2" "$bctx" >&2
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
# Issue 8, as the engine saved it: the `tar -tv` lines (JSON strings) of usr/ and usr/lib/ in each
# layer of big.save.tar, and in the export. Layer 2 must be usr.tar byte for byte (so it has neither).
layer_paths() { # layer_paths <save archive>: the layer paths, lowest first
  tar -xOf "$1" manifest.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].Layers.join("\n")))'
}
parents_json() { # parents_json: read `tar -tv` from stdin, print a JSON array of the usr/, usr/lib/ lines
  { grep -E ' (\./)?usr(/lib)?/?$' || true; } | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(s.split("\n").filter(Boolean).map(l=>l.replace(/ +/g," ")))))'
}
layer_parents=()
for l in $(layer_paths "$cache/big.save.tar"); do
  layer_parents+=("$(tar -xOf "$cache/big.save.tar" "$l" | tar -tv | parents_json)")
done
layer_parents_json="[$(IFS=,; echo "${layer_parents[*]}")]"
export_parents=$(tar -tvf "$cache/big.export.tar" | parents_json)
diff_ids_of() { config_of "$1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).rootfs.diff_ids.join(" ")))'; }
step2_ids=$(diff_ids_of "$cache/step2.save.tar")
big_ids=$(diff_ids_of "$cache/big.save.tar")
step2_shares=false
case "$big_ids" in "$step2_ids "*) step2_shares=true ;; esac
base_is_ctx=false
[ "$(echo "$big_ids" | cut -d' ' -f2)" = "sha256:$(sha256sum "$ctx/usr.tar" | cut -d' ' -f1)" ] && base_is_ctx=true
cat >"$cache/meta.json.tmp" <<EOF
{
  "made": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "rollbackStep": $chmod_step,
  "rollbackStepImgdiffInspect": $imgdiff_step,
  "rollbackStepIs": "RUN chmod -R g+w $CHMOD_TREE",
  "historyEntries": $history_len,
  "gzipLevel": $GZIP_LEVEL,
  "step2SharesFirstLayersWithBig": $step2_shares,
  "step2Layers": $(echo "$step2_ids" | wc -w),
  "issue8": {"contextParentEntries": $parent_entries, "layer2IsContextTar": $base_is_ctx, "parentEntriesPerLayer": $layer_parents_json, "exportParentEntries": $export_parents},
  "context": {"trees": "$(printf '%s ' "${TREES[@]}" | sed 's/ $//')", "regularFiles": $ctx_files, "contentBytes": $ctx_bytes, "tarBytes": $(size ctx/usr.tar)},
  "files": {
    "big.save.tar": {"bytes": $(size big.save.tar), "regularFilesInLayers": $(save_layer_files "$cache/big.save.tar")},
    "big.save.tar.gz": {"bytes": $(size big.save.tar.gz)},
    "big.export.tar": {"bytes": $(size big.export.tar), "regularFiles": $(count_files "$cache/big.export.tar")},
    "big2.save.tar": {"bytes": $(size big2.save.tar), "regularFilesInLayers": $(save_layer_files "$cache/big2.save.tar")},
    "step2.save.tar": {"bytes": $(size step2.save.tar), "regularFilesInLayers": $(save_layer_files "$cache/step2.save.tar")}
  },
  "lastStepMiB": {"big": 64, "big2": $BIG2_MIB},
  "seconds": $(($(date +%s) - t0))
}
EOF
mv "$cache/meta.json.tmp" "$cache/meta.json"
cat "$cache/meta.json" >&2
log "done in $(($(date +%s) - t0)) s; disk after: $(df -h /work | tail -1)"
