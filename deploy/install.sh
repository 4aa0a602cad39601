#!/usr/bin/env bash
# Installs kassa-runtime from a release folder (the dist/ that `npm run build` makes) onto a
# Debian-like board, as root. Idempotent: run it again and it changes nothing that is already
# right; run it with a newer release and it installs that into the other slot and switches.
# Every path and key it writes is explained in deploy/README.md (issue 14 §1).
#
#   deploy/install.sh [--root DIR] [--no-start]
#
#   --root DIR   install into the directory tree DIR instead of / (a board image being prepared,
#                or a throwaway tree in CI); nothing is started then
#   --no-start   install, enable nothing, start nothing
#
# Environment: KASSA_NODE, the Node.js to run the register with (default: `node` on PATH);
# KASSA_SYSTEMD_VERSION, the board's systemd version when preparing an image with --root
# (default: this machine's).
set -euo pipefail

say() { printf 'kassa install: %s\n' "$*"; }
die() { printf 'kassa install: %s\n' "$*" >&2; exit 1; }

ROOT=/
START=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
    --no-start) START=no; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option \"$1\" (see --help)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "must run as root (it creates a system user, /opt/kassa, /etc/kassa and /var/lib/kassa)"
[ -d "$ROOT" ] || die "--root $ROOT is not a directory"
ROOT=$(cd "$ROOT" && pwd)
[ "$ROOT" = / ] || START=no
R=${ROOT%/}   # prefix for every path below: "" for the live system

RELEASE=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$RELEASE/kassa.mjs" ] && [ -f "$RELEASE/kassa-main.cjs" ] && [ -f "$RELEASE/release.json" ] ||
  die "$RELEASE is not a release folder (no kassa.mjs / kassa-main.cjs / release.json): run it as dist/deploy/install.sh after npm run build"

# ---- Node.js: present and new enough (release.json "node": ">=20")
NODE=${KASSA_NODE:-$(command -v node || true)}
[ -n "$NODE" ] && [ -x "$NODE" ] || die "Node.js is missing: install Node.js 20 or newer (e.g. apt-get install nodejs), or point KASSA_NODE at it"
NEED=$(sed -n 's/.*"node": *">=\([0-9]*\).*/\1/p' "$RELEASE/release.json")
HAVE=$("$NODE" --version 2>/dev/null || true)
MAJOR=$(printf '%s' "$HAVE" | sed -n 's/^v\([0-9]*\)\..*/\1/p')
[ -n "$MAJOR" ] || die "$NODE does not answer --version like Node.js (got \"$HAVE\")"
[ "$MAJOR" -ge "${NEED:-20}" ] || die "Node.js $HAVE at $NODE is too old: kassa-runtime needs Node.js ${NEED:-20} or newer"
NODE=$(readlink -f "$NODE")
VERSION=$("$NODE" -e 'const r=require(process.argv[1]);console.log(`${r.version} (${r.commit})`)' "$RELEASE/release.json")
say "installing kassa-runtime $VERSION into ${ROOT} with Node.js $HAVE ($NODE)"

# ---- the system user, in the group that owns the serial lines
# Debian gives /dev/ttyS*, ttyUSB*, ttyACM* to "dialout"; on the live system ask the line itself.
SERIAL_GROUP=dialout
if [ "$ROOT" = / ] && [ -c /dev/ttyS0 ]; then SERIAL_GROUP=$(stat -c %G /dev/ttyS0); fi
prefix=()
[ "$ROOT" = / ] || prefix=(--prefix "$ROOT")
has_group() { grep -q "^$1:" "$R/etc/group"; }
has_user() { grep -q "^$1:" "$R/etc/passwd"; }
if ! has_group "$SERIAL_GROUP"; then groupadd "${prefix[@]}" --system "$SERIAL_GROUP"; say "group $SERIAL_GROUP created"; fi
if ! has_group kassa; then groupadd "${prefix[@]}" --system kassa; say "group kassa created"; fi
if ! has_user kassa; then
  useradd "${prefix[@]}" --system --gid kassa --groups "$SERIAL_GROUP" --home-dir /var/lib/kassa --no-create-home --shell /usr/sbin/nologin --comment "kassa-runtime" kassa
  say "user kassa created (groups kassa, $SERIAL_GROUP)"
