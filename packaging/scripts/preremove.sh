#!/bin/sh
# Before removal, not before an upgrade (deb: remove; rpm: 0): stop and
# disable the service.
set -e
[ -d /run/systemd/system ] || exit 0
case "$1" in
remove | 0) systemctl disable --now cams_exporter.service >/dev/null 2>&1 || true ;;
esac
exit 0
