#!/usr/bin/env bash
# README.md shows example programs verbatim: every "<!-- example: PATH -->" marker must be
# followed by a ```cpp block whose content is exactly the file PATH (which CI compiles and runs).
set -euo pipefail
root=${1:?usage: readme_examples.sh REPO_ROOT}
readme="$root/README.md"
status=0
markers=$(grep -o '<!-- example: [^ ]* -->' "$readme" | sed 's/<!-- example: \(.*\) -->/\1/')
[ -n "$markers" ] || { echo "README.md has no example markers"; exit 1; }
for path in $markers; do
    block=$(awk -v marker="<!-- example: $path -->" '
        $0 == marker { found = 1; next }
        found && /^```cpp$/ { inside = 1; next }
        inside && /^```$/ { exit }
        inside { print }' "$readme")
    if [ "$block" == "$(cat "$root/$path")" ]; then
        echo "ok: $path"
    else
        echo "README.md block for $path differs from the file:"
        diff <(printf '%s\n' "$block") "$root/$path" || true
        status=1
    fi
done
exit $status