elif ! grep -q "^$SERIAL_GROUP:.*[:,]kassa\(,\|$\)" "$R/etc/group"; then
  usermod "${prefix[@]}" --append --groups "$SERIAL_GROUP" kassa
  say "user kassa added to group $SERIAL_GROUP"
fi
# Numeric ids from the tree's own user database: names would resolve against the host's.
KUID=$(awk -F: '$1=="kassa"{print $3}' "$R/etc/passwd")
KGID=$(awk -F: '$1=="kassa"{print $3}' "$R/etc/group")

# ---- directories: program slots, config, data
# The program dir belongs to kassa: the register writes updates into the slot that is not
# running and switches `current` itself (firmware/update/, issue 14 §2).
# Created, or put right: owner and mode are checked on every run and every repair is said.
ensure() { # ensure PATH MODE UID GID [dir]
  if [ "${5:-}" = dir ] && [ ! -d "$1" ]; then install -d -m "$2" -o "$3" -g "$4" "$1"; return; fi
  local have; have=$(stat -c '%a %u %g' "$1")
  [ "$have" = "$2 $3 $4" ] && return
  chown "$3:$4" "$1"; chmod "$2" "$1"
  say "${1#"$R"}: owner and mode put right ($have -> $2 $3 $4)"
}
for d in opt/kassa opt/kassa/slots opt/kassa/slots/a opt/kassa/slots/b; do ensure "$R/$d" 755 "$KUID" "$KGID" dir; done
ensure "$R/etc/kassa" 750 0 "$KGID" dir
ensure "$R/var/lib/kassa" 700 "$KUID" "$KGID" dir
if [ ! -e "$R/etc/kassa/config.json" ]; then
  install -m 0640 -o 0 -g "$KGID" "$RELEASE/deploy/config.example.json" "$R/etc/kassa/config.json"
  say "/etc/kassa/config.json written from the example: edit it (device-config/README.md), or provision from the cloud"
else
  # It holds the broker password: never readable by all.
  ensure "$R/etc/kassa/config.json" 640 0 "$KGID"
fi

# ---- the release, into a slot: A/B, `current` points at the one that runs
same_stamp() { [ -f "$1/release.json" ] && cmp -s "$1/release.json" "$RELEASE/release.json"; }
# Every file as the release has it (the source map stays with the workshop).
whole() { diff -rq --exclude='*.map' "$RELEASE" "$1" >/dev/null 2>&1; }
CURRENT=$(readlink "$R/opt/kassa/current" 2>/dev/null || true)
if [ -n "$CURRENT" ] && same_stamp "$R/opt/kassa/$CURRENT" && whole "$R/opt/kassa/$CURRENT"; then
  say "release $VERSION already in $CURRENT"
  CHANGED_RELEASE=no
else
  if [ -n "$CURRENT" ] && same_stamp "$R/opt/kassa/$CURRENT"; then say "release $VERSION in $CURRENT differs from the release folder: installing it again"; fi
  case "$CURRENT" in slots/a) SLOT=slots/b ;; *) SLOT=slots/a ;; esac
  rm -rf "${R:?}/opt/kassa/$SLOT.new"
  # Everything but the source map, which stays with the workshop (build.mjs: sourcemap 'external').
  mkdir -p "$R/opt/kassa/$SLOT.new"
  tar -C "$RELEASE" --exclude='*.map' -cf - . | tar -C "$R/opt/kassa/$SLOT.new" --no-same-owner -xf -
  chown -R "$KUID:$KGID" "$R/opt/kassa/$SLOT.new"
  chmod -R u=rwX,go=rX "$R/opt/kassa/$SLOT.new"
  rm -rf "${R:?}/opt/kassa/$SLOT"
  mv "$R/opt/kassa/$SLOT.new" "$R/opt/kassa/$SLOT"
  # The switch is one rename of a symlink: a power cut leaves either the old or the new link.
  ln -sfn "$SLOT" "$R/opt/kassa/current.new"
  mv -T "$R/opt/kassa/current.new" "$R/opt/kassa/current"
  sync
  say "release $VERSION installed in $SLOT; current → $SLOT${CURRENT:+ (was $CURRENT)}"
  CHANGED_RELEASE=yes
