#!/bin/sh
# After removal: systemd forgets the unit. The cache in
# /var/lib/private/cams_exporter stays, as does the environment file until
# a purge (deb) or when changed (rpm keeps it as .rpmsave).
set -e
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload >/dev/null 2>&1 || true
exit 0
