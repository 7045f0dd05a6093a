#!/usr/bin/env bash
# Builds the test control plane's binaries from the Go module proxy, once, into
# ~/.cache/datapath-lab/bin/<component>-<version>/. Idempotent: a binary that
# exists is kept. Usage: build.sh [component ...]  (default: all but the heavy ones)
# Components: etcd kube (apiserver, controller-manager, scheduler, kubectl) kwok helm kind hubble
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${DATAPATH_LAB_CACHE:-$HOME/.cache/datapath-lab}
work="$cache/build"
mkdir -p "$work" "$cache/bin"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
command -v go >/dev/null || { echo "go is not on PATH: install Go 1.26 (https://go.dev/dl) and retry" >&2; exit 2; }

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# A throw-away module that requires $1@$2; used when the target module has
# replace directives (go install refuses those).
wrapper() {
  local dir=$1 mod=$2 ver=$3
  rm -rf "$dir"; mkdir -p "$dir"
  ( cd "$dir" && go mod init "datapath-lab-build/$(basename "$dir")" >/dev/null 2>&1 && go mod edit -require "$mod@$ver" )
}

build_kube() {
  local out="$cache/bin/kubernetes-$KUBERNETES_VERSION"
  if [[ -x $out/kube-apiserver && -x $out/kube-controller-manager && -x $out/kube-scheduler && -x $out/kubectl ]]; then return; fi
  log "kubernetes $KUBERNETES_VERSION: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (15-30 min on 2 cores)"
  local dir="$work/kubernetes" minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local staging_ver="v0.${KUBERNETES_VERSION#v1.}"
  wrapper "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION"
  cd "$dir"
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # Every "k8s.io/x => ./staging/src/k8s.io/x" becomes "k8s.io/x => k8s.io/x v0.Y.Z".
  local staging; staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod")
  [[ -n $staging ]] || { echo "no staging replaces found in $gomod" >&2; exit 1; }
  for m in $staging; do go mod edit -replace "$m=$m@$staging_ver"; done
  local cmds="kube-apiserver kube-controller-manager kube-scheduler kubectl" pkgs=() gets=()
  for c in $cmds; do pkgs+=("k8s.io/kubernetes/cmd/$c"); gets+=("k8s.io/kubernetes/cmd/$c@$KUBERNETES_VERSION"); done
  # go get records exactly what these four programs need in go.mod and go.sum.
  go get "${gets[@]}"
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  mkdir -p "$out.tmp"
  go build -trimpath -tags selinux,notest -ldflags "-s -w$ld" -o "$out.tmp/" "${pkgs[@]}"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_etcd() {
  local out="$cache/bin/etcd-$ETCD_VERSION"
  [[ -x $out/etcd ]] && return
  log "etcd $ETCD_VERSION"
  local dir="$work/etcd"
  wrapper "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  cd "$dir"
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
  mkdir -p "$out.tmp"
  go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_kwok() {
  local out="$cache/bin/kwok-$KWOK_VERSION"
  [[ -x $out/kwok && -d $out/stage ]] && return
  log "kwok $KWOK_VERSION"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  # kwok refuses to start without stages; they ship in the module.
  local moddir; moddir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  cp -r "$moddir/kustomize/stage" "$out.tmp/stage"; chmod -R u+w "$out.tmp/stage"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_helm() {
  local out="$cache/bin/helm-$HELM_VERSION"
  [[ -x $out/helm ]] && return
  log "helm $HELM_VERSION"
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_kind() {
  local out="$cache/bin/kind-$KIND_VERSION"
  [[ -x $out/kind ]] && return
  log "kind $KIND_VERSION"
  mkdir -p "$out.tmp"
  GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@$KIND_VERSION"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

# The Hubble CLI lives in Cilium's own module (hubble/) since 1.18; that module has replace
# directives, so it is built from a wrapper module. (cilium-cli is not in the module zip and
# its own module is refused by the proxy here: it cannot be built.)
build_hubble() {
  local out="$cache/bin/hubble-$CILIUM_VERSION"
  [[ -x $out/hubble ]] && return
  log "hubble (Cilium $CILIUM_VERSION)"
  local dir="$work/hubble"
  wrapper "$dir" github.com/cilium/cilium "$CILIUM_VERSION"
  cd "$dir"
  go get "github.com/cilium/cilium/hubble@$CILIUM_VERSION" >/dev/null
  mkdir -p "$out.tmp"
  go build -trimpath -ldflags "-s -w -X github.com/cilium/cilium/hubble/pkg.Version=$CILIUM_VERSION" -o "$out.tmp/hubble" github.com/cilium/cilium/hubble
  rm -rf "$out"; mv "$out.tmp" "$out"
}

components=("$@")
[[ ${#components[@]} -gt 0 ]] || components=(etcd kwok kube helm kind hubble)
for c in "${components[@]}"; do
  case $c in
    etcd|kube|kwok|helm|kind|hubble) ( "build_$c" ) ;;
    *) echo "unknown component: $c (etcd kube kwok helm kind hubble)" >&2; exit 2 ;;
  esac
done
log "done: $cache/bin"
