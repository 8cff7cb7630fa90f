#!/bin/sh
# The image's launcher: the same CLI as ./rlaif, from the jars gathered into /opt/rlaif/lib.
# RLAIF_JAVA_OPTS sets the JVM options (heap: -Xmx1g by default; the trainer wants -Xmx2g).
set -e
exec java ${RLAIF_JAVA_OPTS:--Xmx1g} -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true \
  -cp "/opt/rlaif/lib/*" dev.rlaif.cli.Rlaif "$@"
