#!/usr/bin/env bash
set -u
tool=$(basename "$0")
# one JSON array a call: the tool, then its arguments as given
json_str() { local s=$1; s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}; printf '"%s"' "$s"; }
# built whole, then written in one append: a stand-in run beside another (`<(yc iam create-token)`) never interleaves
line="[$(json_str "$tool")"; for a in "$@"; do line+=",$(json_str "$a")"; done
printf '%s]\n' "$line" >> "$CALLS"
for a in "$@"; do
  if [ -z "$a" ]; then echo "$tool: an empty argument in: $*" >> "$FAILS"; exit 2; fi
done
exists() { [ -e "$STATE/$1" ]; }
remember() { mkdir -p "$(dirname "$STATE/$1")"; : > "$STATE/$1"; }
forget() { rm -f "$STATE/$1"; }
flag() { local want=$1; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { echo "$2"; return; }; shift; done; }
fail() { echo "$tool: $*" >> "$FAILS"; echo "$tool: $*" >&2; exit 2; }
