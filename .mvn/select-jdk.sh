# Sourced by ./mvnw, ./junction and .ci/run: make JAVA_HOME a JDK >= 21.
# Keeps a JAVA_HOME that is already >= 21; otherwise picks the newest JDK >= 21 found in the usual
# install folders. Prints nothing unless it has to explain a failure.
junction_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
junction_select_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(junction_java_major "$JAVA_HOME")
    [ -n "$v" ] && [ "$v" -ge 21 ] && return 0
  fi
  if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    v=$(junction_java_major "$home")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME="$home"; return 0; fi
  fi
  best=""; bestv=0
  for d in /usr/lib/jvm/* /opt/java/* /usr/local/java/* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$d/bin/javac" ] || continue
    v=$(junction_java_major "$d")
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -n "$best" ]; then export JAVA_HOME="$best"; return 0; fi
  echo "Junction needs a JDK 21 or newer; none found (set JAVA_HOME)." >&2
  return 1
}
junction_select_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
