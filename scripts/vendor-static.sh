#!/usr/bin/env bash
# Copies the chat page's third-party JavaScript out of pinned npm packages into service/static/vendor/
# (git-ignored), so the page renders math and Markdown offline and never loads anything from a CDN.
# Each tarball is checked against the sha512 pinned here before anything is extracted.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/service/static/vendor}
# name version sha512 (npm's "integrity", base64)
packages=(
  "katex 0.19.1 jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="
  "marked 18.2.1 ii4bxCTCqqwpT86XZWgJNs+ZnAIZksmLGYMViWA7PDIXYIeNo1x6cDdX3JOip9NM/cI6p8z57FxliACboTruMA=="
  "dompurify 3.5.0 LYC0ZkE8P1V42JsRYTwMdme/2ET8SpOc5AA2eOFjP/IadvRd2fwiT4TVz5vkfy0XUx12aS2UaRkTnfVPNOv9vw=="
)
stamp="$dest/VERSIONS"
want=$(printf '%s\n' "${packages[@]}" | cut -d' ' -f1,2)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
command -v npm >/dev/null || { echo "vendor-static: npm is needed (apt-get install -y npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${packages[@]}"; do
  read -r name version sha <<<"$entry"
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tarball="$work/$name-$version.tgz"
  got=$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
  [ "$got" = "$sha" ] || { echo "vendor-static: $name-$version.tgz sha512 mismatch" >&2; exit 1; }
  mkdir -p "$work/$name" && tar xzf "$tarball" -C "$work/$name"
done
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/katex/fonts" "$dest.tmp/marked" "$dest.tmp/dompurify"
cp "$work/katex/package/dist/katex.min.css" "$work/katex/package/LICENSE" \
  "$dest.tmp/katex/"
cp "$work"/katex/package/dist/fonts/*.woff2 "$dest.tmp/katex/fonts/"
cp "$work/katex/package/dist/katex.mjs" "$dest.tmp/katex/katex.js"
cp "$work/marked/package/LICENSE" "$dest.tmp/marked/"
cp "$work/marked/package/lib/marked.esm.js" "$dest.tmp/marked/marked.js"
cp "$work/dompurify/package/LICENSE" "$dest.tmp/dompurify/"
cp "$work/dompurify/package/dist/purify.es.mjs" "$dest.tmp/dompurify/purify.js"
echo "$want" >"$dest.tmp/VERSIONS"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
