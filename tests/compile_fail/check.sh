#!/bin/sh
# check.sh FILE COMPILER [FLAGS...]: compiles FILE (syntax only). Its first line says what must
# happen: "// expect: compiles", or "// expect: WORD" -- the compilation must fail and its
# diagnostics mention WORD (so a file that fails for another reason does not pass).
file=$1
shift
expect=$(sed -n '1s|^// expect: ||p' "$file")
[ -n "$expect" ] || { echo "$file: no '// expect:' first line"; exit 2; }
output=$("$@" -fsyntax-only "$file" 2>&1)
status=$?
if [ "$expect" = compiles ]; then
    [ $status -eq 0 ] && exit 0
    printf '%s\n%s: expected to compile\n' "$output" "$file"
    exit 1
fi
if [ $status -eq 0 ]; then
    echo "$file: compiled, but must not ($expect)"
    exit 1
fi
if ! printf '%s\n' "$output" | grep -q "error" || ! printf '%s\n' "$output" | grep -qF "$expect"; then
    printf '%s\n%s: failed, but the diagnostics do not mention "%s"\n' "$output" "$file" "$expect"
    exit 1
fi
exit 0
