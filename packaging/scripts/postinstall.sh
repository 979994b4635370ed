#!/bin/sh
# After install or upgrade (deb: configure [old-version]; rpm: 1 install,
# 2 upgrade): systemd learns the unit; an upgrade restarts a running
# service. A fresh install neither enables nor starts it: set the
# credentials in the environment file first (README: Install).
set -e
[ -d /run/systemd/system ] || exit 0
systemctl daemon-reload >/dev/null 2>&1 || true
case "$1" in
configure) [ -z "${2:-}" ] || systemctl try-restart cams_exporter.service >/dev/null 2>&1 || true ;;
2) systemctl try-restart cams_exporter.service >/dev/null 2>&1 || true ;;
esac
exit 0
