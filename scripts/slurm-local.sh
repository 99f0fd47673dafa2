#!/usr/bin/env bash
# A real single-node Slurm on this machine, for testing sweeps (sandbox
# compare --launcher slurm) and trying docs/cluster.md:
#
#   eval "$(scripts/slurm-local.sh start DIR)"   # prints export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-local.sh status DIR
#   scripts/slurm-local.sh stop DIR
#
# start installs Debian's slurm-wlm and munge when missing (needs root or
# sudo), then runs munged, slurmctld and slurmd as the current user with
# every file (key, sockets, state, spool, logs, pid files) under DIR, so
# nothing system-wide is configured or started. One partition, "debug",
# holds this machine's CPUs and memory (from slurmd -C). start on a DIR whose
# cluster runs does nothing but print the export line; stop stops only the
# daemons whose pid files are in DIR, after cancelling its jobs.
#
# Ports: SLURM_LOCAL_PORT (default 16817) for slurmctld, the next one for
# slurmd; both on 127.0.0.1.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
mkdir -p "$2" 2>/dev/null || { echo "slurm-local: cannot create $2" >&2; exit 1; }
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf
port=${SLURM_LOCAL_PORT:-16817}
log() { echo "slurm-local: $*" >&2; }

running() { # running NAME: the daemon whose pid file is DIR/NAME.pid is alive
  local pid
  pid=$(cat "$dir/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

install() {
  local pkgs=(slurm-wlm munge) missing=() p sudo="" policy=""
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${pkgs[*]} (missing: ${missing[*]})"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root or sudo to install ${pkgs[*]}"; exit 1; }
    sudo="sudo -n"
  fi
  # The packages' scripts would start the system's own munged and slurm
  # daemons where an init system runs; this cluster runs its own under DIR.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null
    $sudo chmod 755 $policy
  fi
  export DEBIAN_FRONTEND=noninteractive
  local ok=0
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${pkgs[@]}" </dev/null >/dev/null || ok=$?
  [ -z "$policy" ] || $sudo rm -f "$policy"
  [ $ok -eq 0 ] || { log "apt-get install ${pkgs[*]} failed"; exit 1; }
}

wait_idle() { # the node takes jobs within a minute, or the logs say why not
  local i state
  for i in $(seq 120); do
    state=$(SLURM_CONF=$conf sinfo -h -o %T 2>/dev/null | head -1) || true
    case $state in
      idle*|mixed*|allocated*) return 0 ;;
    esac
    sleep 0.5
  done
  log "the node is not up after 60 s (state: ${state:-none}); the last lines of the logs:"
  tail -n 5 "$dir/log/munged.log" "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 2>/dev/null || true
  exit 1
}

start() {
  if running slurmctld && running slurmd && running munged; then
    log "already running in $dir"
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  stop_daemons
  local p
  for p in "$port" $((port + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      log "port $p is in use (another cluster? stop it, or set SLURM_LOCAL_PORT)"
      exit 1
    fi
  done
  install
  local user host node mem
  user=$(id -un)
  host=$(hostname -s)
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"
  if [ ! -s "$dir/munge/munge.key" ]; then
    (umask 077; head -c 1024 /dev/urandom >"$dir/munge/munge.key")
  fi
  /usr/sbin/munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed" \
    || { log "munged did not start:"; tail -n 5 "$dir/log/munged.log" >&2 || true; exit 1; }
  # This machine's CPUs, sockets and memory, as slurmd sees them, less a
  # little memory so the node is never refused for having less than said.
  node=$(/usr/sbin/slurmd -C | head -1 | sed -E 's/^NodeName=[^ ]+ //; s/ RealMemory=([0-9]+)//')
  mem=$(/usr/sbin/slurmd -C | head -1 | sed -nE 's/.*RealMemory=([0-9]+).*/\1/p')
  mem=$(( mem * 95 / 100 ))
  cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh start $dir
ClusterName=sandbox
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: the plain process tracker works in containers too.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
# Jobs share the node core by core; finished ones stay visible to squeue
# for 10 minutes.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 $node RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$conf
  /usr/sbin/slurmctld -f "$conf" \
    || { log "slurmctld did not start:"; tail -n 5 "$dir/log/slurmctld.log" >&2 || true; exit 1; }
  /usr/sbin/slurmd -f "$conf" \
    || { log "slurmd did not start:"; tail -n 5 "$dir/log/slurmd.log" >&2 || true; exit 1; }
  wait_idle
  log "running in $dir: $(sinfo -h -o '%P %D node(s) %c CPUs %m MB %T')"
  echo "export SLURM_CONF=$conf"
}

stop_daemons() {
  local name pid i
  for name in slurmd slurmctld munged; do
    running "$name" || continue
    pid=$(cat "$dir/$name.pid")
    kill "$pid"
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
}

stop() {
  if running slurmctld; then
    # The jobs die with their cluster, not orphaned under a dead slurmd.
    local jobs
    jobs=$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null | sort -u) || true
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF=$conf scancel $jobs 2>/dev/null || true
      for _ in $(seq 30); do
        [ -z "$(SLURM_CONF=$conf squeue -h -t running,completing 2>/dev/null)" ] && break
        sleep 0.5
      done
    fi
  fi
  stop_daemons
  log "stopped in $dir"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status)
    for name in munged slurmctld slurmd; do
      if running "$name"; then echo "$name: running (pid $(cat "$dir/$name.pid"))"; else echo "$name: stopped"; fi
    done
    running slurmctld && SLURM_CONF=$conf sinfo ;;
  *) usage ;;
esac