fi

# ---- the boot guard: outside the slots, so a release that cannot start is still undone
if ! cmp -s "$RELEASE/deploy/boot-guard.mjs" "$R/opt/kassa/boot-guard.mjs" 2>/dev/null; then
  install -m 0644 -o "$KUID" -g "$KGID" "$RELEASE/deploy/boot-guard.mjs" "$R/opt/kassa/boot-guard.mjs"
  say "/opt/kassa/boot-guard.mjs written"
fi

# ---- the unit and its drop-ins; written only when their text changes
CHANGED_UNIT=no
put() { # put FILE MODE: standard input becomes FILE when it differs
  local tmp; tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return; fi
  install -D -m "$2" -o 0 -g 0 "$tmp" "$1"; rm -f "$tmp"
  CHANGED_UNIT=yes; say "${1#"$R"} written"
}
UNIT_DIR="$R/etc/systemd/system"
sed -e "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" -e "s#^ExecStartPre=-/usr/bin/node #ExecStartPre=-$NODE #" -e "s#^SupplementaryGroups=dialout#SupplementaryGroups=$SERIAL_GROUP#" \
  "$RELEASE/deploy/kassa.service" | put "$UNIT_DIR/kassa.service" 0644
# Device access: only the serial lines the config names (fn, printer, console), read with Node.
LINES=$("$NODE" -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const k of ["fn", "printer", "console"]) if (c[k] && c[k].kind === "serial" && c[k].path) console.log(c[k].path);
' "$R/etc/kassa/config.json" | sort -u)
{
  echo "# Written by deploy/install.sh from the serial lines in /etc/kassa/config.json; run it again after changing them."
  echo "[Service]"
  for line in $LINES; do echo "DeviceAllow=$line rw"; done
} | put "$UNIT_DIR/kassa.service.d/serial-lines.conf" 0644
SYSTEMD_VERSION=${KASSA_SYSTEMD_VERSION:-$(systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p')}
if [ "${SYSTEMD_VERSION:-0}" -ge 254 ]; then
  printf '%s\n' "# systemd >= 254: the restart delay grows from RestartSec= to 5 min over 8 failures in a row." \
    "[Service]" "RestartSteps=8" "RestartMaxDelaySec=5min" | put "$UNIT_DIR/kassa.service.d/restart-backoff.conf" 0644
elif [ -e "$UNIT_DIR/kassa.service.d/restart-backoff.conf" ]; then
  rm -f "$UNIT_DIR/kassa.service.d/restart-backoff.conf"; CHANGED_UNIT=yes
fi

# ---- enable and start (the live system only)
if [ "$START" = no ]; then
  say "done; not started (--root or --no-start). On the board: systemctl enable --now kassa"
elif [ ! -d /run/systemd/system ]; then
  say "done; systemd is not running here, so nothing was started"
else
  [ "$CHANGED_UNIT" = yes ] && systemctl daemon-reload
  systemctl enable --quiet kassa.service
  if [ "$CHANGED_UNIT$CHANGED_RELEASE" != nono ]; then systemctl restart kassa.service; else systemctl start kassa.service; fi
  say "done; kassa.service is $(systemctl is-active kassa.service) (journalctl -u kassa -f to follow it)"
fi
