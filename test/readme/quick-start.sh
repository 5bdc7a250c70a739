#!/usr/bin/env bash
# The README's quick start, run for real against the Docker engine $DOCKER_HOST names (or
# /var/run/docker.sock), with private names: images readme-qs-busybox and readme-qs-busybox-1,
# container readme-qs-c1. It checks what the README says each step shows, and exits 1 at the first
# step that does not. Build first (npx tsc -p .); run from anywhere:
#
#   export DOCKER_HOST=$(../shared/tools/dockerd-up.sh)   # or any engine you may use
#   bash test/readme/quick-start.sh
#
# The README loads fixtures/busybox.save.tar, which tags busybox:latest; this script leaves that
# tag alone and loads the same image (same id: rollback to step 1 with --base gives busybox's own
# config bytes) as readme-qs-busybox instead. It removes its container and the image it commits.
# The base image's tag stays when the image was in the engine before the script ran (removing the
# tag would delete an image that is not the script's).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
imgdiff() { node "$root/bin/run.js" "$@"; }
fail() { echo "quick-start: FAIL: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || fail "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})"
tmp=$(mktemp -d)
base=readme-qs-busybox
image=readme-qs-busybox-1
ctr=readme-qs-c1
base_existed=
cleanup() {
  docker rm -f "$ctr" >/dev/null 2>&1 || true
  docker rmi "$image" >/dev/null 2>&1 || true
  [ -n "$base_existed" ] || docker rmi "$base" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
docker rm -f "$ctr" >/dev/null 2>&1 || true

step "the base image, as $base"
id=$(imgdiff rollback "$root/fixtures/busybox-1.save.tar" --to 1 --base "$root/fixtures/busybox.save.tar" --tag "$base:latest" -o "$tmp/base.tar" --json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).imageId))')
want=$(node -e 'console.log(require(process.argv[1]).images.busybox.id)' "$root/fixtures/docker-says.json")
[ "$id" = "$want" ] || fail "rollback gave $id, not busybox's own id $want"
if docker image inspect "$id" >/dev/null 2>&1; then base_existed=1; fi
docker load -i "$tmp/base.tar" >/dev/null

step "docker run, docker commit"
docker run --network none --name "$ctr" "$base" mkdir /home/test
docker commit "$ctr" "$image" >/dev/null

step "imgdiff docker:$image container:$ctr"
out=$(imgdiff "docker:$image" "container:$ctr")
for want in "History lost: B is a container export" "B matches step 2 of A" "no file differs" "12 runtime files" "Same filesystem: no differences besides runtime files"; do
  grep -qF "$want" <<<"$out" || fail "imgdiff docker:$image container:$ctr does not say \"$want\":"$'\n'"$out"
done

step "imgdiff container:$ctr"
out=$(imgdiff "container:$ctr" --name-status)
[ "$out" = $'M\t/home\nA\t/home/test' ] || fail "imgdiff container:$ctr --name-status printed:"$'\n'"$out"
imgdiff "container:$ctr" | grep -q '^Different\.$' || fail "imgdiff container:$ctr does not end with Different."

step "docker save $image | imgdiff - container:$ctr"
docker save "$image" | imgdiff - "container:$ctr" -q || fail "stdin against the container: not the same filesystem"

step "imgdiff rollback docker:$image --to 1"
imgdiff rollback "docker:$image" --to 1 -o "$tmp/step1.tar" >/dev/null
imgdiff diff "$tmp/step1.tar" "$root/fixtures/busybox.save.tar" --name-only | { ! grep -q .; } || fail "step 1 of the engine image is not busybox's filesystem"

step "the same from files"
imgdiff "$root/fixtures/busybox-1.save.tar" "$root/fixtures/busybox-1.export.tar" | grep -q "B matches step 2 of A" || fail "the files do not match step 2"
imgdiff inspect "docker-archive:$root/fixtures/busybox-multi.save.tar:busybox-1:latest" | grep -q 'busybox-1:latest' || fail "docker-archive:FILE:REF"
[ "$(imgdiff diff "$root/fixtures/busybox-multi.save.tar@1" "$root/fixtures/busybox-multi.save.tar@2" --name-only)" = $'/home\n/home/test' ] || fail "ARCHIVE@N"
if command -v skopeo >/dev/null 2>&1; then
  skopeo copy -q "docker-archive:$root/fixtures/busybox-1.save.tar" "oci:$tmp/busybox-1-oci:latest"
  imgdiff inspect "oci:$tmp/busybox-1-oci:latest" | grep -q 'OCI' || fail "oci:DIR:TAG"
  imgdiff diff "oci:$tmp/busybox-1-oci:latest" "$root/fixtures/busybox-1.save.tar" --name-only | { ! grep -q .; } || fail "the OCI copy has other files"
else
  echo "quick-start: skopeo is not installed: the oci:DIR step was not run" >&2
fi

echo "quick-start: every step did what the README says"
