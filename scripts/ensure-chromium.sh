#!/bin/sh
# The dashboard's browser test drives Debian's Chromium through playwright-core (which
# downloads no browser). `npm test` runs this first: on a machine without Chromium where we
# may use apt (root), install it; otherwise say how, and the browser test will fail saying so.
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
else
  echo "ensure-chromium: no chromium on PATH; install it (e.g. apt-get install chromium) for the dashboard test" >&2
fi
exit 0
