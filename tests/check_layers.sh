#!/bin/sh
# check_layers.sh - dependencies point down only: common/ includes neither program's
# headers, and server/ and sentinel/ never include each other (STYLE.md, section 1).
top=${1:-.}
bad=0
check() { # dir forbidden-prefix
    hits=$(grep -rn "#include \"$2/" "$top/$1" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering violation: $1/ includes $2/ headers:"
        echo "$hits"
        bad=1
    fi
}
check common server
check common sentinel
check server sentinel
check sentinel server
[ $bad -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $bad
