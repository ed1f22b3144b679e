set -eTo pipefail
# Before each command: every variable it names ($X or ${X}) must be set and not empty,
# unless MAY_BE_EMPTY lists it. Pure bash, no process per command.
__check() {
  local rest=$1 line=$2 v
  while [[ $rest =~ \$\{?([A-Za-z_][A-Za-z0-9_]*)(.*) ]]; do
    v=${BASH_REMATCH[1]}
    rest=${BASH_REMATCH[2]}
    case " ${MAY_BE_EMPTY} " in *" $v "*) continue ;; esac
    if [ -z "${!v:-}" ]; then echo "guide.sh:$line: \$$v is empty in: $1" >> "$FAILS"; fi
  done
}
trap '__check "$BASH_COMMAND" "$LINENO"' DEBUG
